import type { Tensor } from "@tensorflow/tfjs";

import { DIGITS, DIGIT_BITS, MAX_TERMS } from "./digits.ts";
import type { Tf } from "./load.ts";

/** Positions of a product of two digit vectors: p = m + n for m, n < DIGITS. */
export const PRODUCT_POSITIONS = 2 * DIGITS - 1;

/**
 * For every row r, the 6x6 digit products `sum_j x[r,m,j] * y[r,n,j]` over `len <= 2048`
 * coordinates, as int32 (exact: see digits.ts). `y` may have one row, broadcast to all.
 * Returns them folded by position `m + n` into `acc[r * PRODUCT_POSITIONS + p]` (float64 adds of
 * values below 2^34, exact while the caller flushes well before 2^53).
 */
export function addDigitDots(tf: Tf, x: Tensor, y: Tensor, rows: number, len: number, acc: Float64Array): void {
  if (len > MAX_TERMS) throw new RangeError("digit dot over more than 2048 coordinates");
  const sums = tf.tidy(() => {
    const a = x.reshape([rows, DIGITS, 1, len]);
    const b = y.reshape([y.shape[0] ?? 1, 1, DIGITS, len]);
    return tf.sum(tf.mul(a, b), 3);
  });
  const values = sums.dataSync();
  sums.dispose();
  for (let r = 0; r < rows; r++) {
    for (let m = 0; m < DIGITS; m++) {
      for (let n = 0; n < DIGITS; n++) {
        const i = r * PRODUCT_POSITIONS + m + n;
        acc[i] = (acc[i] as number) + (values[(r * DIGITS + m) * DIGITS + n] as number);
      }
    }
  }
}

/** Exact value of row r of positional accumulators: `sum_p acc[r, p] * 2^(10 p)`. */
export function positionsToBigInt(acc: Float64Array, r: number, positions: number = PRODUCT_POSITIONS): bigint {
  let s = 0n;
  for (let p = 0; p < positions; p++) s += BigInt(acc[r * positions + p] as number) << BigInt(DIGIT_BITS * p);
  return s;
}

/**
 * `rank[i, j]` = position of member i's value in the sorted column j (ties by lower index), from
 * order-preserving limbs `(hi, lo)` of shape [n, len]: `#{k : Q_k < Q_i} + #{k < i : Q_k = Q_i}`.
 * Counts are at most n, exact in int32.
 */
export function ranks(tf: Tf, hi: Tensor, lo: Tensor, n: number, len: number): Tensor {
  return tf.tidy(() => {
    const hk = hi.reshape([1, n, len]);
    const hiI = hi.reshape([n, 1, len]);
    const lk = lo.reshape([1, n, len]);
    const loI = lo.reshape([n, 1, len]);
    const sameHi = tf.equal(hk, hiI);
    const less = tf.logicalOr(tf.less(hk, hiI), tf.logicalAnd(sameHi, tf.less(lk, loI)));
    const before = tf.less(tf.range(0, n, 1, "int32").reshape([1, n, 1]), tf.range(0, n, 1, "int32").reshape([n, 1, 1]));
    const tie = tf.logicalAnd(tf.logicalAnd(sameHi, tf.equal(lk, loI)), before);
    const counted = tf.where(tf.logicalOr(less, tie), tf.scalar(1, "int32"), tf.scalar(0, "int32"));
    return tf.sum(counted, 1);
  });
}

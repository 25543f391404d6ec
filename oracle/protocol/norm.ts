import type { IntArray } from "./typed-views.ts";

/** Block length for exact float64 sums of squares: 2^20 terms of at most 2^32 stay below 2^53. */
const BLOCK = 2 ** 20;
const LIMB = 2 ** 16;

/**
 * `sum_j q[j]^2`, exact. I8/I16 squares are below 2^30, so float64 blocks of 2^20 are exact; I32
 * values split as `q = hi * 2^16 + lo` (`lo` in [0, 2^16)), whose three partial sums
 * (`hi^2 <= 2^30`, `|hi * lo| < 2^31`, `lo^2 < 2^32`) are exact over blocks of 2^20.
 */
export function sumOfSquares(q: IntArray): bigint {
  let total = 0n;
  const wide = q instanceof Int32Array;
  for (let start = 0; start < q.length; start += BLOCK) {
    const end = Math.min(q.length, start + BLOCK);
    if (!wide) {
      let s = 0;
      for (let j = start; j < end; j++) {
        const v = q[j] as number;
        s += v * v;
      }
      total += BigInt(s);
      continue;
    }
    let hh = 0;
    let hl = 0;
    let ll = 0;
    for (let j = start; j < end; j++) {
      const v = q[j] as number;
      const hi = Math.floor(v / LIMB);
      const lo = v - hi * LIMB;
      hh += hi * hi;
      hl += hi * lo;
      ll += lo * lo;
    }
    total += (BigInt(hh) << 32n) + (BigInt(hl) << 17n) + BigInt(ll);
  }
  return total;
}

/**
 * The exact norm check of §1.2: `sum_t 4^e[t] * sum_j q[t][j]^2 <= (clipMantissa * 2^clipExp)^2`.
 * Both sides are multiplied by `4^-m`, `m` the smallest exponent involved, so all terms are integers.
 */
export function withinClipNorm(tensors: readonly { q: IntArray; exp: number }[], clipMantissa: number, clipExp: number): boolean {
  const m = Math.min(clipExp, ...tensors.map((t) => t.exp));
  let lhs = 0n;
  for (const t of tensors) lhs += sumOfSquares(t.q) << BigInt(2 * (t.exp - m));
  const rhs = BigInt(clipMantissa) ** 2n << BigInt(2 * (clipExp - m));
  return lhs <= rhs;
}

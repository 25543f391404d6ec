import type { AlignedRound } from "../../protocol/alignment.ts";
import { RHE_SMALL_LIMIT, rheSmall } from "../../protocol/rounding.ts";
import { BLOCK, type TensorSlice } from "../blocks.ts";

/**
 * The fast weighted mean of one tensor slice, read straight from the members' integer arrays:
 * `out[at + j] = rhe(sum_i w_i * Q_i[j], sum_i w_i)`. Returns false (writing nothing) when its
 * bound does not hold; the caller then takes the BigInt path.
 *
 * Exactness: `w_i * Q_i[j] = (w_i * 2^shift_i) * q_i[j]`, and `|sum_i w_i Q_i[j]| <= (sum_i w_i) * M`
 * with `M` the largest `maxAbs` of the slice. When `(sum w_i) * (M + 1) <= 2^52`, every product, every
 * partial sum (in any order) and {@link rheSmall} are exact float64 integer operations.
 */
export function weightedMeanSlice(round: AlignedRound, members: readonly number[], weights: readonly number[], slice: TensorSlice, out: Float64Array, at: number): boolean {
  const t = slice.index;
  let total = 0;
  let m = 0;
  const arrays: ArrayLike<number>[] = [];
  const scaled: number[] = [];
  for (let i = 0; i < members.length; i++) {
    const update = round.updates[members[i] as number];
    const q = update?.q[t];
    if (update === undefined || q === undefined) return false;
    const w = weights[i] as number;
    total += w;
    m = Math.max(m, update.maxAbs[t] ?? Infinity);
    arrays.push(q);
    scaled.push(w * 2 ** (update.shift[t] ?? 0));
  }
  if (!(total * m + total <= RHE_SMALL_LIMIT) || total <= 0) return false;
  const acc = new Float64Array(BLOCK);
  for (let from = slice.from; from < slice.to; from += BLOCK) {
    const len = Math.min(slice.to, from + BLOCK) - from;
    acc.fill(0, 0, len);
    let i = 0;
    // Four members per pass halve the accumulator traffic; the sum order does not matter (exact).
    for (; i + 4 <= arrays.length; i += 4) {
      accumulate4(acc, arrays[i] as ArrayLike<number>, arrays[i + 1] as ArrayLike<number>, arrays[i + 2] as ArrayLike<number>, arrays[i + 3] as ArrayLike<number>, scaled[i] as number, scaled[i + 1] as number, scaled[i + 2] as number, scaled[i + 3] as number, from, len);
    }
    for (; i < arrays.length; i++) accumulate1(acc, arrays[i] as ArrayLike<number>, scaled[i] as number, from, len);
    divideRounded(acc, len, total, total * m + total < INT32_LIMIT, out, at + from - slice.from);
  }
  return true;
}

function accumulate4(acc: Float64Array, q0: ArrayLike<number>, q1: ArrayLike<number>, q2: ArrayLike<number>, q3: ArrayLike<number>, w0: number, w1: number, w2: number, w3: number, from: number, len: number): void {
  for (let j = 0; j < len; j++) {
    const x = from + j;
    acc[j] = (acc[j] as number) + (w0 * (q0[x] as number) + w1 * (q1[x] as number) + w2 * (q2[x] as number) + w3 * (q3[x] as number));
  }
}

function accumulate1(acc: Float64Array, q: ArrayLike<number>, w: number, from: number, len: number): void {
  for (let j = 0; j < len; j++) acc[j] = (acc[j] as number) + w * (q[from + j] as number);
}

function divideRounded(acc: Float64Array, len: number, total: number, small: boolean, out: Float64Array, at: number): void {
  if (small) for (let j = 0; j < len; j++) out[at + j] = roundedQuotientInt32(acc[j] as number, total);
  else for (let j = 0; j < len; j++) out[at + j] = rheSmall(acc[j] as number, total);
}

/** 2^31: below it, values fit the int32 operations of {@link roundedQuotientInt32}. */
export const INT32_LIMIT = 2 ** 31;

/**
 * `rhe(n, d)` for integers with `|n| + d < 2^31`, branch-free (the rounding direction is random
 * data, so branches would mispredict). `n / d` is within `|n / d| * 2^-53 < 1 / d` of the true
 * quotient, closer than any non-integer quotient gets to an integer, so the floor is exact and
 * `c = 2r - d` lies in `(-d, d)`: round up when `c > 0`, or when `c = 0` and q is odd.
 */
export function roundedQuotientInt32(n: number, d: number): number {
  const q = Math.floor(n / d);
  const c = (2 * (n - q * d) - d) | 0;
  return q + ((-c >>> 31) | ((((c | -c) >>> 31) ^ 1) & q & 1)) + 0;
}


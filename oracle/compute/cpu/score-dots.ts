import type { AlignedRound } from "../../protocol/alignment.ts";
import type { CoordinateRange, ScorePartial } from "../types.ts";
import type { IntArray } from "../../protocol/typed-views.ts";
import { slicesOf, tensorFactor } from "../blocks.ts";
import { exactProduct, exactTermCount } from "./exact-sum.ts";

function maxAbs(values: Float64Array, from: number, to: number): number {
  let m = 0;
  for (let j = from; j < to; j++) m = Math.max(m, Math.abs(values[j] as number));
  return m;
}

/** Longest run of one float64 accumulator between BigInt flushes (keeps flushes rare, bounds latency). */
const RUN = 2 ** 16;

/**
 * Score dot products over `range` (see {@link ScorePartial}). `aggregate` holds A for the range.
 *
 * Exactness: member values are read raw, `Q = q * 2^s`, and the shift is applied to each exact
 * run total in BigInt (`q.a * 2^s`, `q.q * 4^s`), so no aligned copy is made. A run of float64
 * products adds at most `floor(2^53 / bound)` terms, `bound` being the largest product (`|q| * |A|`,
 * `q^2` or `A^2` over the slice), so every partial sum is an exact integer; when one product
 * could exceed 2^53 each is formed in BigInt.
 */
export function scorePartial(round: AlignedRound, members: readonly number[], aggregate: Float64Array, range: CoordinateRange): ScorePartial {
  const n = members.length;
  const qa = new Array<bigint>(n).fill(0n);
  const qq = new Array<bigint>(n).fill(0n);
  let aa = 0n;
  for (const slice of slicesOf(round, range)) {
    const base = slice.tensor.offset + slice.from - range.start;
    const len = slice.to - slice.from;
    const am = maxAbs(aggregate, base, base + len);
    const factor = tensorFactor(round, slice.index);
    aa += runDot(aggregate, base, aggregate, base, len, am * am, RUN, dotAA) * factor;
    for (let mi = 0; mi < n; mi++) {
      const update = round.updates[members[mi] as number];
      const q = update?.q[slice.index];
      if (update === undefined || q === undefined) continue;
      const shift = update.shift[slice.index] ?? 0;
      // maxAbs bounds |Q| = |q| * 2^shift, an exact power-of-two scaling.
      const mq = (update.maxAbs[slice.index] ?? 0) / 2 ** shift;
      const dotQa = runDot(q, slice.from, aggregate, base, len, mq * am, RUN, dotQA);
      const dotQq = runDot(q, slice.from, q, slice.from, len, mq * mq, RUN, dotQQ);
      qa[mi] = (qa[mi] as bigint) + (dotQa << BigInt(shift)) * factor;
      qq[mi] = (qq[mi] as bigint) + (dotQq << BigInt(2 * shift)) * factor;
    }
  }
  return { qa: qa.map(String), qq: qq.map(String), aa: String(aa) };
}

/**
 * `sum_j x[xi + j] * y[yi + j]` over `len` terms of magnitude at most `bound`, exact. `dot` is
 * one of the three loops below, each seeing one combination of array kinds (so V8 keeps each
 * loop's element loads monomorphic or nearly).
 */
function runDot<X extends ArrayLike<number>, Y extends ArrayLike<number>>(x: X, xi: number, y: Y, yi: number, len: number, bound: number, run: number, dot: (x: X, xi: number, y: Y, yi: number, len: number) => number): bigint {
  const limit = Math.min(exactTermCount(bound), run);
  let total = 0n;
  if (limit === 0) {
    for (let j = 0; j < len; j++) total += exactProduct(x[xi + j] as number, y[yi + j] as number);
    return total;
  }
  for (let start = 0; start < len; start += limit) total += BigInt(dot(x, xi + start, y, yi + start, Math.min(limit, len - start)));
  return total;
}

function dotAA(x: Float64Array, xi: number, y: Float64Array, yi: number, len: number): number {
  let s = 0;
  for (let j = 0; j < len; j++) s += (x[xi + j] as number) * (y[yi + j] as number);
  return s;
}

function dotQA(x: IntArray, xi: number, y: Float64Array, yi: number, len: number): number {
  let s = 0;
  for (let j = 0; j < len; j++) s += (x[xi + j] as number) * (y[yi + j] as number);
  return s;
}

function dotQQ(x: IntArray, xi: number, _y: IntArray, _yi: number, len: number): number {
  let s = 0;
  for (let j = 0; j < len; j++) {
    const v = x[xi + j] as number;
    s += v * v;
  }
  return s;
}

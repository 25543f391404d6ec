import type { AlignedRound } from "../../protocol/alignment.ts";
import type { CoordinateRange, ScorePartial } from "../types.ts";
import type { IntArray } from "../../protocol/typed-views.ts";
import { slicesOf, tensorFactor } from "../blocks.ts";
import { exactProduct, exactTermCount } from "./exact-sum.ts";
import { STAGE_BYTES, stageInto, threadStage, vectorBytes, type Stage } from "../../protocol/int-kernels.ts";

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
 * could exceed 2^53 each is formed in BigInt. When `|A| <= 32,767` over a slice and every member's
 * array is int8 or int16, the products run in SIMD instead ({@link simdSlice}, bounds there).
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
    if (simdSlice(round, members, aggregate, base, len, am, slice.index, slice.from, factor, qa, qq)) {
      aa += simdAA(aggregate, base, len) * factor;
      continue;
    }
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

/** Largest |A| the SIMD path takes: A is staged as int16. */
const SIMD_A_MAX = 32_767;
/** Elements per staged chunk: the int16 A area holds this many. */
const CHUNK = STAGE_BYTES / 2;
const INT32_MAX = 2 ** 31 - 1;

/** Stages `aggregate[at, at + len)` (exact integers with |A| <= 32,767) as int16, zero-padded to whole vectors; returns its byte count. */
function stageAggregate(s: Stage, aggregate: Float64Array, at: number, len: number): number {
  const a = s.a16;
  for (let j = 0; j < len; j++) a[j] = aggregate[at + j] as number;
  const bytes = vectorBytes(2 * len);
  a.fill(0, len, bytes / 2);
  return bytes;
}

/** `sum A^2` over the slice in SIMD: each product is at most `32,767^2 <= 2^30 - 2^15`, as {@link dot16} requires. */
function simdAA(aggregate: Float64Array, at: number, len: number): bigint {
  const s = threadStage();
  let total = 0n;
  for (let from = 0; from < len; from += CHUNK) {
    const bytes = stageAggregate(s, aggregate, at + from, Math.min(CHUNK, len - from));
    s.kernels.dot16(s.aAt, s.aAt, bytes, s.outAt);
    total += (s.out64[0] as bigint) + (s.out64[1] as bigint);
  }
  return total;
}

/**
 * `q.A` and `q.q` of every member over one tensor slice in SIMD, added (shifted and scaled as in
 * {@link scorePartial}) to `qa` and `qq`; false (adding nothing) when the slice is outside its bounds.
 *
 * Bounds: A is staged as int16 (|A| <= 32,767). int8 members: a vector adds four products of at most
 * `128 * am` to each int32 lane, so calls cover at most `floor((2^31 - 1) / (4 * 128 * am))` vectors
 * (at least 128). int16 members: `|q| * |A| <= 32,768 * 32,767 = 2^30 - 2^15`, the bound of the
 * kernel's pairwise int32 sums, which then add in int64. Squares: see {@link tensorStats}.
 */
function simdSlice(round: AlignedRound, members: readonly number[], aggregate: Float64Array, at: number, len: number, am: number, t: number, from: number, factor: bigint, qa: bigint[], qq: bigint[]): boolean {
  if (am > SIMD_A_MAX) return false;
  const arrays: (Int8Array | Int16Array)[] = [];
  for (const u of members) {
    const q = round.updates[u]?.q[t];
    if (q === undefined || q instanceof Int32Array) return false;
    arrays.push(q);
  }
  const s = threadStage();
  const dotQa = new Array<bigint>(members.length).fill(0n);
  const dotQq = new Array<bigint>(members.length).fill(0n);
  const vectorsPerCall = Math.max(1, Math.floor(INT32_MAX / (4 * 128 * Math.max(1, am))));
  for (let c = 0; c < len; c += CHUNK) {
    const clen = Math.min(CHUNK, len - c);
    stageAggregate(s, aggregate, at + c, clen);
    for (let mi = 0; mi < arrays.length; mi++) {
      const q = arrays[mi] as Int8Array | Int16Array;
      if (q instanceof Int8Array) {
        const bytes = stageInto(s.x8, q, from + c, from + c + clen);
        // One pass for both: a chunk is at most 2,048 vectors, far within dotSq8's 2^14 for the squares.
        let sum = 0;
        let squares = 0;
        for (let v = 0; v < bytes; v += 16 * vectorsPerCall) {
          s.kernels.dotSq8(s.xAt + v, s.aAt + 2 * v, Math.min(16 * vectorsPerCall, bytes - v), s.outAt);
          sum += lanes32(s);
          squares += lanes32(s, 4);
        }
        dotQa[mi] = (dotQa[mi] as bigint) + BigInt(sum);
        dotQq[mi] = (dotQq[mi] as bigint) + BigInt(squares);
      } else {
        const bytes = stageInto(s.x16, q, from + c, from + c + clen);
        s.kernels.sq16(s.xAt, bytes, s.outAt);
        dotQq[mi] = (dotQq[mi] as bigint) + (s.out64[0] as bigint) + (s.out64[1] as bigint);
        s.kernels.dot16(s.xAt, s.aAt, bytes, s.outAt);
        dotQa[mi] = (dotQa[mi] as bigint) + (s.out64[0] as bigint) + (s.out64[1] as bigint);
      }
    }
  }
  members.forEach((u, mi) => {
    const shift = round.updates[u]?.shift[t] ?? 0;
    qa[mi] = (qa[mi] as bigint) + ((dotQa[mi] as bigint) << BigInt(shift)) * factor;
    qq[mi] = (qq[mi] as bigint) + ((dotQq[mi] as bigint) << BigInt(2 * shift)) * factor;
  });
  return true;
}

/** Four int32 output lanes from `at`, summed (each below 2^31, so the sum is exact). */
function lanes32(s: Stage, at = 0): number {
  return (s.out32[at] as number) + (s.out32[at + 1] as number) + (s.out32[at + 2] as number) + (s.out32[at + 3] as number);
}

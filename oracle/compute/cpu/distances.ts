import type { AlignedRound } from "../../protocol/alignment.ts";
import { pairCount } from "../../protocol/krum.ts";
import type { CoordinateRange, DistancePartial } from "../types.ts";
import { BLOCK, loadQ, maxAbsOver, slicesOf, tensorFactor, type TensorSlice } from "../blocks.ts";
import { distancesFitFloat64 } from "../pair-totals.ts";
import { exactProduct, exactTermCount } from "./exact-sum.ts";
import { tensorStats } from "../../protocol/int-kernels.ts";
import { bandPairs, compileGram, GRAM_ACCUMULATED_ELEMENTS, gramBandPairs, MAX_GRAM_ROWS, type GramKernel, type GramWidth } from "./gram-wasm.ts";

/**
 * Multi-krum distance partials over `range` (see {@link DistancePartial}).
 *
 * Exactness. When `distanceBound` (pair-totals.ts) is below 2^53 every total, every partial sum
 * of its non-negative squared differences and every Gram term is an integer below 2^53, so plain
 * float64 arithmetic is exact and the result is the `float64` form. Otherwise (the wide fallback):
 * a difference of two aligned values is an integer of magnitude at most `2M` (M = largest |Q| of
 * the tensor), so each squared term is at most `4M^2`; float64 accumulators add at most
 * `floor(2^53 / 4M^2)` terms before they are flushed into BigInt totals, and when a single term
 * could exceed 2^53 every term is squared in BigInt instead.
 */
export function distancePartial(round: AlignedRound, range: CoordinateRange): DistancePartial {
  if (distancesFitFloat64(round, range)) return { kind: "float64", totals: float64Distances(round, range) };
  return { kind: "bigint", totals: bigintDistances(round, range) };
}

/** Row stride for a slice: its length, at most BLOCK. */
function strideOf(slice: TensorSlice): number {
  return Math.min(BLOCK, slice.to - slice.from);
}

function float64Distances(round: AlignedRound, range: CoordinateRange): Float64Array {
  const n = round.updates.length;
  const totals = new Float64Array(pairCount(n));
  for (const slice of slicesOf(round, range)) {
    const factor = Number(tensorFactor(round, slice.index));
    if (gramSlice(round, slice, { kind: "float64", totals })) continue;
    const stride = strideOf(slice);
    const rows = new Float64Array(n * stride);
    for (let from = slice.from; from < slice.to; from += stride) {
      const to = Math.min(slice.to, from + stride);
      for (let i = 0; i < n; i++) loadQ(round, i, slice.index, from, to, rows, i * stride);
      squaredDiffs(rows, n, stride, 0, to - from, totals, factor);
    }
  }
  return totals;
}

function bigintDistances(round: AlignedRound, range: CoordinateRange): bigint[] {
  const n = round.updates.length;
  const pairs = pairCount(n);
  const total = new Array<bigint>(pairs).fill(0n);
  const all = round.updates.map((_, i) => i);
  const acc = new Float64Array(pairs);
  for (const slice of slicesOf(round, range)) {
    if (gramSlice(round, slice, { kind: "bigint", totals: total })) continue;
    const stride = strideOf(slice);
    const rows = new Float64Array(n * stride);
    const m = maxAbsOver(round, all, slice.index);
    const limit = exactTermCount(4 * m * m);
    const factor = tensorFactor(round, slice.index);
    const partial = new Array<bigint>(pairs).fill(0n);
    acc.fill(0);
    let pending = 0;
    for (let from = slice.from; from < slice.to; from += stride) {
      const to = Math.min(slice.to, from + stride);
      const len = to - from;
      for (let i = 0; i < n; i++) loadQ(round, i, slice.index, from, to, rows, i * stride);
      if (limit === 0) {
        squaredDiffsBigInt(rows, n, stride, len, partial);
        continue;
      }
      // A block longer than the limit is split so each accumulator run stays within it.
      for (let start = 0; start < len; start += Math.min(limit, stride)) {
        const end = Math.min(len, start + Math.min(limit, stride));
        if (pending + (end - start) > limit) {
          for (let p = 0; p < pairs; p++) partial[p] = (partial[p] as bigint) + BigInt(acc[p] as number);
          acc.fill(0);
          pending = 0;
        }
        squaredDiffs(rows, n, stride, start, end, acc, 1);
        pending += end - start;
      }
    }
    for (let p = 0; p < pairs; p++) total[p] = (total[p] as bigint) + ((partial[p] as bigint) + BigInt(acc[p] as number)) * factor;
  }
  return total;
}

/** Adds `factor * sum_{j in [start, end)} (row_i[j] - row_k[j])^2` to `acc[pair]` for every pair. */
function squaredDiffs(rows: Float64Array, n: number, stride: number, start: number, end: number, acc: Float64Array, factor: number): void {
  let p = 0;
  for (let i = 0; i < n; i++) {
    const a = i * stride;
    for (let k = i + 1; k < n; k++, p++) {
      const b = k * stride;
      let s = 0;
      for (let j = start; j < end; j++) {
        const d = (rows[a + j] as number) - (rows[b + j] as number);
        s += d * d;
      }
      acc[p] = (acc[p] as number) + s * factor;
    }
  }
}

function squaredDiffsBigInt(rows: Float64Array, n: number, stride: number, len: number, partial: bigint[]): void {
  let p = 0;
  for (let i = 0; i < n; i++) {
    for (let k = i + 1; k < n; k++, p++) {
      let s = 0n;
      for (let j = 0; j < len; j++) {
        const d = (rows[i * stride + j] as number) - (rows[k * stride + j] as number);
        s += exactProduct(d, d);
      }
      partial[p] = (partial[p] as bigint) + s;
    }
  }
}

/** Compiled kernels by `n/stride`; the most recent few are kept. */
const gramKernels = new Map<string, GramKernel>();
const KEPT_KERNELS = 4;

function gramKernel(n: number, stride: number, width: GramWidth): GramKernel {
  const key = `${n}/${stride}/${width}`;
  let kernel = gramKernels.get(key);
  if (kernel === undefined) {
    kernel = compileGram(n, stride, width);
    for (const old of gramKernels.keys()) if (gramKernels.size >= KEPT_KERNELS) gramKernels.delete(old);
    gramKernels.set(key, kernel);
  }
  return kernel;
}

/** Where a Gram slice adds its distances (the two exact forms). */
type Sink = { kind: "float64"; totals: Float64Array } | { kind: "bigint"; totals: bigint[] };

/**
 * Distances of one tensor slice from the SIMD Gram kernel, when every update's array is int8 (width 1),
 * or int8 and int16 with every |q| at most 32,767 (width 2, int64 lanes):
 * `D(i,k) = 4^s_i |q_i|^2 + 4^s_k |q_k|^2 - 2^(s_i + s_k + 1) q_i . q_k` with `Q = q * 2^s`,
 * per block, the kernel computing bands of rows so its lanes stay within a few MB at any `n`.
 * Returns false (adding nothing) otherwise.
 *
 * The dot terms are added per block, the norm terms once per slice at its end.
 *
 * Exactness: every raw dot product the lanes accumulate (over at most
 * {@link GRAM_ACCUMULATED_ELEMENTS} elements) is an integer below `2^18 * 2^14 = 2^32` at width 1,
 * `2^18 * 2^30 = 2^48` at width 2 (the kernel's lanes are exact, see {@link GramKernel}). In the `float64` sink every partial total
 * is an integer of magnitude at most the earlier slices' totals plus `2 |Q_i . Q_k|` over the slice's
 * processed part, and `2 |Q_i . Q_k| <= |Q_i|^2 + |Q_k|^2 <= 2 len M^2` (Cauchy-Schwarz), inside the
 * slice's share `4 len M^2 4^(E-G)` of `distanceBound` < 2^53 (see pair-totals.ts); the final totals
 * are the distances. In the `bigint` sink the combination is in BigInt.
 */
function gramSlice(round: AlignedRound, slice: TensorSlice, sink: Sink): boolean {
  const t = slice.index;
  const n = round.updates.length;
  const arrays: (Int8Array | Int16Array)[] = [];
  let width: GramWidth = 1;
  for (const update of round.updates) {
    const q = update.q[t];
    if (!(q instanceof Int8Array || q instanceof Int16Array)) return false;
    // int16 rows need |q| <= 32,767 (maxAbs is |q| * 2^shift, an exact power-of-two scaling).
    if (q instanceof Int16Array && !((update.maxAbs[t] ?? Infinity) / 2 ** (update.shift[t] ?? 0) <= 32_767)) return false;
    if (q instanceof Int16Array) width = 2;
    arrays.push(q);
  }
  if (n < 2 || n > MAX_GRAM_ROWS) return false;
  const stride = Math.ceil(strideOf(slice) / 8) * 8;
  const kernel = gramKernel(n, stride, width);
  const factor = tensorFactor(round, t);
  const shift = round.updates.map((u) => u.shift[t] ?? 0);
  const capacity = gramBandPairs(n);
  const dot = width === 1 ? dotOf32(kernel.lanes) : dotOf64(kernel.lanes64);
  const addDots = (i0: number, i1: number, pair: number): number =>
    sink.kind === "float64" ? addDotsFloat64(dot, n, i0, i1, shift, Number(factor), sink.totals, pair) : addDotsBigInt(dot, n, i0, i1, shift, factor, sink.totals, pair);
  // When one band holds every pair, the lanes add up the blocks of up to GRAM_ACCUMULATED_ELEMENTS
  // elements and the dot terms are added once per such run of blocks; otherwise once per band and block.
  const oneBand = bandPairs(n, 0, n - 1) <= capacity;
  let pending = 0;
  const lanes = kernel.lanes.subarray(0, oneBand ? bandPairs(n, 0, n - 1) * 4 : 0);
  lanes.fill(0);
  for (let from = slice.from; from < slice.to; from += stride) {
    const to = Math.min(slice.to, from + stride);
    const len = to - from;
    // Widened to int16 in SIMD, the tail past the block's end zeroed (the kernel reads whole vectors).
    for (let i = 0; i < n; i++) kernel.stageRow(i, arrays[i] as Int8Array | Int16Array, from, to);
    if (oneBand) {
      if (pending + len > GRAM_ACCUMULATED_ELEMENTS) {
        addDots(0, n - 1, 0);
        lanes.fill(0);
        pending = 0;
      }
      kernel.run(len, 0, n - 1);
      pending += len;
      continue;
    }
    let i0 = 0;
    let pair = 0;
    while (i0 < n - 1) {
      let i1 = i0 + 1;
      while (i1 < n - 1 && bandPairs(n, i0, i1 + 1) <= capacity) i1++;
      kernel.lanes.fill(0, 0, bandPairs(n, i0, i1) * 4);
      kernel.run(len, i0, i1);
      pair = addDots(i0, i1, pair);
      i0 = i1;
    }
  }
  if (oneBand && pending > 0) addDots(0, n - 1, 0);
  // The norm terms, once per slice (squares of the whole slice in SIMD, each below len * 2^14).
  const norms = arrays.map((q) => Number(tensorStats(q.subarray(slice.from, slice.to)).sumSquares));
  if (sink.kind === "float64") addNormsFloat64(norms, shift, Number(factor), sink.totals);
  else addNormsBigInt(norms, shift, factor, sink.totals);
  return true;
}

/** The dot product of the band's `p`-th pair from its lanes (an exact integer below 2^53, see {@link GramKernel}). */
type PairDot = (p: number) => number;

function dotOf32(lanes: Int32Array): PairDot {
  return (p) => (lanes[4 * p] as number) + (lanes[4 * p + 1] as number) + (lanes[4 * p + 2] as number) + (lanes[4 * p + 3] as number);
}

function dotOf64(lanes: BigInt64Array): PairDot {
  return (p) => Number(lanes[2 * p] as bigint) + Number(lanes[2 * p + 1] as bigint);
}

/** Adds `-2^(s_i + s_k + 1) q_i . q_k * factor` of one band to every pair's total. */
function addDotsFloat64(dot: PairDot, n: number, i0: number, i1: number, shift: readonly number[], factor: number, totals: Float64Array, first: number): number {
  let pair = first;
  let l = 0;
  for (let i = i0; i < i1; i++) {
    const si = shift[i] as number;
    for (let k = i + 1; k < n; k++, pair++, l++) {
      const ik = dot(l);
      totals[pair] = (totals[pair] as number) - ik * 2 ** (si + (shift[k] as number) + 1) * factor;
    }
  }
  return pair;
}

function addDotsBigInt(dot: PairDot, n: number, i0: number, i1: number, shift: readonly number[], factor: bigint, totals: bigint[], first: number): number {
  let pair = first;
  let l = 0;
  for (let i = i0; i < i1; i++) {
    const si = BigInt(shift[i] as number);
    for (let k = i + 1; k < n; k++, pair++, l++) {
      const ik = BigInt(dot(l)) << (si + BigInt(shift[k] as number) + 1n);
      totals[pair] = (totals[pair] as bigint) - ik * factor;
    }
  }
  return pair;
}

/** Adds `(4^s_i |q_i|^2 + 4^s_k |q_k|^2) * factor` of the slice to every pair's total. */
function addNormsFloat64(norms: readonly number[], shift: readonly number[], factor: number, totals: Float64Array): void {
  const n = norms.length;
  const scaled = norms.map((v, i) => v * 4 ** (shift[i] as number) * factor);
  let pair = 0;
  for (let i = 0; i < n; i++) for (let k = i + 1; k < n; k++, pair++) totals[pair] = (totals[pair] as number) + (scaled[i] as number) + (scaled[k] as number);
}

function addNormsBigInt(norms: readonly number[], shift: readonly number[], factor: bigint, totals: bigint[]): void {
  const n = norms.length;
  const scaled = norms.map((v, i) => (BigInt(v) << (2n * BigInt(shift[i] as number))) * factor);
  let pair = 0;
  for (let i = 0; i < n; i++) for (let k = i + 1; k < n; k++, pair++) totals[pair] = (totals[pair] as bigint) + (scaled[i] as bigint) + (scaled[k] as bigint);
}


import type { AlignedRound } from "../../protocol/alignment.ts";
import { pairCount } from "../../protocol/krum.ts";
import type { CoordinateRange, DistancePartial } from "../types.ts";
import { BLOCK, loadQ, maxAbsOver, slicesOf, tensorFactor } from "../blocks.ts";
import { exactProduct, exactTermCount } from "./exact-sum.ts";
import { compileGram, type GramKernel } from "./gram-wasm.ts";

/**
 * Multi-krum distance partials over `range` (see {@link DistancePartial}).
 *
 * Exactness: a difference of two aligned values is an integer of magnitude at most `2M`
 * (M = largest |Q| of the tensor), so each squared term is at most `4M^2`. Float64 accumulators
 * add at most `floor(2^53 / 4M^2)` terms before they are flushed into BigInt totals; when a single
 * term could exceed 2^53 every term is squared in BigInt instead.
 */
export function distancePartial(round: AlignedRound, range: CoordinateRange): DistancePartial {
  const n = round.updates.length;
  const pairs = pairCount(n);
  const total = new Array<bigint>(pairs).fill(0n);
  const all = round.updates.map((_, i) => i);
  const rows = new Float64Array(n * BLOCK);
  const acc = new Float64Array(pairs);
  for (const slice of slicesOf(round, range)) {
    if (gramSlice(round, slice, total)) continue;
    const m = maxAbsOver(round, all, slice.index);
    const limit = exactTermCount(4 * m * m);
    const factor = tensorFactor(round, slice.index);
    const partial = new Array<bigint>(pairs).fill(0n);
    acc.fill(0);
    let pending = 0;
    for (let from = slice.from; from < slice.to; from += BLOCK) {
      const to = Math.min(slice.to, from + BLOCK);
      const len = to - from;
      for (let i = 0; i < n; i++) loadQ(round, i, slice.index, from, to, rows, i * BLOCK);
      if (limit === 0) {
        squaredDiffsBigInt(rows, n, len, partial);
        continue;
      }
      // A block longer than the limit is split so each accumulator run stays within it.
      for (let start = 0; start < len; start += Math.min(limit, BLOCK)) {
        const end = Math.min(len, start + Math.min(limit, BLOCK));
        if (pending + (end - start) > limit) {
          for (let p = 0; p < pairs; p++) partial[p] = (partial[p] as bigint) + BigInt(acc[p] as number);
          acc.fill(0);
          pending = 0;
        }
        squaredDiffs(rows, n, start, end, acc);
        pending += end - start;
      }
    }
    for (let p = 0; p < pairs; p++) total[p] = (total[p] as bigint) + ((partial[p] as bigint) + BigInt(acc[p] as number)) * factor;
  }
  return total.map(String);
}

function squaredDiffs(rows: Float64Array, n: number, start: number, end: number, acc: Float64Array): void {
  let p = 0;
  for (let i = 0; i < n; i++) {
    const a = i * BLOCK;
    for (let k = i + 1; k < n; k++, p++) {
      const b = k * BLOCK;
      let s = 0;
      for (let j = start; j < end; j++) {
        const d = (rows[a + j] as number) - (rows[b + j] as number);
        s += d * d;
      }
      acc[p] = (acc[p] as number) + s;
    }
  }
}

function squaredDiffsBigInt(rows: Float64Array, n: number, len: number, partial: bigint[]): void {
  let p = 0;
  for (let i = 0; i < n; i++) {
    for (let k = i + 1; k < n; k++, p++) {
      let s = 0n;
      for (let j = 0; j < len; j++) {
        const d = (rows[i * BLOCK + j] as number) - (rows[k * BLOCK + j] as number);
        s += exactProduct(d, d);
      }
      partial[p] = (partial[p] as bigint) + s;
    }
  }
}

const gramKernels = new Map<number, GramKernel>();

/**
 * Distances of one tensor slice from the SIMD Gram kernel, when every update's array is int8:
 * `D(i,k) = 4^s_i |q_i|^2 + 4^s_k |q_k|^2 - 2^(s_i + s_k + 1) q_i . q_k` with `Q = q * 2^s`.
 * Returns false (adding nothing) otherwise.
 *
 * Exactness: every raw dot product is an integer; per block the kernel's int32 lanes are exact
 * (see {@link GramKernel}), and a float64 sum of the lanes over the slice stays below
 * `size * 2^14 <= 2^53` for any slice under 2^39 elements; the combination is in BigInt.
 */
function gramSlice(round: AlignedRound, slice: ReturnType<typeof slicesOf>[number], total: bigint[]): boolean {
  const t = slice.index;
  const n = round.updates.length;
  const arrays: Int8Array[] = [];
  for (const update of round.updates) {
    const q = update.q[t];
    if (!(q instanceof Int8Array)) return false;
    arrays.push(q);
  }
  if (n < 2 || slice.to - slice.from > 2 ** 39) return false;
  let kernel = gramKernels.get(n);
  if (kernel === undefined) {
    kernel = compileGram(n);
    gramKernels.set(n, kernel);
  }
  const gram = new Float64Array((n * (n + 1)) / 2);
  for (let from = slice.from; from < slice.to; from += BLOCK) {
    const to = Math.min(slice.to, from + BLOCK);
    const padded = Math.ceil((to - from) / 8) * 8;
    for (let i = 0; i < n; i++) {
      kernel.rows.set((arrays[i] as Int8Array).subarray(from, to), i * BLOCK);
      // The kernel reads whole vectors: zero the tail past the block's end.
      kernel.rows.fill(0, i * BLOCK + to - from, i * BLOCK + padded);
    }
    kernel.run(to - from);
    const lanes = kernel.lanes;
    for (let p = 0; p < gram.length; p++) gram[p] = (gram[p] as number) + ((lanes[4 * p] as number) + (lanes[4 * p + 1] as number) + (lanes[4 * p + 2] as number) + (lanes[4 * p + 3] as number));
  }
  const factor = tensorFactor(round, t);
  const shift = round.updates.map((u) => BigInt(u.shift[t] ?? 0));
  const diagonal = (i: number): number => i * n - (i * (i - 1)) / 2;
  let pair = 0;
  for (let i = 0; i < n; i++) {
    const ii = BigInt(gram[diagonal(i)] as number) << (2n * (shift[i] as bigint));
    for (let k = i + 1; k < n; k++, pair++) {
      const kk = BigInt(gram[diagonal(k)] as number) << (2n * (shift[k] as bigint));
      const ik = BigInt(gram[diagonal(i) + k - i] as number) << ((shift[i] as bigint) + (shift[k] as bigint) + 1n);
      total[pair] = (total[pair] as bigint) + (ii + kk - ik) * factor;
    }
  }
  return true;
}

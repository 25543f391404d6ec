import type { AlignedRound } from "../../protocol/alignment.ts";
import { RHE_SMALL_LIMIT } from "../../protocol/rounding.ts";
import type { AggregatePlan } from "../types.ts";
import { BLOCK, type TensorSlice } from "../blocks.ts";
import { compileRankSum, compileSaturatingRankSum, compileWideningRankSum, MAX_RANK_SUM_ROWS, MAX_SATURATING_SHIFT, rankSumFits, type RankSumKernel } from "./rank-sum-wasm.ts";
import { batcherNetwork, groupedNetwork, pruneForRankSum, pruneForSummedRows, pruneRankedForRankSum, splitNarrow, trimmedNetwork } from "./sorting-network.ts";

type OrderPlan = Exclude<AggregatePlan, { kind: "weighted-mean" }>;

/** Ranks `[lo, hi)` whose sum, divided by `hi - lo` with rhe, is the rule's value (§3). */
export function keptRanks(plan: OrderPlan): { lo: number; hi: number } {
  const n = plan.members.length;
  if (plan.kind === "median") return { lo: (n - 1) >>> 1, hi: (n >>> 1) + 1 };
  return { lo: plan.trim, hi: n - plan.trim };
}

/**
 * Compiled kernels by shape, the {@link KEPT_KERNELS} most recently compiled kept: a long-lived operator sees
 * rounds of many member counts, and each kernel holds its own memory (`n` rows of a block).
 */
const kernels = new Map<string, RankSumKernel>();
const KEPT_KERNELS = 8;

function cached(key: string, compile: () => RankSumKernel): RankSumKernel {
  let kernel = kernels.get(key);
  if (kernel === undefined) {
    kernel = compile();
    for (const oldest of kernels.keys()) if (kernels.size >= KEPT_KERNELS) kernels.delete(oldest);
    kernels.set(key, kernel);
  }
  return kernel;
}

function kernelFor(width: 1 | 2, n: number, lo: number, hi: number): RankSumKernel {
  return cached(`${width}/${n}/${lo}/${hi}`, () => compileRankSum(width, n, pruneForRankSum(batcherNetwork(n), n, lo, hi), lo, hi));
}

/**
 * Fewest elements of a slice for which a widening kernel is compiled when none for its shifts is
 * cached: each pattern of shifts needs its own kernel (3 ms to compile at 32 rows, 5-40 ms at 100-256),
 * which saves a third or more of the int16 kernel's time (0.1-0.4 ms per block of 100 rows), so
 * small tensors of many patterns take the int16 kernel shared by every pattern.
 */
export const WIDENING_MIN_ELEMENTS = 2 ** 18;

/** Keys of specialized kernels that would cost more than the plain ones (remembered so their networks are not built again). */
const costlier = new Set<string>();

/** Remembers that `key`'s specialized kernel costs more (a few hundred keys at most). */
function rememberCostlier(key: string): void {
  if (costlier.size >= 256) costlier.clear();
  costlier.add(key);
}

/**
 * The widening kernel for int8 rows ordered by shift (`shifts` ascending, one per row): rows of one
 * shift form a group, sorted on int8 lanes; the merges of the groups run on int16 lanes. Returns
 * undefined when that costs more than the plain int16 kernel (each int16 comparator counts twice:
 * half the lanes), as with many small groups.
 */
function wideningKernelFor(shifts: readonly number[], lo: number, hi: number, compile: boolean): RankSumKernel | undefined {
  const n = shifts.length;
  const key = `w/${lo}/${hi}/${shifts.join(",")}`;
  const known = kernels.get(key);
  if (known !== undefined || !compile || costlier.has(key)) return known;
  const groups: number[][] = [];
  shifts.forEach((d, i) => (i > 0 && d === shifts[i - 1] ? (groups.at(-1) as number[]).push(i) : groups.push([i])));
  // Two networks: the grouped sort (any ranks), and for a trimmed mean whose groups are long enough
  // the merges of only the groups' heads and tails; the cheaper one is compiled.
  const network = groupedNetwork(groups);
  let summed = network.rankRow.slice(lo, hi);
  let split = splitNarrow(pruneRankedForRankSum(network, n, lo, hi), shifts);
  const cost = (c: { narrow: number[]; wide: number[] }): number => c.narrow.length + 2 * c.wide.length;
  const trimmed = lo > 0 && hi === n - lo ? trimmedNetwork(groups, lo) : undefined;
  if (trimmed !== undefined) {
    const other = splitNarrow(pruneForSummedRows(trimmed.comparators, n, trimmed.summed), shifts);
    if (cost(other) < cost(split)) [split, summed] = [other, trimmed.summed];
  }
  const plain = pruneForRankSum(batcherNetwork(n), n, lo, hi).length;
  // A tie (as for the mean: no comparators at all) goes to the widening kernel: its rows are staged by a plain copy, at half the bytes.
  if (cost(split) > 2 * plain) {
    // Remembered, so the networks are not built again for every slice of this pattern.
    rememberCostlier(key);
    return undefined;
  }
  return cached(key, () => compileWideningRankSum(n, shifts, split.narrow, split.wide, summed));
}

/**
 * The trimmed mean of int8 rows of one shift through the heads-and-tails network ({@link trimmedNetwork})
 * over `k` consecutive groups of rows, the `k` whose pruned network has the fewest comparators, compiled
 * as a widening kernel whose shifts are all 0 (every comparator then runs on int8 lanes, and the
 * groups' middle rows are summed before the merges). One kernel serves every tensor of `n` rows, as
 * the plain kernel does. Undefined when no grouping beats sorting every row.
 */
function groupedTrimmedKernelFor(n: number, t: number): RankSumKernel | undefined {
  const key = `g/${n}/${t}`;
  const known = kernels.get(key);
  if (known !== undefined || costlier.has(key)) return known;
  let best: { comparators: number[]; summed: number[] } | undefined;
  for (let k = 2; 2 * t * k <= n; k++) {
    const groups: number[][] = [];
    for (let g = 0, next = 0; g < k; g++) {
      const size = Math.floor(n / k) + (g < n % k ? 1 : 0);
      groups.push(Array.from({ length: size }, () => next++));
    }
    const trimmed = trimmedNetwork(groups, t);
    if (trimmed === undefined) continue;
    const comparators = pruneForSummedRows(trimmed.comparators, n, trimmed.summed);
    if (best === undefined || comparators.length < best.comparators.length) best = { comparators, summed: trimmed.summed };
  }
  const chosen = best;
  if (chosen === undefined || chosen.comparators.length >= pruneForRankSum(batcherNetwork(n), n, t, n - t).length) {
    rememberCostlier(key);
    return undefined;
  }
  return cached(key, () => compileWideningRankSum(n, new Array<number>(n).fill(0), chosen.comparators, [], chosen.summed));
}

/**
 * The saturating kernel for int8 rows of the given shifts (one per row, in the members' order), or
 * undefined when none is cached and `compile` is false (a small slice: see {@link WIDENING_MIN_ELEMENTS}).
 */
function saturatingKernelFor(shifts: readonly number[], lo: number, hi: number, compile: boolean): RankSumKernel | undefined {
  const n = shifts.length;
  const key = `s/${lo}/${hi}/${shifts.join(",")}`;
  const known = kernels.get(key);
  if (known !== undefined || !compile) return known;
  return cached(key, () => compileSaturatingRankSum(n, shifts, pruneForRankSum(batcherNetwork(n), n, lo, hi), lo, hi));
}

/**
 * Median or trimmed mean of one tensor slice with the SIMD rank-sum kernel, when every member's
 * array is int8 or int16 and its aligned values, relative to the members' smallest shift, fit the
 * kernel's lanes. Returns false (writing nothing) otherwise; the caller then takes the general path.
 *
 * Exactness: with `s0` the smallest shift, `Q_i = (q_i * 2^(s_i - s0)) * 2^s0`, so sorting Q is
 * sorting `r_i = q_i * 2^(s_i - s0)`, and the kept sum of Q is `2^s0` times the kept sum of r. Every
 * `|r_i| <= maxAbs_i / 2^s0`; when that is at most 127 (all int8, equal shifts) the rows are int8,
 * when at most 32,767 they are int16 (shifting by `s_i - s0` within that proven bound), and the
 * kernel's sums are exact ({@link rankSumFits}). A trimmed mean of int8 arrays of one shift takes the
 * heads-and-tails network over groups of rows where it is cheaper (int32 sums). A median of int8 arrays of different shifts first
 * takes the saturating kernel (int8 lanes, `clamp(r_i)`: exact wherever no kept value reaches -128 or
 * 127, which the kernel reports per block; see {@link compileSaturatingRankSum}). The quotient is exact while
 * `count * M + count <= 2^52` (M the largest |Q|), as for {@link rheSmall}.
 */
export function orderStatisticSlice(round: AlignedRound, plan: OrderPlan, slice: TensorSlice, out: Float64Array, at: number, minWideningElements = WIDENING_MIN_ELEMENTS): boolean {
  const t = slice.index;
  const n = plan.members.length;
  const { lo, hi } = keptRanks(plan);
  const count = hi - lo;
  if (count < 1 || n > MAX_RANK_SUM_ROWS) return false;
  const arrays: (Int8Array | Int16Array)[] = [];
  const shifts: number[] = [];
  let s0 = Infinity;
  let m = 0;
  let allInt8 = true;
  for (const u of plan.members) {
    const update = round.updates[u];
    const q = update?.q[t];
    if (update === undefined || q === undefined || q instanceof Int32Array) return false;
    const shift = update.shift[t] ?? 0;
    s0 = Math.min(s0, shift);
    shifts.push(shift);
    m = Math.max(m, update.maxAbs[t] ?? Infinity);
    allInt8 &&= q instanceof Int8Array;
    arrays.push(q);
  }
  if (!(count * m + count <= RHE_SMALL_LIMIT)) return false;
  // Largest |r_i|: maxAbs is |Q| = |r| * 2^s0, an exact power-of-two scaling.
  const rMax = m / 2 ** s0;
  const equalShifts = shifts.every((s) => s === s0);
  const width: 1 | 2 = allInt8 && equalShifts && rankSumFits(1, count) ? 1 : 2;
  if (rMax > 32_767 || !rankSumFits(width, count)) return false;
  const scale = 2 ** s0;
  const large = slice.to - slice.from >= minWideningElements;
  // The median of int8 arrays of different shifts: first the saturating kernel, on int8 lanes in the
  // members' own order; a block where a kept value saturated, and the rest of the slice, take the exact kernels below.
  let saturating = plan.kind === "median" && allInt8 && !equalShifts && rankSumFits(1, count) ? saturatingKernelFor(shifts.map((d) => Math.min(d - s0, MAX_SATURATING_SHIFT)), lo, hi, large) : undefined;
  let exact: { kernel: RankSumKernel; order: number[]; widening: boolean } | undefined;
  const exactKernel = (): { kernel: RankSumKernel; order: number[]; widening: boolean } => {
    // int8 arrays of different shifts: rows ordered by shift, so that each shift's rows sort on int8
    // lanes before the merges widen them (a widened row then holds `q * 2^(s - s0)`, within the bound above).
    const order = Array.from({ length: n }, (_, i) => i);
    let kernel: RankSumKernel | undefined;
    if (allInt8 && equalShifts && plan.kind === "trimmed-mean" && lo > 0) kernel = groupedTrimmedKernelFor(n, lo);
    if (allInt8 && !equalShifts) {
      order.sort((a, b) => (shifts[a] as number) - (shifts[b] as number) || a - b);
      // A shift of 15 or more only reaches all-zero rows (|q| >= 1 would pass 32,767), which any shift keeps at zero.
      kernel = wideningKernelFor(order.map((i) => Math.min((shifts[i] as number) - s0, 15)), lo, hi, large);
    }
    return { kernel: kernel ?? kernelFor(width, n, lo, hi), order, widening: kernel !== undefined };
  };
  for (let from = slice.from; from < slice.to; from += BLOCK) {
    const to = Math.min(slice.to, from + BLOCK);
    const base = at + from - slice.from;
    if (saturating !== undefined) {
      for (let r = 0; r < n; r++) saturating.stageRow(r, arrays[r] as Int8Array, from, to, 0);
      if (saturating.run(to - from)) {
        saturating.writeQuotients(to - from, scale, count, out, base);
        continue;
      }
      saturating = undefined;
    }
    exact ??= exactKernel();
    const { kernel, order, widening } = exact;
    for (let r = 0; r < n; r++) {
      const i = order[r] as number;
      kernel.stageRow(r, arrays[i] as Int8Array | Int16Array, from, to, widening ? 0 : (shifts[i] as number) - s0);
    }
    kernel.run(to - from);
    kernel.writeQuotients(to - from, scale, count, out, base);
  }
  return true;
}


import type { AlignedRound } from "../../protocol/alignment.ts";
import { RHE_SMALL_LIMIT } from "../../protocol/rounding.ts";
import type { AggregatePlan } from "../types.ts";
import { BLOCK, type TensorSlice } from "../blocks.ts";
import { compileRankSum, MAX_RANK_SUM_ROWS, rankSumFits, type RankSumKernel } from "./rank-sum-wasm.ts";
import { batcherNetwork, pruneForRankSum } from "./sorting-network.ts";

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

function kernelFor(width: 1 | 2, n: number, lo: number, hi: number): RankSumKernel {
  const key = `${width}/${n}/${lo}/${hi}`;
  let kernel = kernels.get(key);
  if (kernel === undefined) {
    kernel = compileRankSum(width, n, pruneForRankSum(batcherNetwork(n), n, lo, hi), lo, hi);
    for (const oldest of kernels.keys()) if (kernels.size >= KEPT_KERNELS) kernels.delete(oldest);
    kernels.set(key, kernel);
  }
  return kernel;
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
 * kernel's sums are exact ({@link rankSumFits}). The quotient is exact while
 * `count * M + count <= 2^52` (M the largest |Q|), as for {@link rheSmall}.
 */
export function orderStatisticSlice(round: AlignedRound, plan: OrderPlan, slice: TensorSlice, out: Float64Array, at: number): boolean {
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
  const kernel = kernelFor(width, n, lo, hi);
  for (let from = slice.from; from < slice.to; from += BLOCK) {
    const to = Math.min(slice.to, from + BLOCK);
    for (let i = 0; i < n; i++) kernel.stageRow(i, arrays[i] as Int8Array | Int16Array, from, to, (shifts[i] as number) - s0);
    kernel.run(to - from);
    const base = at + from - slice.from;
    kernel.writeQuotients(to - from, scale, count, out, base);
  }
  return true;
}


import type { AlignedRound } from "../../protocol/alignment.ts";
import { RHE_SMALL_LIMIT } from "../../protocol/rounding.ts";
import type { AggregatePlan } from "../types.ts";
import { BLOCK, type TensorSlice } from "../blocks.ts";
import { compileRankSum, rankSumFits, type RankSumKernel } from "./rank-sum-wasm.ts";
import { batcherNetwork, pruneForRankSum } from "./sorting-network.ts";
import { rheSmall } from "../../protocol/rounding.ts";
import { INT32_LIMIT, roundedQuotientInt32 } from "./weighted-mean.ts";

type OrderPlan = Exclude<AggregatePlan, { kind: "weighted-mean" }>;

/** Ranks `[lo, hi)` whose sum, divided by `hi - lo` with rhe, is the rule's value (§3). */
export function keptRanks(plan: OrderPlan): { lo: number; hi: number } {
  const n = plan.members.length;
  if (plan.kind === "median") return { lo: (n - 1) >>> 1, hi: (n >>> 1) + 1 };
  return { lo: plan.trim, hi: n - plan.trim };
}

const kernels = new Map<string, RankSumKernel>();

function kernelFor(width: 1 | 2, n: number, lo: number, hi: number): RankSumKernel {
  const key = `${width}/${n}/${lo}/${hi}`;
  let kernel = kernels.get(key);
  if (kernel === undefined) {
    kernel = compileRankSum(width, n, pruneForRankSum(batcherNetwork(n), n, lo, hi), lo, hi);
    kernels.set(key, kernel);
  }
  return kernel;
}

/**
 * Median or trimmed mean of one tensor slice with the SIMD rank-sum kernel, when every member's
 * array is int8 (or every one int16) with the same shift. Returns false (writing nothing)
 * otherwise; the caller then takes the general path.
 *
 * Exactness: with a common shift s, sorting Q is sorting q, and the kept sum of Q is `2^s` times
 * the kept sum of q, computed exactly by the kernel ({@link rankSumFits}). The quotient is exact
 * while `count * M + count <= 2^52` (M the largest |Q|), as for {@link rheSmall}.
 */
export function orderStatisticSlice(round: AlignedRound, plan: OrderPlan, slice: TensorSlice, out: Float64Array, at: number): boolean {
  const t = slice.index;
  const n = plan.members.length;
  const { lo, hi } = keptRanks(plan);
  const count = hi - lo;
  const arrays: (Int8Array | Int16Array)[] = [];
  let shift: number | undefined;
  let m = 0;
  for (const u of plan.members) {
    const update = round.updates[u];
    const q = update?.q[t];
    if (update === undefined || q === undefined || q instanceof Int32Array) return false;
    if (shift !== undefined && update.shift[t] !== shift) return false;
    shift = update.shift[t] ?? 0;
    m = Math.max(m, update.maxAbs[t] ?? Infinity);
    arrays.push(q);
  }
  const width = arrays[0] instanceof Int16Array ? 2 : 1;
  if (count < 1 || !arrays.every((q) => q.BYTES_PER_ELEMENT === width) || !rankSumFits(width, count)) return false;
  if (!(count * m + count <= RHE_SMALL_LIMIT)) return false;
  const scale = 2 ** (shift ?? 0);
  const small = count * m + count < INT32_LIMIT;
  const kernel = kernelFor(width, n, lo, hi);
  for (let from = slice.from; from < slice.to; from += BLOCK) {
    const to = Math.min(slice.to, from + BLOCK);
    for (let i = 0; i < n; i++) copyRow(kernel.rows, (arrays[i] as Int8Array | Int16Array).subarray(from, to), i * BLOCK);
    kernel.run(to - from);
    const base = at + from - slice.from;
    writeQuotients(kernel.sums, to - from, scale, count, small, out, base);
  }
  return true;
}

function copyRow(rows: Int8Array | Int16Array, source: Int8Array | Int16Array, at: number): void {
  if (rows instanceof Int8Array && source instanceof Int8Array) rows.set(source, at);
  else if (rows instanceof Int16Array && source instanceof Int16Array) rows.set(source, at);
}

function writeQuotients(sums: Int16Array | Int32Array, len: number, scale: number, count: number, small: boolean, out: Float64Array, at: number): void {
  if (count === 1 && scale === 1) {
    for (let j = 0; j < len; j++) out[at + j] = sums[j] as number;
  } else if (small) {
    for (let j = 0; j < len; j++) out[at + j] = roundedQuotientInt32(scale * (sums[j] as number), count);
  } else {
    for (let j = 0; j < len; j++) out[at + j] = rheSmall(scale * (sums[j] as number), count);
  }
}

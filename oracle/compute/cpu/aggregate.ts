import type { AlignedRound } from "../../protocol/alignment.ts";
import { rhe, rheNumber, rheSmall, RHE_SMALL_LIMIT } from "../../protocol/rounding.ts";
import type { AggregatePlan, CoordinateRange } from "../types.ts";
import { BLOCK, loadQ, maxAbsOver, slicesOf } from "../blocks.ts";
import { selectKth } from "../../protocol/select.ts";
import { orderStatisticSlice } from "./order-statistic.ts";
import { weightedMeanSlice } from "./weighted-mean.ts";

/**
 * The aggregate A of §3 over `range`, exact, written to `out[0 .. range length)`. Each tensor slice
 * first tries a fast path that reads the integer arrays directly; when its bound fails, values are
 * loaded as float64 blocks, summed in float64 when a bound proves every partial sum stays below
 * 2^52 (so {@link rheSmall} is exact too), otherwise each element is summed in BigInt. |A| never
 * exceeds the largest |Q|, so the output is exact in float64.
 */
export function aggregateInto(round: AlignedRound, plan: AggregatePlan, range: CoordinateRange, out: Float64Array): void {
  const n = plan.members.length;
  let rows: Float64Array | undefined;
  const column = new Float64Array(n);
  for (const slice of slicesOf(round, range)) {
    const sliceAt = slice.tensor.offset + slice.from - range.start;
    // Equal weights: the untrimmed rank sum, which reads int8 rows as they are (on mixed shifts it sums
    // each shift's rows in int16 lanes before widening); otherwise, or for wider arrays whose shifts
    // differ, the SIMD weighted sum (which folds the shifts into its coefficients).
    if (plan.kind === "weighted-mean" && equalWeights(plan.weights) && (allInt8(round, plan.members, slice.index) || equalShifts(round, plan.members, slice.index)) && orderStatisticSlice(round, { kind: "trimmed-mean", members: plan.members, trim: 0 }, slice, out, sliceAt)) continue;
    if (plan.kind === "weighted-mean" ? weightedMeanSlice(round, plan.members, plan.weights, slice, out, sliceAt) : orderStatisticSlice(round, plan, slice, out, sliceAt)) continue;
    const m = maxAbsOver(round, plan.members, slice.index);
    rows ??= new Float64Array(n * BLOCK);
    for (let from = slice.from; from < slice.to; from += BLOCK) {
      const to = Math.min(slice.to, from + BLOCK);
      const at = slice.tensor.offset + from - range.start;
      for (let i = 0; i < n; i++) loadQ(round, plan.members[i] as number, slice.index, from, to, rows, i * BLOCK);
      if (plan.kind === "weighted-mean") weightedMean(rows, plan.weights, m, to - from, out, at);
      else orderStatistic(plan, rows, column, m, to - from, out, at);
    }
  }
}

/**
 * Equal positive weights cancel: `rhe(sum w Q_i, n w) = rhe(sum Q_i, n)` (the same rational), so
 * the mean is the untrimmed rank sum of all members (no comparators) over n, in SIMD.
 */
function equalWeights(weights: readonly number[]): boolean {
  const w = weights[0] ?? 0;
  return w > 0 && weights.every((x) => x === w);
}

function allInt8(round: AlignedRound, members: readonly number[], t: number): boolean {
  return members.every((u) => round.updates[u]?.q[t] instanceof Int8Array);
}

function equalShifts(round: AlignedRound, members: readonly number[], t: number): boolean {
  const s = round.updates[members[0] ?? 0]?.shift[t];
  return members.every((u) => round.updates[u]?.shift[t] === s);
}

/** {@link aggregateInto} into a new array. */
export function aggregatePartial(round: AlignedRound, plan: AggregatePlan, range: CoordinateRange): Float64Array {
  const out = new Float64Array(range.end - range.start);
  aggregateInto(round, plan, range, out);
  return out;
}

function weightedMean(rows: Float64Array, weights: readonly number[], m: number, len: number, out: Float64Array, at: number): void {
  const n = weights.length;
  const total = weights.reduce((s, w) => s + w, 0);
  // Bound: |sum w_i Q_i| <= (sum w_i) * M; with that plus the divisor under 2^52, sums and rhe are exact.
  if (total * m + total <= RHE_SMALL_LIMIT) {
    const acc = out.subarray(at, at + len).fill(0);
    for (let i = 0; i < n; i++) {
      const w = weights[i] as number;
      const r = i * BLOCK;
      for (let j = 0; j < len; j++) acc[j] = (acc[j] as number) + w * (rows[r + j] as number);
    }
    for (let j = 0; j < len; j++) acc[j] = rheSmall(acc[j] as number, total);
    return;
  }
  const bigTotal = BigInt(total);
  for (let j = 0; j < len; j++) {
    let s = 0n;
    for (let i = 0; i < n; i++) s += BigInt(weights[i] as number) * BigInt(rows[i * BLOCK + j] as number);
    out[at + j] = Number(rhe(s, bigTotal)) + 0;
  }
}

function orderStatistic(plan: Exclude<AggregatePlan, { kind: "weighted-mean" }>, rows: Float64Array, column: Float64Array, m: number, len: number, out: Float64Array, at: number): void {
  const n = plan.members.length;
  const trim = plan.kind === "trimmed-mean" ? plan.trim : 0;
  const kept = n - 2 * trim;
  const half = n >>> 1;
  for (let j = 0; j < len; j++) {
    for (let i = 0; i < n; i++) column[i] = rows[i * BLOCK + j] as number;
    if (plan.kind === "median") {
      selectKth(column, 0, n - 1, half);
      const upper = column[half] as number;
      if (n % 2 === 1) {
        out[at + j] = upper + 0;
        continue;
      }
      let lower = column[0] as number;
      for (let i = 1; i < half; i++) lower = Math.max(lower, column[i] as number);
      // |lower + upper| <= 2^53 is an exact float64 integer; rheNumber falls back to BigInt above 2^52.
      out[at + j] = rheNumber(lower + upper, 2);
      continue;
    }
    if (trim > 0) {
      selectKth(column, 0, n - 1, trim);
      selectKth(column, trim, n - 1, n - trim - 1);
    }
    out[at + j] = keptMean(column, trim, n - trim, kept, m);
  }
}

function keptMean(column: Float64Array, from: number, to: number, kept: number, m: number): number {
  if (kept * m + kept <= RHE_SMALL_LIMIT) {
    let s = 0;
    for (let i = from; i < to; i++) s += column[i] as number;
    return rheSmall(s, kept);
  }
  let s = 0n;
  for (let i = from; i < to; i++) s += BigInt(column[i] as number);
  return Number(rhe(s, BigInt(kept))) + 0;
}

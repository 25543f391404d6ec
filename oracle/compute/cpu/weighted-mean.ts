import type { AlignedRound } from "../../protocol/alignment.ts";
import { RHE_SMALL_LIMIT, rheSmall } from "../../protocol/rounding.ts";
import { BLOCK, type TensorSlice } from "../blocks.ts";
import { copyElements, streamKernelsOver, vectorBytes } from "../../protocol/int-kernels.ts";
import { PAGE_BYTES, wasm } from "../../protocol/wasm-binary.ts";

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
  if (simdWeightedMean(round, members, weights, slice, out, at, total)) return true;
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


/** A weighted-sum workspace: `n` rows of one block, their coefficients, the sums and the quotients, in one memory. */
type Workspace = {
  rows8: Int8Array;
  rows16: Int16Array;
  coef: Int32Array;
  cfg: Float64Array;
  quotients: Float64Array;
  kernels: ReturnType<typeof streamKernelsOver>;
  at: { rows: number; coef: number; sums: number; quotients: number; cfg: number };
};

/** Workspaces by member count, the {@link KEPT_WORKSPACES} most recently made kept (each holds `n` rows of a block). */
const workspaces = new Map<number, Workspace>();
const KEPT_WORKSPACES = 4;

/**
 * Bytes between consecutive rows: a block of int16 plus a 64-byte cache line, so that rows do not
 * all map to the same L1 cache sets (as rows a multiple of 4 KB apart do; see rankSumRowBytes).
 */
const ROW_BYTES = BLOCK * 2 + 64;

function workspaceFor(n: number): Workspace {
  let w = workspaces.get(n);
  if (w !== undefined) return w;
  // Rows are sized for int16; int8 rows use the first half of each row's bytes at the same stride.
  const rows = 0;
  const coef = rows + n * ROW_BYTES + 16;
  const sums = coef + vectorBytes(4 * n) + 16;
  const quotients = sums + BLOCK * 4 + 64;
  const cfg = quotients + BLOCK * 8 + 16;
  const memory = new wasm.Memory({ initial: Math.ceil((cfg + 16) / PAGE_BYTES) });
  const b = memory.buffer;
  w = {
    rows8: new Int8Array(b, rows, n * ROW_BYTES),
    rows16: new Int16Array(b, rows, (n * ROW_BYTES) / 2),
    coef: new Int32Array(b, coef, n),
    cfg: new Float64Array(b, cfg, 2),
    quotients: new Float64Array(b, quotients, BLOCK + 2),
    kernels: streamKernelsOver(memory),
    at: { rows, coef, sums, quotients, cfg },
  };
  for (const oldest of workspaces.keys()) if (workspaces.size >= KEPT_WORKSPACES) workspaces.delete(oldest);
  workspaces.set(n, w);
  return w;
}

/**
 * The weighted mean of one slice in SIMD when every member's array is int8 (or every one int16):
 * `sum_i c_i * q_i[j]` in int32 lanes with `c_i = w_i * 2^shift_i` (so `c_i q_i = w_i Q_i`), then
 * `rhe(sum, sum w_i)` in float64 lanes. Exact when `sum_i w_i * max|Q_i| < 2^31` (no lane overflows;
 * the caller already proved `(sum w) * (M + 1) <= 2^52` for the quotient). False when it does not apply.
 */
function simdWeightedMean(round: AlignedRound, members: readonly number[], weights: readonly number[], slice: TensorSlice, out: Float64Array, at: number, total: number): boolean {
  const t = slice.index;
  const n = members.length;
  let bound = 0;
  let int8 = true;
  let int16 = true;
  for (let i = 0; i < n; i++) {
    const update = round.updates[members[i] as number];
    const q = update?.q[t];
    if (update === undefined || q === undefined) return false;
    int8 &&= q instanceof Int8Array;
    int16 &&= q instanceof Int16Array;
    bound += (weights[i] as number) * (update.maxAbs[t] ?? Infinity);
  }
  if (!(bound < 2 ** 31) || !(int8 || int16)) return false;
  const w = workspaceFor(n);
  for (let i = 0; i < n; i++) w.coef[i] = (weights[i] as number) * 2 ** (round.updates[members[i] as number]?.shift[t] ?? 0);
  w.cfg[0] = 1;
  w.cfg[1] = total;
  const width = int8 ? 1 : 2;
  const rowBytes = ROW_BYTES;
  for (let from = slice.from; from < slice.to; from += BLOCK) {
    const to = Math.min(slice.to, from + BLOCK);
    const len = to - from;
    for (let i = 0; i < n; i++) {
      const q = round.updates[members[i] as number]?.q[t] as Int8Array | Int16Array;
      if (q instanceof Int8Array) copyElements(w.rows8.subarray(i * rowBytes), q, from, to);
      else copyElements(w.rows16.subarray((i * rowBytes) / 2), q, from, to);
    }
    const bytes = vectorBytes(len * width);
    if (int8) w.kernels.wsum8(w.at.rows, w.at.coef, 4 * n, bytes, w.at.sums, rowBytes);
    else w.kernels.wsum16(w.at.rows, w.at.coef, 4 * n, bytes, w.at.sums, rowBytes);
    w.kernels.rhe32(w.at.sums, w.at.quotients, (len + (len & 1)) * 4, w.at.cfg);
    out.set(w.quotients.subarray(0, len), at + from - slice.from);
  }
  return true;
}

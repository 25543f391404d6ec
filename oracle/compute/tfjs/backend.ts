import type { Tensor } from "@tensorflow/tfjs";

import type { AlignedRound } from "../../protocol/alignment.ts";
import { pairCount, pairIndex } from "../../protocol/krum.ts";
import { loadQ, slicesOf, tensorFactor, type TensorSlice } from "../blocks.ts";
import { distancesFitFloat64 } from "../pair-totals.ts";
import type { AggregatePlan, ComputeBackend, CoordinateRange, DistancePartial, RoundSession, ScorePartial } from "../types.ts";
import { DIGITS, MAX_TERMS, recombineRhe, toCompareLimbs, toDigits, weightDigits } from "./digits.ts";
import { addDigitDots, positionsToBigInt, PRODUCT_POSITIONS, ranks } from "./exact-ops.ts";
import type { LoadedTfjs, Tf } from "./load.ts";
import { rheSmall } from "../../protocol/rounding.ts";

export { loadTfjs } from "./load.ts";

/** Weight digits (4) times value digits (6): positions 0..8. */
const WEIGHTED_POSITIONS = DIGITS + 4 - 1;
/** Members per weighted reduction: 2047 * 1023 * 1023 < 2^31 (see digits.ts). */
const MEMBER_GROUP = MAX_TERMS - 1;
/** Soft cap on elements of one broadcast intermediate, to bound memory. */
const MAX_INTERMEDIATE = 2 ** 22;

/**
 * The same computation as the cpu backend through TensorFlow.js int32 tensors: values are split into
 * base-2^10 digits and every tfjs op provably stays within int32 (see digits.ts); the exact carries,
 * the rhe division and BigInt totals of per-block results run on the host.
 */
export class TfjsBackend implements ComputeBackend {
  readonly name: string;
  readonly #tf: Tf;

  constructor(loaded: LoadedTfjs) {
    this.#tf = loaded.tf;
    this.name = loaded.onGpu ? "tfjs-node-gpu" : `tfjs-${loaded.tf.getBackend()}`;
  }

  async open(round: AlignedRound): Promise<RoundSession> {
    return new TfjsSession(this.#tf, round);
  }

  async dispose(): Promise<void> {}
}

/**
 * Whether every member's |Q| in tensor `t` is at most 2^24: int32 tensors then hold the values
 * themselves, exactly even on a backend that stores int32 as float32 (WebGL).
 */
function fitsFloat32Integers(round: AlignedRound, members: readonly number[], t: number): boolean {
  return members.every((u) => (round.updates[u]?.maxAbs[t] ?? Infinity) <= 2 ** 24);
}

/**
 * Coordinates per host accumulation run: 2^17 blocks of 2048 add at most 2^17 * 6 * 2^31 = 2^51
 * to a positional float64 accumulator, so it stays exact; longer tensor slices are cut into runs.
 */
const RUN = 2 ** 17 * MAX_TERMS;

/** Coordinates per int32 Gram product: `256 * 255^2 < 2^24` (exact even in float32). */
const GRAM_INNER = 256;
/** Coordinates per host run of raw Gram sums: `2^18 * 2^34 = 2^52 < 2^53` (see `#gramDistances`). */
const GRAM_RUN = 2 ** 18;

/**
 * Base-2^8 digits the raw values of tensor `t` need, from the largest raw |q| over all updates
 * (`maxAbs / 2^shift`): 1 up to 128 (the value itself), 2 up to 2^15, else 3 (no Gram path).
 */
function gramDigits(round: AlignedRound, t: number): number {
  let raw = 0;
  for (const u of round.updates) raw = Math.max(raw, (u.maxAbs[t] ?? 0) / 2 ** (u.shift[t] ?? 0));
  return raw <= 128 ? 1 : raw <= 2 ** 15 ? 2 : 3;
}

function runsOf(round: AlignedRound, range: CoordinateRange): TensorSlice[] {
  return slicesOf(round, range).flatMap((slice) => blocks(slice, RUN).map((b) => ({ ...slice, from: b.from, to: b.to })));
}

function blocks(slice: TensorSlice, size: number): { from: number; to: number }[] {
  const out: { from: number; to: number }[] = [];
  for (let from = slice.from; from < slice.to; from += size) out.push({ from, to: Math.min(slice.to, from + size) });
  return out;
}

class TfjsSession implements RoundSession {
  readonly #tf: Tf;
  readonly #round: AlignedRound;

  constructor(tf: Tf, round: AlignedRound) {
    this.#tf = tf;
    this.#round = round;
  }

  /** Digit tensor [members, DIGITS, len] of the members' Q over one block. */
  #digits(members: readonly number[], t: number, from: number, to: number): Tensor {
    const len = to - from;
    const q = new Float64Array(len);
    const out = new Int32Array(members.length * DIGITS * len);
    members.forEach((u, i) => {
      loadQ(this.#round, u, t, from, to, q, 0);
      toDigits(q, len, out, i * DIGITS * len, len);
    });
    return this.#tf.tensor3d(out, [members.length, DIGITS, len], "int32");
  }

  /**
   * Multi-krum distances. Under the float64 bound (`distanceBound`, pair-totals.ts), every slice
   * whose raw values fit two base-2^8 digits goes through {@link TfjsSession.#gramDistances}
   * (int32 matrix products, no per-pair tensors); any other slice, and every slice when the bound
   * fails, through the per-pair digit differences of {@link TfjsSession.#pairDistances}, in BigInt.
   */
  async distances(range: CoordinateRange): Promise<DistancePartial> {
    const n = this.#round.updates.length;
    const pairs = pairCount(n);
    const fits = distancesFitFloat64(this.#round, range);
    const totals = new Float64Array(pairs);
    let wide: bigint[] | undefined;
    for (const slice of slicesOf(this.#round, range)) {
      if (fits && gramDigits(this.#round, slice.index) <= 2) this.#gramDistances(slice, totals);
      else wide = this.#pairDistances(slice, wide ?? new Array<bigint>(pairs).fill(0n));
    }
    if (wide === undefined) return { kind: "float64", totals };
    for (let p = 0; p < pairs; p++) wide[p] = (wide[p] as bigint) + BigInt(totals[p] as number);
    return { kind: "bigint", totals: wide };
  }

  /**
   * Distances of one slice from Gram matrices: `D(i,k) = 4^s_i |q_i|^2 + 4^s_k |q_k|^2 -
   * 2^(s_i+s_k+1) q_i . q_k` with `Q = q * 2^s`, over runs of coordinates. Raw values are split into
   * `d <= 2` base-2^8 digits (the low one in [0, 256), the top one signed, so every |digit| <= 255);
   * `q_i . q_k = sum_{a,b} 2^(8(a+b)) X_a[i] . X_b[k]`, each `X_a . X_b` an int32 `matMul` over
   * {@link GRAM_INNER} coordinates of a band of rows against the columns right of it.
   *
   * Exactness: a matMul entry and every partial sum in it is at most `256 * 255^2 < 2^24` in
   * magnitude, exact in int32 and even in float32 in any order. On the host a run's raw dot product
   * adds terms whose magnitudes sum to at most `len * d^2 * 2^16 * 2^(16(d-1)) <= len * 2^34`,
   * below 2^53 for runs of at most {@link GRAM_RUN} coordinates; the run's distance terms are each
   * at most `len * M^2 * factor`, below `distanceBound` < 2^53, as is every running total.
   */
  #gramDistances(slice: TensorSlice, totals: Float64Array): void {
    const tf = this.#tf;
    const round = this.#round;
    const n = round.updates.length;
    if (n < 2) return;
    const t = slice.index;
    const digits = gramDigits(round, t);
    const factor = Number(tensorFactor(round, t));
    const shift = round.updates.map((u) => u.shift[t] ?? 0);
    const runLen = Math.min(GRAM_RUN, Math.max(GRAM_INNER, Math.floor(MAX_INTERMEDIATE / n / GRAM_INNER) * GRAM_INNER));
    const band = Math.max(1, Math.floor(MAX_INTERMEDIATE / n));
    for (const run of blocks(slice, runLen)) {
      const len = run.to - run.from;
      const norms = new Float64Array(n);
      const planes = Array.from({ length: digits }, () => new Int32Array(n * len));
      round.updates.forEach((u, i) => {
        const q = u.q[t];
        if (q === undefined) return;
        let s = 0;
        for (let j = 0; j < len; j++) {
          const v = q[run.from + j] as number;
          s += v * v;
          if (digits === 1) (planes[0] as Int32Array)[i * len + j] = v;
          else {
            (planes[0] as Int32Array)[i * len + j] = v & 255;
            (planes[1] as Int32Array)[i * len + j] = v >> 8;
          }
        }
        norms[i] = s;
      });
      const x = planes.map((plane) => tf.tensor2d(plane, [n, len], "int32"));
      const raw = new Float64Array(band * n);
      for (let i0 = 0; i0 < n - 1; i0 += band) {
        const i1 = Math.min(n - 1, i0 + band);
        const width = n - i0 - 1;
        raw.fill(0, 0, (i1 - i0) * width);
        for (let c0 = 0; c0 < len; c0 += GRAM_INNER) {
          const c1 = Math.min(len, c0 + GRAM_INNER);
          for (let a = 0; a < digits; a++) {
            for (let b = 0; b < digits; b++) {
              const product = tf.tidy(() => tf.matMul(tf.slice(x[a] as Tensor, [i0, c0], [i1 - i0, c1 - c0]), tf.slice(x[b] as Tensor, [i0 + 1, c0], [width, c1 - c0]), false, true));
              const values = product.dataSync();
              product.dispose();
              const scale = 2 ** (8 * (a + b));
              for (let e = 0; e < (i1 - i0) * width; e++) raw[e] = (raw[e] as number) + (values[e] as number) * scale;
            }
          }
        }
        for (let i = i0; i < i1; i++) {
          const si = shift[i] as number;
          const ii = (norms[i] as number) * 4 ** si;
          let pair = pairIndex(i, i + 1, n);
          let e = (i - i0) * width + (i + 1 - (i0 + 1));
          for (let k = i + 1; k < n; k++, pair++, e++) {
            const sk = shift[k] as number;
            totals[pair] = (totals[pair] as number) + (ii + (norms[k] as number) * 4 ** sk - (raw[e] as number) * 2 ** (si + sk + 1)) * factor;
          }
        }
      }
      tf.dispose(x);
    }
  }

  /** Distances of one slice from per-pair digit differences (any values), added to `total` in BigInt. */
  #pairDistances(slice: TensorSlice, total: bigint[]): bigint[] {
    const tf = this.#tf;
    const n = this.#round.updates.length;
    const pairs = pairCount(n);
    const left: number[] = [];
    const right: number[] = [];
    for (let i = 0; i < n; i++) for (let k = i + 1; k < n; k++) left.push(i), right.push(k);
    const all = this.#round.updates.map((_, i) => i);
    const group = Math.max(1, Math.floor(MAX_INTERMEDIATE / (DIGITS * DIGITS * MAX_TERMS)));
    for (const run of runsOf(this.#round, { start: slice.tensor.offset + slice.from, end: slice.tensor.offset + slice.to })) {
      const acc = new Float64Array(pairs * PRODUCT_POSITIONS);
      for (const block of blocks(run, MAX_TERMS)) {
        const x = this.#digits(all, run.index, block.from, block.to);
        for (let g = 0; g < pairs; g += group) {
          const count = Math.min(group, pairs - g);
          const diff = tf.tidy(() => tf.sub(tf.gather(x, left.slice(g, g + count)), tf.gather(x, right.slice(g, g + count))));
          addDigitDots(tf, diff, diff, count, block.to - block.from, acc.subarray(g * PRODUCT_POSITIONS, (g + count) * PRODUCT_POSITIONS));
          diff.dispose();
        }
        x.dispose();
      }
      const factor = tensorFactor(this.#round, run.index);
      for (let p = 0; p < pairs; p++) total[p] = (total[p] as bigint) + positionsToBigInt(acc, p) * factor;
    }
    return total;
  }

  async aggregate(plan: AggregatePlan, range: CoordinateRange): Promise<Float64Array> {
    const out = new Float64Array(range.end - range.start);
    const n = plan.members.length;
    for (const slice of slicesOf(this.#round, range)) {
      const sorted = plan.kind !== "weighted-mean" && fitsFloat32Integers(this.#round, plan.members, slice.index);
      // Ranking compares all n^2 pairs per coordinate; sorting (topk) holds n values per coordinate.
      const blockLen = plan.kind === "weighted-mean" ? MAX_TERMS : Math.max(1, Math.min(MAX_TERMS, Math.floor(MAX_INTERMEDIATE / (sorted ? n : n * n))));
      for (const block of blocks(slice, blockLen)) {
        const at = slice.tensor.offset + block.from - range.start;
        if (plan.kind === "weighted-mean") this.#weightedMean(plan.members, plan.weights, slice.index, block.from, block.to, out, at);
        else if (sorted) this.#sortedStatistic(plan, slice.index, block.from, block.to, out, at);
        else this.#orderStatistic(plan, slice.index, block.from, block.to, out, at);
      }
    }
    return out;
  }

  /**
   * Median or trimmed mean through `tf.topk` on int32 values (every |Q| of the slice at most 2^24):
   * per coordinate the `n - first` largest values in descending order, of which the last
   * `last - first + 1` are the ranks first..last. Ties hold equal values, so which tied member lands
   * where cannot change the sum. The kept sum (at most `n * 2^24 < 2^52`) and rhe run on the host, exact.
   */
  #sortedStatistic(plan: Exclude<AggregatePlan, { kind: "weighted-mean" }>, t: number, from: number, to: number, out: Float64Array, at: number): void {
    const tf = this.#tf;
    const n = plan.members.length;
    const len = to - from;
    const [first, last] = plan.kind === "median" ? [(n - 1) >>> 1, n >>> 1] : [plan.trim, n - plan.trim - 1];
    const q = new Float64Array(len);
    // Coordinate-major: row j holds the n members' values of coordinate j.
    const columns = new Int32Array(len * n);
    plan.members.forEach((u, i) => {
      loadQ(this.#round, u, t, from, to, q, 0);
      for (let j = 0; j < len; j++) columns[j * n + i] = q[j] as number;
    });
    const k = n - first;
    const x = tf.tensor2d(columns, [len, n], "int32");
    const { values, indices } = tf.topk(x, k, true);
    const top = values.dataSync();
    tf.dispose([x, values, indices]);
    const count = last - first + 1;
    for (let j = 0; j < len; j++) {
      let sum = 0;
      for (let d = k - count; d < k; d++) sum += top[j * k + d] as number;
      out[at + j] = rheSmall(sum, count);
    }
  }

  #weightedMean(members: readonly number[], weights: readonly number[], t: number, from: number, to: number, out: Float64Array, at: number): void {
    const tf = this.#tf;
    const len = to - from;
    const terms = new Float64Array(WEIGHTED_POSITIONS * len);
    for (let g = 0; g < members.length; g += MEMBER_GROUP) {
      const group = members.slice(g, g + MEMBER_GROUP);
      const w = tf.tensor2d(weights.slice(g, g + MEMBER_GROUP).flatMap(weightDigits), [group.length, 4], "int32");
      const x = this.#digits(group, t, from, to);
      const sums = tf.tidy(() => tf.sum(tf.mul(x.reshape([group.length, DIGITS, 1, len]), w.reshape([group.length, 1, 4, 1])), 0));
      const values = sums.dataSync();
      tf.dispose([w, x, sums]);
      for (let m = 0; m < DIGITS; m++) {
        for (let d = 0; d < 4; d++) {
          const src = (m * 4 + d) * len;
          const dst = (m + d) * len;
          for (let j = 0; j < len; j++) terms[dst + j] = (terms[dst + j] as number) + (values[src + j] as number);
        }
      }
    }
    recombineRhe(terms, WEIGHTED_POSITIONS, len, weights.reduce((s, w) => s + w, 0), out, at);
  }

  #orderStatistic(plan: Exclude<AggregatePlan, { kind: "weighted-mean" }>, t: number, from: number, to: number, out: Float64Array, at: number): void {
    const tf = this.#tf;
    const n = plan.members.length;
    const len = to - from;
    const [first, last] = plan.kind === "median" ? [(n - 1) >>> 1, n >>> 1] : [plan.trim, n - plan.trim - 1];
    const q = new Float64Array(len);
    const hi = new Int32Array(n * len);
    const lo = new Int32Array(n * len);
    plan.members.forEach((u, i) => {
      loadQ(this.#round, u, t, from, to, q, 0);
      toCompareLimbs(q, len, hi, lo, i * len);
    });
    const x = this.#digits(plan.members, t, from, to);
    // Sum of the digits of the values ranked first..last: at most n * 1023 per entry, exact in int32.
    const sums = tf.tidy(() => {
      const rank = ranks(tf, tf.tensor2d(hi, [n, len], "int32"), tf.tensor2d(lo, [n, len], "int32"), n, len);
      const keep = tf.where(tf.logicalAnd(tf.greaterEqual(rank, first), tf.lessEqual(rank, last)), tf.scalar(1, "int32"), tf.scalar(0, "int32"));
      return tf.sum(tf.mul(x, keep.reshape([n, 1, len])), 0);
    });
    const values = sums.dataSync();
    tf.dispose([x, sums]);
    recombineRhe(values, DIGITS, len, last - first + 1, out, at);
  }

  async scoreDots(members: readonly number[], aggregate: Float64Array, range: CoordinateRange): Promise<ScorePartial> {
    const tf = this.#tf;
    const n = members.length;
    const qa = new Array<bigint>(n).fill(0n);
    const qq = new Array<bigint>(n).fill(0n);
    let aa = 0n;
    for (const slice of runsOf(this.#round, range)) {
      const accQa = new Float64Array(n * PRODUCT_POSITIONS);
      const accQq = new Float64Array(n * PRODUCT_POSITIONS);
      const accAa = new Float64Array(PRODUCT_POSITIONS);
      for (const block of blocks(slice, MAX_TERMS)) {
        const len = block.to - block.from;
        const start = slice.tensor.offset + block.from - range.start;
        const aDigits = new Int32Array(DIGITS * len);
        toDigits(aggregate.subarray(start, start + len), len, aDigits, 0, len);
        const a = tf.tensor3d(aDigits, [1, DIGITS, len], "int32");
        const x = this.#digits(members, slice.index, block.from, block.to);
        addDigitDots(tf, x, a, n, len, accQa);
        addDigitDots(tf, x, x, n, len, accQq);
        addDigitDots(tf, a, a, 1, len, accAa);
        tf.dispose([a, x]);
      }
      const factor = tensorFactor(this.#round, slice.index);
      for (let m = 0; m < n; m++) {
        qa[m] = (qa[m] as bigint) + positionsToBigInt(accQa, m) * factor;
        qq[m] = (qq[m] as bigint) + positionsToBigInt(accQq, m) * factor;
      }
      aa += positionsToBigInt(accAa, 0) * factor;
    }
    return { qa: qa.map(String), qq: qq.map(String), aa: String(aa) };
  }

  async close(): Promise<void> {}
}

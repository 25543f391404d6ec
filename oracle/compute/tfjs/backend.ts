import type { Tensor } from "@tensorflow/tfjs";

import type { AlignedRound } from "../../protocol/alignment.ts";
import { pairCount } from "../../protocol/krum.ts";
import { loadQ, slicesOf, tensorFactor, type TensorSlice } from "../blocks.ts";
import type { AggregatePlan, ComputeBackend, CoordinateRange, DistancePartial, RoundSession, ScorePartial } from "../types.ts";
import { DIGITS, MAX_TERMS, recombineRhe, toCompareLimbs, toDigits, weightDigits } from "./digits.ts";
import { addDigitDots, positionsToBigInt, PRODUCT_POSITIONS, ranks } from "./exact-ops.ts";
import type { LoadedTfjs, Tf } from "./load.ts";

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
 * Coordinates per host accumulation run: 2^17 blocks of 2048 add at most 2^17 * 6 * 2^31 = 2^51
 * to a positional float64 accumulator, so it stays exact; longer tensor slices are cut into runs.
 */
const RUN = 2 ** 17 * MAX_TERMS;

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

  async distances(range: CoordinateRange): Promise<DistancePartial> {
    const tf = this.#tf;
    const n = this.#round.updates.length;
    const pairs = pairCount(n);
    const left: number[] = [];
    const right: number[] = [];
    for (let i = 0; i < n; i++) for (let k = i + 1; k < n; k++) left.push(i), right.push(k);
    const total = new Array<bigint>(pairs).fill(0n);
    const all = this.#round.updates.map((_, i) => i);
    const group = Math.max(1, Math.floor(MAX_INTERMEDIATE / (DIGITS * DIGITS * MAX_TERMS)));
    for (const slice of runsOf(this.#round, range)) {
      const acc = new Float64Array(pairs * PRODUCT_POSITIONS);
      for (const block of blocks(slice, MAX_TERMS)) {
        const x = this.#digits(all, slice.index, block.from, block.to);
        for (let g = 0; g < pairs; g += group) {
          const count = Math.min(group, pairs - g);
          const diff = tf.tidy(() => tf.sub(tf.gather(x, left.slice(g, g + count)), tf.gather(x, right.slice(g, g + count))));
          addDigitDots(tf, diff, diff, count, block.to - block.from, acc.subarray(g * PRODUCT_POSITIONS, (g + count) * PRODUCT_POSITIONS));
          diff.dispose();
        }
        x.dispose();
      }
      const factor = tensorFactor(this.#round, slice.index);
      for (let p = 0; p < pairs; p++) total[p] = (total[p] as bigint) + positionsToBigInt(acc, p) * factor;
    }
    return total.map(String);
  }

  async aggregate(plan: AggregatePlan, range: CoordinateRange): Promise<Float64Array> {
    const out = new Float64Array(range.end - range.start);
    const n = plan.members.length;
    const blockLen = plan.kind === "weighted-mean" ? MAX_TERMS : Math.max(1, Math.min(MAX_TERMS, Math.floor(MAX_INTERMEDIATE / (n * n))));
    for (const slice of slicesOf(this.#round, range)) {
      for (const block of blocks(slice, blockLen)) {
        const at = slice.tensor.offset + block.from - range.start;
        if (plan.kind === "weighted-mean") this.#weightedMean(plan.members, plan.weights, slice.index, block.from, block.to, out, at);
        else this.#orderStatistic(plan, slice.index, block.from, block.to, out, at);
      }
    }
    return out;
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

/// <reference types="@webgpu/types" />
import type { Logger } from "../../logger.ts";
import type { AlignedRound } from "../../protocol/alignment.ts";
import { assertInvariant } from "../../errors.ts";
import { pairCount, pairIndex } from "../../protocol/krum.ts";
import { maxAbsOver, slicesOf, tensorFactor, type TensorSlice } from "../blocks.ts";
import { distancesFitFloat64 } from "../pair-totals.ts";
import { aggregatePartial } from "../cpu/aggregate.ts";
import { recombineRhe } from "../tfjs/digits.ts";
import type { AggregatePlan, ComputeBackend, CoordinateRange, DistancePartial, RoundSession, ScorePartial } from "../types.ts";
import type { AdapterSummary, WebgpuDevice } from "./device.ts";
import { combineAccumulators, fitsI8, packI8, packLimbs, rowsAreI8, weightDigits, type ValueRow } from "./encode.ts";
import { Gpu, type StageTiming } from "./gpu.ts";
import { DISTANCE_TILE, distanceTile, DOTS_I8, DOTS_LIMBS, orderI8, orderLimbs, WEIGHTED_I8, WEIGHTED_LIMBS } from "./shaders.ts";

/** Bytes of one upload of value rows: bounds device memory whatever the shard or model size. */
const UPLOAD_BYTES = 64 * 2 ** 20;
/** Most elements per chunk: per-element dispatches stay within 2^21 / 64 = 32768 workgroups. */
const MAX_CHUNK = 2 ** 21;
/** Members per general weighted dispatch (the int32 bound of WEIGHTED_LIMBS). */
const WEIGHTED_GROUP = 511;
/** Largest member count the sorting kernels take (private arrays of 512 slots). */
const MAX_SORTED = 512;
/** Fast weighted path: `128 * sum w < 2^31 - 1` and the divisor below 2^24 (see WEIGHTED_I8). */
const FAST_WEIGHT_SUM = 2 ** 24 - 1;
/** Invocations a dot-product dispatch aims for (rows x segments). */
const DOT_THREADS = 2 ** 16;

/**
 * The webgpu backend: the §3-§4 loops as WGSL integer kernels on a WebGPU device (a GPU through
 * Vulkan, or Mesa llvmpipe through OpenGL ES). Exact: see the bounds in shaders.ts; per-block
 * partials are combined on the host in float64 where proven exact, else BigInt.
 */
export class WebgpuBackend implements ComputeBackend {
  readonly name: string;
  readonly adapter: AdapterSummary;
  readonly #gpu: Gpu;
  readonly #log: Logger;

  constructor(opened: WebgpuDevice, log: Logger) {
    this.adapter = opened.adapter;
    this.name = `webgpu (${opened.adapter.backend}: ${opened.adapter.description || opened.adapter.device})`;
    this.#gpu = new Gpu(opened.device);
    this.#log = log;
  }

  /** Upload, kernel and readback milliseconds since the last call (for the bench). */
  takeTiming(): StageTiming {
    return this.#gpu.resetTiming();
  }

  async open(round: AlignedRound): Promise<RoundSession> {
    return new WebgpuSession(this.#gpu, round, this.#log);
  }

  async dispose(): Promise<void> {
    this.#gpu.destroy();
  }
}

function chunksOf(slice: TensorSlice, size: number): { from: number; len: number }[] {
  const out: { from: number; len: number }[] = [];
  for (let from = slice.from; from < slice.to; from += size) out.push({ from, len: Math.min(size, slice.to - from) });
  return out;
}

/** Elements per chunk for `rows` value rows of `bytesPerValue`, a multiple of 4 (whole words). */
function chunkSize(rows: number, bytesPerValue: number): number {
  return Math.max(4, Math.min(MAX_CHUNK, Math.floor(UPLOAD_BYTES / (rows * bytesPerValue) / 4) * 4));
}

function nextPowerOfTwo(n: number): number {
  let p = 2;
  while (p < n) p *= 2;
  return p;
}

/** Pairs per dispatch batch of the wide (BigInt) distance fallback: bounds its device buffers. */
const WIDE_PAIR_BATCH = 2 ** 16;

/**
 * Adds one distance tile's pairs `(i, k)`, `i < k`, to `totals`: `sum_c (hi_c 2^32 + lo_c) 2^(10 c)`
 * times the tensor factor, every term non-negative and at most the pair's total, which the float64
 * bound keeps below 2^53, so every float64 operation is exact.
 */
function addTile(words: Uint32Array, positions: number, n: number, i0: number, k0: number, width: number, height: number, factor: number, totals: Float64Array): void {
  for (let r = 0; r < height; r++) {
    const i = i0 + r;
    const first = Math.max(k0, i + 1);
    if (first >= k0 + width) continue;
    let pair = pairIndex(i, first, n);
    for (let k = first; k < k0 + width; k++, pair++) {
      let at = 2 * (r * width + (k - k0)) * positions;
      let v = 0;
      for (let c = 0; c < positions; c++, at += 2) v += ((words[at + 1] as number) * 2 ** 32 + (words[at] as number)) * 2 ** (10 * c);
      totals[pair] = (totals[pair] as number) + v * factor;
    }
  }
}

class WebgpuSession implements RoundSession {
  readonly #gpu: Gpu;
  readonly #round: AlignedRound;
  readonly #log: Logger;

  constructor(gpu: Gpu, round: AlignedRound, log: Logger) {
    this.#gpu = gpu;
    this.#round = round;
    this.#log = log;
  }

  async aggregate(plan: AggregatePlan, range: CoordinateRange): Promise<Float64Array> {
    const n = plan.members.length;
    if (plan.kind !== "weighted-mean" && n > MAX_SORTED) {
      this.#log.warn({ members: n, limit: MAX_SORTED, rule: plan.kind }, "webgpu: too many members for the sorting kernel; this aggregate runs on the cpu backend");
      return aggregatePartial(this.#round, plan, range);
    }
    const out = new Float64Array(range.end - range.start);
    for (const slice of slicesOf(this.#round, range)) {
      const at = slice.tensor.offset + slice.from - range.start;
      if (plan.kind === "weighted-mean") await this.#weighted(plan.members, plan.weights, slice, out, at);
      else {
        const [first, last] = plan.kind === "median" ? [(n - 1) >>> 1, n >>> 1] : [plan.trim, n - plan.trim - 1];
        await this.#order(plan.members, first, last, slice, out, at);
      }
    }
    return out;
  }

  async #weighted(members: readonly number[], weights: readonly number[], slice: TensorSlice, out: Float64Array, at: number): Promise<void> {
    // Equal weights cancel: rhe(sum w Q, n w) = rhe(sum Q, n), the same rational.
    const equal = weights.every((w) => w === weights[0]);
    const w = equal ? weights.map(() => 1) : [...weights];
    const divisor = w.reduce((s, x) => s + x, 0);
    const rows: ValueRow[] = members.map((update) => ({ update }));
    const gpu = this.#gpu;
    if (rowsAreI8(this.#round, rows, slice.index) && divisor <= FAST_WEIGHT_SUM) {
      const size = chunkSize(rows.length, 1);
      const staging = new Uint8Array(rows.length * size);
      const vals = gpu.storage(staging.byteLength);
      const wBuf = gpu.storage(4 * w.length);
      const result = gpu.storage(4 * size);
      await gpu.upload(wBuf, new Int32Array(w));
      for (const chunk of chunksOf(slice, size)) {
        const started = performance.now();
        const { data, stride } = packI8(this.#round, rows, slice.index, chunk.from, chunk.len, staging);
        await gpu.upload(vals, data, started);
        await gpu.run(WEIGHTED_I8, { n: rows.length, len: chunk.len, stride, a: divisor }, [vals, wBuf, result], stride);
        const values = new Int32Array(await gpu.read(result, 4 * chunk.len));
        const dst = at + chunk.from - slice.from;
        for (let j = 0; j < chunk.len; j++) out[dst + j] = values[j] as number;
      }
      for (const b of [vals, wBuf, result]) b.destroy();
      return;
    }
    const group = Math.min(WEIGHTED_GROUP, rows.length);
    const size = chunkSize(group, 8);
    const staging = new Int32Array(2 * group * size);
    const vals = gpu.storage(4 * staging.length);
    const wBuf = gpu.storage(16 * group);
    const result = gpu.storage(4 * 9 * size);
    for (const chunk of chunksOf(slice, size)) {
      const terms = new Float64Array(9 * chunk.len);
      for (let g = 0; g < rows.length; g += WEIGHTED_GROUP) {
        const part = rows.slice(g, g + WEIGHTED_GROUP);
        const started = performance.now();
        const data = packLimbs(this.#round, part, slice.index, chunk.from, chunk.len, staging);
        await gpu.upload(wBuf, weightDigits(w.slice(g, g + WEIGHTED_GROUP)), started);
        await gpu.upload(vals, data, performance.now());
        await gpu.run(WEIGHTED_LIMBS, { n: part.length, len: chunk.len, stride: chunk.len }, [vals, wBuf, result], chunk.len);
        const values = new Int32Array(await gpu.read(result, 4 * 9 * chunk.len));
        // Group terms are below 2^31; at most a few thousand groups sum exactly in float64.
        for (let i = 0; i < terms.length; i++) terms[i] = (terms[i] as number) + (values[i] as number);
      }
      recombineRhe(terms, 9, chunk.len, divisor, out, at + chunk.from - slice.from);
    }
    for (const b of [vals, wBuf, result]) b.destroy();
  }

  async #order(members: readonly number[], first: number, last: number, slice: TensorSlice, out: Float64Array, at: number): Promise<void> {
    const rows: ValueRow[] = members.map((update) => ({ update }));
    const np = nextPowerOfTwo(rows.length);
    const fast = rowsAreI8(this.#round, rows, slice.index);
    const size = chunkSize(rows.length, fast ? 1 : 8);
    const gpu = this.#gpu;
    const positions = fast ? 1 : 6;
    const staging = fast ? new Uint8Array(rows.length * size) : new Int32Array(2 * rows.length * size);
    const vals = gpu.storage(staging.byteLength);
    const result = gpu.storage(4 * positions * size);
    const source = fast ? orderI8(np) : orderLimbs(np);
    for (const chunk of chunksOf(slice, size)) {
      const started = performance.now();
      const { data, stride } = fast
        ? packI8(this.#round, rows, slice.index, chunk.from, chunk.len, staging as Uint8Array)
        : { data: packLimbs(this.#round, rows, slice.index, chunk.from, chunk.len, staging as Int32Array), stride: chunk.len };
      await gpu.upload(vals, data, started);
      await gpu.run(source, { n: rows.length, len: chunk.len, stride, a: first, b: last }, [vals, result], chunk.len);
      const values = new Int32Array(await gpu.read(result, 4 * positions * chunk.len));
      const dst = at + chunk.from - slice.from;
      if (fast) for (let j = 0; j < chunk.len; j++) out[dst + j] = values[j] as number;
      else recombineRhe(values, 6, chunk.len, last - first + 1, out, dst);
    }
    vals.destroy();
    result.destroy();
  }

  /**
   * `sum_t factor_t * sum_j (V_a - V_b)(V_c - V_e)` for every row `(a, b, c, e)` of value-row
   * indices, over `range`; `valueRows(chunk slice of A)` lists the value rows of a chunk.
   */
  async #dots(dotRows: readonly [number, number, number, number][], valueRows: (t: number, start: number, len: number) => ValueRow[], range: CoordinateRange): Promise<bigint[]> {
    const gpu = this.#gpu;
    const totals = new Array<bigint>(dotRows.length).fill(0n);
    const rowBuf = gpu.storage(16 * dotRows.length);
    await gpu.upload(rowBuf, new Uint32Array(dotRows.flat()));
    for (const slice of slicesOf(this.#round, range)) {
      const probe = valueRows(slice.index, slice.tensor.offset + slice.from - range.start, slice.to - slice.from);
      const fast = rowsAreI8(this.#round, probe, slice.index) && probe.every((r) => !("values" in r) || fitsI8(r.values));
      const positions = fast ? 1 : 11;
      const size = chunkSize(probe.length, fast ? 1 : 8);
      const unit = fast ? Math.ceil(Math.min(size, slice.to - slice.from) / 4) : Math.min(size, slice.to - slice.from);
      const segs = Math.max(1, Math.min(unit, Math.ceil(DOT_THREADS / dotRows.length)));
      const acc = gpu.storage(8 * dotRows.length * segs * positions);
      const staging = fast ? new Uint8Array(probe.length * size) : new Int32Array(2 * probe.length * size);
      const vals = gpu.storage(staging.byteLength);
      for (const chunk of chunksOf(slice, size)) {
        const started = performance.now();
        const rows = valueRows(slice.index, slice.tensor.offset + chunk.from - range.start, chunk.len);
        const { data, stride } = fast
          ? packI8(this.#round, rows, slice.index, chunk.from, chunk.len, staging as Uint8Array)
          : { data: packLimbs(this.#round, rows, slice.index, chunk.from, chunk.len, staging as Int32Array), stride: chunk.len };
        await gpu.upload(vals, data, started);
        await gpu.run(fast ? DOTS_I8 : DOTS_LIMBS, { n: rows.length, len: chunk.len, stride, a: dotRows.length, b: segs }, [vals, rowBuf, acc], dotRows.length * segs);
      }
      const words = new Uint32Array(await gpu.read(acc, 8 * dotRows.length * segs * positions));
      const factor = tensorFactor(this.#round, slice.index);
      combineAccumulators(words, dotRows.length, segs, positions).forEach((v, r) => {
        totals[r] = (totals[r] as bigint) + v * factor;
      });
      acc.destroy();
      vals.destroy();
    }
    rowBuf.destroy();
    return totals;
  }

  /**
   * Multi-krum distances. Under the float64 bound (`distanceBound`, pair-totals.ts) each pair is one
   * invocation of {@link distanceTile} over tiles of {@link DISTANCE_TILE}^2 pairs, so device memory
   * stays at one chunk of values and one tile of accumulators at any `n`, and the host adds exact
   * float64 integers. Otherwise (the wide fallback) the general dot-product kernel runs over
   * batches of {@link WIDE_PAIR_BATCH} pairs, combined in BigInt.
   */
  async distances(range: CoordinateRange): Promise<DistancePartial> {
    const n = this.#round.updates.length;
    const pairs = pairCount(n);
    if (!distancesFitFloat64(this.#round, range)) {
      const totals: bigint[] = [];
      const rows = this.#round.updates.map((_, update): ValueRow => ({ update }));
      let batch: [number, number, number, number][] = [];
      const flush = async (): Promise<void> => {
        if (batch.length > 0) totals.push(...(await this.#dots(batch, () => rows, range)));
        batch = [];
      };
      for (let i = 0; i < n; i++) {
        for (let k = i + 1; k < n; k++) {
          batch.push([i, k, i, k]);
          if (batch.length === WIDE_PAIR_BATCH) await flush();
        }
      }
      await flush();
      assertInvariant(totals.length === pairs, "webgpu: wide distances lost pairs");
      return { kind: "bigint", totals };
    }
    const totals = new Float64Array(pairs);
    if (pairs === 0) return { kind: "float64", totals };
    const gpu = this.#gpu;
    const all = this.#round.updates.map((_, i) => i);
    const rows = all.map((update): ValueRow => ({ update }));
    const tile = DISTANCE_TILE;
    for (const slice of slicesOf(this.#round, range)) {
      const m = maxAbsOver(this.#round, all, slice.index);
      let digits = 1;
      while (2 * m >= 2 ** (10 * digits)) digits++;
      assertInvariant(digits <= 6, "webgpu: a difference of valid updates has at most 6 base-2^10 digits");
      const positions = 2 * digits - 1;
      const factor = Number(tensorFactor(this.#round, slice.index));
      const size = chunkSize(n, 8);
      const staging = new Int32Array(2 * n * Math.min(size, slice.to - slice.from));
      const vals = gpu.storage(4 * staging.length);
      const acc = gpu.storage(8 * positions * tile * tile);
      const source = distanceTile(digits);
      for (const chunk of chunksOf(slice, size)) {
        const started = performance.now();
        await gpu.upload(vals, packLimbs(this.#round, rows, slice.index, chunk.from, chunk.len, staging), started);
        for (let i0 = 0; i0 < n - 1; i0 += tile) {
          const height = Math.min(tile, n - 1 - i0);
          // Only tiles that reach above the diagonal: columns from i0 + 1.
          for (let k0 = i0 + 1; k0 < n; k0 += tile) {
            const width = Math.min(tile, n - k0);
            await gpu.run(source, { n, len: chunk.len, stride: chunk.len, a: i0, b: k0, c: width, d: height }, [vals, acc], width * height);
            const words = new Uint32Array(await gpu.read(acc, 8 * positions * width * height));
            addTile(words, positions, n, i0, k0, width, height, factor, totals);
          }
        }
      }
      vals.destroy();
      acc.destroy();
    }
    return { kind: "float64", totals };
  }

  async scoreDots(members: readonly number[], aggregate: Float64Array, range: CoordinateRange): Promise<ScorePartial> {
    const m = members.length;
    const [a, zero] = [m, m + 1];
    const dotRows: [number, number, number, number][] = [];
    for (let i = 0; i < m; i++) dotRows.push([i, zero, a, zero]);
    for (let i = 0; i < m; i++) dotRows.push([i, zero, i, zero]);
    dotRows.push([a, zero, a, zero]);
    const memberRows = members.map((update): ValueRow => ({ update }));
    const valueRows = (_t: number, start: number, len: number): ValueRow[] => [...memberRows, { values: aggregate.subarray(start, start + len) }, { zero: true }];
    const dots = await this.#dots(dotRows, valueRows, range);
    return { qa: dots.slice(0, m).map(String), qq: dots.slice(m, 2 * m).map(String), aa: String(dots[2 * m] ?? 0n) };
  }

  async close(): Promise<void> {}
}

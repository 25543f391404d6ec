import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";

import { InvariantError } from "../../errors.ts";
import type { AlignedRound } from "../../protocol/alignment.ts";
import { combineDistances, combineScoreDots, splitRange } from "../combine.ts";
import type { AggregatePlan, ComputeBackend, CoordinateRange, DistancePartial, RoundSession, ScorePartial } from "../types.ts";
import { runKernel, type KernelRequest, type KernelResponse } from "./kernels.ts";

/** Options of the cpu backend. */
export type CpuBackendOptions = {
  /**
   * Worker threads; 1 runs every kernel on the calling thread.
   * @defaultValue os.availableParallelism()
   */
  threads?: number;
  /**
   * Rounds with fewer update elements (parameters x updates) run on the calling thread.
   * @defaultValue {@link MIN_THREADED_ELEMENTS}
   */
  minThreadedElements?: number;
};

/**
 * Rounds with fewer update elements than this run on the calling thread: starting a worker (about 100 ms
 * each, loading the kernels) costs more than a single thread needs for them.
 */
export const MIN_THREADED_ELEMENTS = 2 ** 22;

type Pending = { resolve: (value: unknown) => void; reject: (err: Error) => void };

class WorkerChannel {
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  #next = 0;

  constructor() {
    this.#worker = new Worker(new URL("./worker.ts", import.meta.url));
    this.#worker.on("message", (m: { id: number; result?: unknown; error?: string }) => {
      const pending = this.#pending.get(m.id);
      this.#pending.delete(m.id);
      if (m.error !== undefined) pending?.reject(new InvariantError(`cpu worker failed: ${m.error}`));
      else pending?.resolve(m.result);
    });
    this.#worker.on("error", (err) => {
      for (const p of this.#pending.values()) p.reject(err);
      this.#pending.clear();
    });
  }

  call(message: Record<string, unknown>): Promise<unknown> {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ id, ...message });
    });
  }

  terminate(): Promise<number> {
    return this.#worker.terminate();
  }
}

/**
 * The reference backend: typed arrays and exact fast paths, each call split over worker threads by
 * coordinate range and combined exactly. Inputs backed by SharedArrayBuffer are shared, not copied.
 */
export class CpuBackend implements ComputeBackend {
  readonly name = "cpu";
  readonly threads: number;
  readonly #minThreaded: number;
  #channels: WorkerChannel[] = [];

  constructor(options: CpuBackendOptions = {}) {
    this.threads = Math.max(1, Math.floor(options.threads ?? availableParallelism()));
    this.#minThreaded = options.minThreadedElements ?? MIN_THREADED_ELEMENTS;
  }

  async open(round: AlignedRound): Promise<RoundSession> {
    // Workers start lazily, and only for a round big enough to repay their start (a worker loads the kernels anew).
    if (this.threads === 1 || round.size * round.updates.length < this.#minThreaded) return new CpuSession(round, []);
    while (this.#channels.length < this.threads) this.#channels.push(new WorkerChannel());
    await Promise.all(this.#channels.map((c) => c.call({ open: round })));
    return new CpuSession(round, this.#channels);
  }

  async dispose(): Promise<void> {
    const channels = this.#channels;
    this.#channels = [];
    await Promise.all(channels.map((c) => c.terminate()));
  }
}

function sharedFloat64(length: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(length * Float64Array.BYTES_PER_ELEMENT));
}

class CpuSession implements RoundSession {
  readonly #round: AlignedRound;
  readonly #channels: WorkerChannel[];

  constructor(round: AlignedRound, channels: WorkerChannel[]) {
    this.#round = round;
    this.#channels = channels;
  }

  async #run(make: (range: CoordinateRange) => KernelRequest, range: CoordinateRange): Promise<KernelResponse[]> {
    if (this.#channels.length === 0) return [runKernel(this.#round, make(range))];
    const parts = splitRange(range, this.#channels.length);
    return (await Promise.all(parts.map((r, i) => this.#channels[i]?.call({ request: make(r) })))) as KernelResponse[];
  }

  async distances(range: CoordinateRange): Promise<DistancePartial> {
    const parts = (await this.#run((r) => ({ op: "distances", range: r }), range)) as DistancePartial[];
    return combineDistances(parts, this.#round.updates.length);
  }

  async aggregate(plan: AggregatePlan, range: CoordinateRange): Promise<Float64Array> {
    // Threads write their ranges straight into one shared array: no copies of the result.
    const out = sharedFloat64(range.end - range.start);
    await this.#run((r) => ({ op: "aggregate", plan, range: r, out: out.subarray(r.start - range.start, r.end - range.start) }), range);
    return out;
  }

  async scoreDots(members: readonly number[], aggregate: Float64Array, range: CoordinateRange): Promise<ScorePartial> {
    const shared = aggregate.buffer instanceof SharedArrayBuffer || this.#channels.length === 0 ? aggregate : sharedFloat64(aggregate.length);
    if (shared !== aggregate) shared.set(aggregate);
    const make = (r: CoordinateRange): KernelRequest => ({ op: "scoreDots", members: [...members], aggregate: shared.subarray(r.start - range.start, r.end - range.start), range: r });
    const parts = (await this.#run(make, range)) as ScorePartial[];
    const dots = combineScoreDots(parts, members.length);
    return { qa: dots.qa.map(String), qq: dots.qq.map(String), aa: String(dots.aa) };
  }

  async close(): Promise<void> {
    await Promise.all(this.#channels.map((c) => c.call({ close: true })));
  }
}

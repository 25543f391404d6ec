import type { JobsOptions } from "bullmq";

import type { Logger } from "../logger.ts";
import type { NewRoundJobData } from "./jobs/payloads.ts";
import { LIVE_JOB_STATES, roundJobId, roundJobOptions, submitJobId, type JobRetrySettings } from "./queues.ts";

/** The parts of a BullMQ job the enqueuer reads. */
export interface JobStateView {
  readonly id?: string | undefined;
  getState(): Promise<string>;
}

/** The parts of a BullMQ queue the enqueuer uses (an in-memory one in tests). */
export interface EnqueuerQueue {
  getJob(id: string): Promise<JobStateView | undefined>;
  add(name: string, data: object, opts: JobsOptions): Promise<unknown>;
}

/** What {@link RoundEnqueuer} needs. */
export interface EnqueuerDeps {
  readonly chainId: bigint;
  /** This operator's address, lowercase. */
  readonly operator: string;
  readonly queues: { readonly rounds: EnqueuerQueue; readonly submit: EnqueuerQueue };
  readonly retry: JobRetrySettings;
  /** Whether the chain (at the latest block) still needs this operator's attestation of the round. */
  readonly needsAttestation: (roundId: bigint) => Promise<boolean>;
  readonly log: Logger;
}

/** Most generations looked at per round: far more than any round needs before its deadline. */
const MAX_GENERATIONS = 10_000;

/**
 * Puts rounds on the round queue, idempotently, and re-drives rounds whose jobs are finished while
 * the chain still waits for this operator: whatever happened to the earlier jobs (attempts used
 * up, a completed job whose attestation a reorg dropped, a restart), a round that needs this
 * operator gets a fresh job tree under the next generation id. Nothing is re-driven while a job of
 * the round (or its submission) is still waiting, delayed or running. The computation is
 * deterministic, so a new generation signs the same digest as the one before (the signing guard
 * allows exactly that).
 */
export class RoundEnqueuer {
  readonly #deps: EnqueuerDeps;

  constructor(deps: EnqueuerDeps) {
    this.#deps = deps;
  }

  /** Makes sure round `roundId` is being driven. Safe to call any number of times. */
  async enqueue(roundId: bigint, source: "event" | "reconcile"): Promise<void> {
    const { chainId, queues, log } = this.#deps;
    const { generation, job } = await this.#latest(roundId);
    if (job === undefined) return this.#add(roundId, 0, source);
    if (LIVE_JOB_STATES.has(await job.getState())) return;
    const submit = await queues.submit.getJob(submitJobId(roundJobId(chainId, roundId, generation)));
    if (submit !== undefined && LIVE_JOB_STATES.has(await submit.getState())) return;
    if (!(await this.#deps.needsAttestation(roundId))) return;
    log.warn({ roundId: String(roundId), generation: generation + 1, source }, "round still needs this operator's attestation; driving it again");
    return this.#add(roundId, generation + 1, source);
  }

  /** The highest generation of the round's job present in the queue. */
  async #latest(roundId: bigint): Promise<{ generation: number; job: JobStateView | undefined }> {
    const { chainId, queues } = this.#deps;
    let found: { generation: number; job: JobStateView | undefined } = { generation: 0, job: undefined };
    for (let generation = 0; generation < MAX_GENERATIONS; generation += 1) {
      const job = await queues.rounds.getJob(roundJobId(chainId, roundId, generation));
      if (job === undefined) break;
      found = { generation, job };
    }
    return found;
  }

  async #add(roundId: bigint, generation: number, source: "event" | "reconcile"): Promise<void> {
    const { chainId, operator, queues, retry, log } = this.#deps;
    const jobId = roundJobId(chainId, roundId, generation);
    const data: NewRoundJobData = { chainId: String(chainId), roundId: String(roundId), operator, step: "collect" };
    await queues.rounds.add("round", data, roundJobOptions(jobId, retry));
    log.info({ roundId: String(roundId), jobId, source }, "round job queued");
  }
}

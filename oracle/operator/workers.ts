import { Worker, type Job } from "bullmq";

import { createBackend } from "../compute/backends.ts";
import type { ComputeBackend } from "../compute/types.ts";
import { withRetry } from "../chain/retry.ts";
import { processShard } from "./jobs/aggregate-shard.ts";
import { processFetch } from "./jobs/fetch-update.ts";
import { FetchJobSchema, ShardJobSchema } from "./jobs/payloads.ts";
import { processRound } from "./jobs/round.ts";
import { QUEUES } from "./queues.ts";
import type { OperatorRuntime } from "./runtime.ts";

/** The compute workers of one process and how to stop them. */
export interface ComputeWorkers {
  readonly workers: readonly Worker[];
  readonly backend: ComputeBackend;
  /** Stops taking jobs, lets running ones finish, releases the backend. */
  close(): Promise<void>;
}

/**
 * Starts this process's workers on the round, fetch and shard queues. They need only Redis, the
 * RPC endpoint and the store; the operator key never reaches them.
 */
export async function startComputeWorkers(runtime: OperatorRuntime): Promise<ComputeWorkers> {
  const { config, log, store, limits } = runtime;
  // Lazy: a worker that never gets a job (chain down, stopping) never probes the GPU.
  const backend = await createBackend(config.BACKEND, { log, lazy: true });
  const options = {
    // Names the process in each job's `processedBy`, so an operator can see (and tests can find) who holds a job.
    name: `pid-${process.pid}`,
    connection: runtime.connection,
    prefix: config.QUEUE_PREFIX,
    concurrency: config.WORKER_CONCURRENCY,
    lockDuration: config.LOCK_DURATION_MS,
    stalledInterval: Math.max(1_000, Math.floor(config.LOCK_DURATION_MS / 2)),
    maxStalledCount: 3,
  };
  const workers = [
    new Worker(
      QUEUES.rounds,
      (job: Job, token?: string) =>
          processRound(job, token ?? "", {
            readRound: (roundId) => runtime.readRound(roundId),
            attestationOf: (roundId, operator) =>
              withRetry(() => runtime.contracts.rounds.attestationOf(roundId, operator), { log, what: "attestationOf" }),
            store,
            limits,
            shardSize: config.SHARD_SIZE,
            retry: runtime.retry,
            queues: runtime.queues,
            log,
          }),
      options,
    ),
    new Worker(QUEUES.fetch, (job: Job) => processFetch(FetchJobSchema.parse(job.data), { store, limits }), options),
    new Worker(QUEUES.shards, (job: Job) => processShard(ShardJobSchema.parse(job.data), { store, backend }), options),
  ];
  for (const worker of workers) {
    worker.on("failed", (job, err) => {
      log.warn({ err, jobId: job?.id, queue: worker.name, attemptsMade: job?.attemptsMade }, "job failed");
    });
    worker.on("error", (err) => log.error({ err, queue: worker.name }, "worker error"));
  }
  log.info({ backend: backend.name, queues: workers.map((w) => w.name), concurrency: config.WORKER_CONCURRENCY }, "compute workers started");
  return {
    workers,
    backend,
    async close() {
      const results = await Promise.allSettled(workers.map((w) => w.close()));
      for (const r of results) if (r.status === "rejected") log.error({ err: r.reason }, "worker close failed");
      await backend.dispose();
      const failed = results.filter((r) => r.status === "rejected");
      if (failed.length > 0) throw new AggregateError(failed.map((r) => r.reason), `${failed.length} compute worker(s) failed to close`);
    },
  };
}

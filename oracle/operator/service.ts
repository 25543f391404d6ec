import { Job, QueueEvents, type Queue } from "bullmq";

import { loadWallet } from "../chain/signer.ts";
import { workerEnvironment, type OperatorConfig } from "../config.ts";
import type { Logger } from "../logger.ts";
import { needsAttestationAtLatest, watcherChain } from "./chain-view.ts";
import { startHttpServer, type RunningHttpServer } from "./http-server.ts";
import { createOperatorMetrics, type OperatorMetrics } from "./metrics.ts";
import { QUEUES } from "./queues.ts";
import { checkRedisForBullmq } from "./redis-checks.ts";
import { createRedisClient, serversOf, type RedisClient } from "./redis-connection.ts";
import { RoundEnqueuer } from "./round-enqueuer.ts";
import { openRuntime, type OperatorRuntime } from "./runtime.ts";
import { startSubmitter } from "./submitter-worker.ts";
import { RedisCursorStore, RoundWatcher } from "./watcher.ts";
import { startWorkerSupervisor, type WorkerSupervisor } from "./worker-supervisor.ts";
import { startComputeWorkers, type ComputeWorkers } from "./workers.ts";

/**
 * Stage durations and update rejections for /metrics, from BullMQ's completion events: compute
 * workers may run in other processes or on other machines, so the main process measures them
 * from the jobs' own timestamps.
 */
function observeStages(runtime: OperatorRuntime, metrics: OperatorMetrics, log: Logger): QueueEvents[] {
  const stages: [Queue, "fetch" | "aggregate" | "assemble"][] = [
    [runtime.queues.fetch, "fetch"],
    [runtime.queues.shards, "aggregate"],
    [runtime.queues.rounds, "assemble"],
  ];
  return stages.map(([queue, stage]) => {
    const events = new QueueEvents(queue.name, { connection: runtime.connection, prefix: runtime.config.QUEUE_PREFIX });
    events.on("completed", ({ jobId, returnvalue }) => {
      void Job.fromId(queue, jobId).then(
        (job) => {
          if (job?.processedOn && job.finishedOn) metrics.stageSeconds.observe({ stage }, (job.finishedOn - job.processedOn) / 1000);
          const value = returnvalue as unknown;
          if (queue.name === QUEUES.fetch && typeof value === "object" && value !== null && "reason" in value) {
            metrics.failures.inc({ reason: String(value.reason) });
          }
        },
        (err: unknown) => log.warn({ err, jobId }, "could not read a completed job for metrics"),
      );
    });
    events.on("failed", () => metrics.failures.inc({ reason: `job-${stage}` }));
    events.on("error", (err) => log.error({ err, queue: queue.name }, "queue events error"));
    return events;
  });
}

/** A running operator: `stop()` shuts it down gracefully (what SIGTERM does). */
export interface RunningOperator {
  readonly address: string;
  readonly metrics: OperatorMetrics;
  readonly runtime: OperatorRuntime;
  readonly http: RunningHttpServer | undefined;
  readonly watcher: RoundWatcher;
  /** Process ids of the running compute worker processes. */
  workerPids(): number[];
  /** Stops, then deletes this operator's queues and cursor from Redis (for throwaway chains such as the demo's). */
  stopAndPurge(): Promise<void>;
  /**
   * Closes every part, in reverse order of starting, even when one fails.
   * @throws {AggregateError} with every close that failed (each is also logged).
   */
  stop(): Promise<void>;
}

/** One part of a running operator and how to close it. */
type Part = readonly [name: string, close: () => Promise<void>];

/**
 * Closes `parts` last-started first. Every close runs; each failure is logged and collected (the
 * BullMQ `close()` loop), and the collected failures are thrown together at the end.
 * @throws {AggregateError} when any close failed.
 */
export async function closeAll(parts: readonly Part[], log: Logger): Promise<void> {
  const failures: unknown[] = [];
  for (const [name, close] of [...parts].reverse()) {
    try {
      await close();
    } catch (err) {
      failures.push(err);
      log.error({ err, part: name }, "closing a part of the operator failed");
    }
  }
  if (failures.length > 0) throw new AggregateError(failures, `${failures.length} part(s) of the operator failed to close`);
}

/** The metrics registry with live queue counts. */
function operatorMetrics(runtime: OperatorRuntime): OperatorMetrics {
  return createOperatorMetrics(async () => {
    const out: Record<string, Record<string, number>> = {};
    for (const queue of Object.values(runtime.queues)) out[queue.name] = await queue.getJobCounts("waiting", "active", "delayed", "failed", "waiting-children");
    return out;
  });
}

/** The chain watcher with the round enqueuer behind it (reconciling every `RECONCILE_INTERVAL_MS`). */
function roundWatcher(runtime: OperatorRuntime, redis: RedisClient, address: string, metrics: OperatorMetrics, log: Logger): { watcher: RoundWatcher; cursorKey: string } {
  const { config, deployment } = runtime;
  const enqueuer = new RoundEnqueuer({
    chainId: deployment.chainId,
    operator: address,
    queues: runtime.queues,
    retry: runtime.retry,
    needsAttestation: needsAttestationAtLatest(runtime, address),
    log: log.child({ module: "round-enqueuer" }),
  });
  const cursorKey = `${config.QUEUE_PREFIX}:watcher:${deployment.chainId}:${deployment.contracts.rounds.toLowerCase()}:${address}`;
  const watcher = new RoundWatcher({
    chain: watcherChain(runtime, address),
    cursors: new RedisCursorStore(redis, cursorKey),
    enqueue: (roundId, source) => enqueuer.enqueue(roundId, source),
    log: log.child({ module: "chain-watcher" }),
    confirmations: config.CONFIRMATIONS,
    pollIntervalMs: config.POLL_INTERVAL_MS,
    reconcileIntervalMs: config.RECONCILE_INTERVAL_MS,
    onProgress: (cursor) => metrics.watcherBlock.set(cursor.number),
  });
  return { watcher, cursorKey };
}

/**
 * Starts an operator: chain watcher and round enqueuer, submitter (the only holder of the key),
 * metrics and health endpoint, and `WORKERS` compute worker processes (`cw operator worker`),
 * restarted if they die. With `WORKERS=0` the compute workers run in this process. A part that
 * fails to start closes the parts started before it.
 */
export async function startOperator(config: OperatorConfig, redisUrl: string, log: Logger): Promise<RunningOperator> {
  const parts: Part[] = [];
  try {
    const runtime = await openRuntime(config, redisUrl, log);
    parts.push(["runtime", () => runtime.close()]);
    const redis = createRedisClient(redisUrl);
    redis.on("error", (err) => log.error({ err }, "redis connection error"));
    parts.push(["redis", async () => redis.disconnect()]);
    for (const server of await serversOf(redis)) for (const warning of await checkRedisForBullmq(server)) log.warn({ redis: "settings" }, warning);

    const wallet = await loadWallet({ privateKey: config.ORACLE_PRIVATE_KEY, keystore: config.KEYSTORE, keystorePassword: config.KEYSTORE_PASSWORD }, runtime.provider);
    const address = (await wallet.getAddress()).toLowerCase();
    const metrics = operatorMetrics(runtime);
    const http = config.METRICS_PORT === 0 ? undefined : await startHttp(config, runtime, redis, metrics, address, () => (supervisor ? supervisor.pids().length : "in-process"));
    if (http) parts.push(["http", () => http.close()]);
    const queueEvents = observeStages(runtime, metrics, log);
    parts.push(["queue events", async () => void (await Promise.all(queueEvents.map((events) => events.close())))]);
    const submitter = startSubmitter({ runtime, wallet, address, metrics, log });
    parts.push(["submitter", () => submitter.close()]);

    let supervisor: WorkerSupervisor | undefined;
    let inProcess: ComputeWorkers | undefined;
    if (config.WORKERS === 0) {
      inProcess = await startComputeWorkers(runtime);
      const workers = inProcess;
      parts.push(["compute workers", () => workers.close()]);
    } else {
      const started = startWorkerSupervisor({ count: config.WORKERS, env: workerEnvironment(config, redisUrl), log });
      supervisor = started;
      parts.push(["worker processes", () => started.close()]);
    }

    const { watcher, cursorKey } = roundWatcher(runtime, redis, address, metrics, log);
    parts.push(["watcher", () => watcher.stop()]);
    await watcher.start();
    log.info({ operator: address, chainId: String(runtime.deployment.chainId), workers: config.WORKERS, metrics: http?.url }, "operator started");

    const stop = async (): Promise<void> => {
      await closeAll(parts, log);
      log.info("operator stopped");
    };
    return {
      address,
      metrics,
      runtime,
      http,
      watcher,
      workerPids: () => supervisor?.pids() ?? [],
      async stopAndPurge() {
        await stop();
        await purge(config, redisUrl, cursorKey, log);
      },
      stop,
    };
  } catch (err) {
    await closeAll(parts, log).catch((closeErr: unknown) => log.error({ err: closeErr }, "cleanup after a failed start failed"));
    throw err;
  }
}

function startHttp(
  config: OperatorConfig,
  runtime: OperatorRuntime,
  redis: RedisClient,
  metrics: OperatorMetrics,
  address: string,
  workers: () => number | "in-process",
): Promise<RunningHttpServer> {
  return startHttpServer({
    port: config.METRICS_PORT,
    registry: metrics.registry,
    dashboardQueues: config.DASHBOARD ? Object.values(runtime.queues) : undefined,
    health: async () => {
      const redisOk = (await redis.ping().catch(() => "down")) === "PONG";
      const head = await runtime.provider.getBlockNumber().catch(() => undefined);
      return { ok: redisOk && head !== undefined, redis: redisOk, chainHead: head ?? null, workers: workers(), operator: address };
    },
  });
}

/** Deletes an operator's queues and watcher cursor from Redis. */
async function purge(config: OperatorConfig, redisUrl: string, cursorKey: string, log: Logger): Promise<void> {
  const purger = createRedisClient(redisUrl);
  try {
    const queues = await openRuntime(config, redisUrl, log);
    try {
      for (const queue of Object.values(queues.queues)) await queue.obliterate({ force: true });
    } finally {
      await queues.close();
    }
    await purger.del(cursorKey);
  } finally {
    purger.disconnect();
  }
}

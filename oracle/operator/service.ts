import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { Job, QueueEvents, Worker, type Queue } from "bullmq";

import { loadWallet } from "../chain/signer.ts";
import { connectContracts } from "../chain/contracts.ts";
import { SECRET_VARIABLES, type OperatorConfig } from "../config.ts";
import type { Logger } from "../logger.ts";
import { roundResultDomain } from "../protocol/attestation.ts";
import { watcherChain } from "./chain-view.ts";
import { startHttpServer, type RunningHttpServer } from "./http-server.ts";
import { SubmitJobSchema } from "./jobs/payloads.ts";
import { createOperatorMetrics, type OperatorMetrics } from "./metrics.ts";
import { QUEUES, roundJobId } from "./queue-names.ts";
import { checkRedisForBullmq } from "./redis-checks.ts";
import { createRedisClient, serversOf } from "./redis-connection.ts";
import { openRuntime, SUBMIT_QUEUE, type OperatorRuntime } from "./runtime.ts";
import { SigningGuard } from "./signing-guard.ts";
import { processSubmit } from "./submitter.ts";
import { RedisCursorStore, RoundWatcher } from "./watcher.ts";
import { startComputeWorkers, type ComputeWorkers } from "./workers.ts";

const CW_BIN = fileURLToPath(new URL("../../bin/cw.js", import.meta.url));
/** Delay before a crashed worker process is restarted; doubles up to a minute. */
const RESTART_DELAY_MS = 1_000;

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

/**
 * The environment of a compute worker process: this operator's settings without its secrets, so
 * the key never leaves the process that signs.
 */
export function workerEnvironment(config: OperatorConfig, redisUrl: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, REDIS_URL: redisUrl };
  for (const [name, value] of Object.entries(config)) {
    if (SECRET_VARIABLES.has(name) || name === "KEYSTORE") delete env[name];
    else if (value !== undefined) env[name] = String(value);
  }
  return env;
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
  stop(): Promise<void>;
}

/**
 * Starts an operator: chain watcher, submitter (the only holder of the key), metrics and health
 * endpoint, and `WORKERS` compute worker processes (`cw operator worker`), restarted if they die.
 * With `WORKERS=0` the compute workers run in this process.
 */
export async function startOperator(config: OperatorConfig, redisUrl: string, log: Logger): Promise<RunningOperator> {
  const runtime = await openRuntime(config, redisUrl, log);
  const redis = createRedisClient(redisUrl);
  redis.on("error", (err) => log.error({ err }, "redis connection error"));
  for (const server of await serversOf(redis)) for (const warning of await checkRedisForBullmq(server)) log.warn({ redis: "settings" }, warning);

  const wallet = await loadWallet({ privateKey: config.ORACLE_PRIVATE_KEY, keystore: config.KEYSTORE, keystorePassword: config.KEYSTORE_PASSWORD }, runtime.provider);
  const address = (await wallet.getAddress()).toLowerCase();
  const { deployment } = runtime;
  const metrics = createOperatorMetrics(async () => {
    const out: Record<string, Record<string, number>> = {};
    for (const queue of Object.values(runtime.queues)) out[queue.name] = await queue.getJobCounts("waiting", "active", "delayed", "failed", "waiting-children");
    return out;
  });
  const signed = connectContracts(deployment, wallet);
  const domain = roundResultDomain(deployment.chainId, deployment.contracts.rounds);
  const guard = new SigningGuard(join(config.WORK_DIR, "signed", address));
  const submitter = new Worker(
    SUBMIT_QUEUE,
    async (job: Job) => {
      const stop = metrics.stageSeconds.startTimer({ stage: "submit" });
      try {
        const outcome = await processSubmit(SubmitJobSchema.parse(job.data), { wallet, contracts: signed, domain, store: runtime.store, guard, log });
        metrics.rounds.inc({ outcome: outcome.outcome });
        return outcome;
      } finally {
        stop();
      }
    },
    { connection: runtime.connection, prefix: config.QUEUE_PREFIX, concurrency: 1, lockDuration: config.LOCK_DURATION_MS },
  );
  submitter.on("failed", (job, err) => {
    metrics.failures.inc({ reason: "submit" });
    log.warn({ err, jobId: job?.id }, "submission failed");
  });
  submitter.on("error", (err) => log.error({ err }, "submitter error"));

  const enqueue = async (roundId: bigint, source: "event" | "reconcile"): Promise<void> => {
    const jobId = roundJobId(deployment.chainId, roundId);
    const existing = await runtime.queues.rounds.getJob(jobId);
    if (existing && (await existing.isFailed())) {
      await existing.retry("failed");
      log.info({ roundId: String(roundId), jobId, source }, "retrying failed round job");
      return;
    }
    await runtime.queues.rounds.add("round", { chainId: String(deployment.chainId), roundId: String(roundId), operator: address }, {
      jobId,
      attempts: 5,
      backoff: { type: "exponential", delay: 2_000 },
    });
  };
  const cursorKey = `${config.QUEUE_PREFIX}:watcher:${deployment.chainId}:${deployment.contracts.rounds.toLowerCase()}:${address}`;
  const watcher = new RoundWatcher({
    chain: watcherChain(runtime, address),
    cursors: new RedisCursorStore(redis, cursorKey),
    enqueue,
    log: log.child({ module: "chain-watcher" }),
    confirmations: config.CONFIRMATIONS,
    pollIntervalMs: config.POLL_INTERVAL_MS,
    onProgress: (cursor) => metrics.watcherBlock.set(cursor.number),
  });

  let inProcess: ComputeWorkers | undefined;
  const children = new Set<ChildProcess>();
  let stopping = false;
  const spawnWorker = (delayMs: number): void => {
    const child = spawn(process.execPath, [CW_BIN, "operator", "worker"], { env: workerEnvironment(config, redisUrl), stdio: ["ignore", "inherit", "inherit"] });
    children.add(child);
    child.once("exit", (code, signal) => {
      children.delete(child);
      if (stopping) return;
      log.error({ pid: child.pid, code, signal }, "compute worker exited; restarting");
      setTimeout(() => spawnWorker(Math.min(delayMs * 2, 60_000)), delayMs).unref();
    });
  };
  const queueEvents = observeStages(runtime, metrics, log);
  if (config.WORKERS === 0) inProcess = await startComputeWorkers(runtime);
  else for (let i = 0; i < config.WORKERS; i += 1) spawnWorker(RESTART_DELAY_MS);

  const http =
    config.METRICS_PORT === 0
      ? undefined
      : await startHttpServer({
          port: config.METRICS_PORT,
          registry: metrics.registry,
          dashboardQueues: config.DASHBOARD ? Object.values(runtime.queues) : undefined,
          health: async () => {
            const redisOk = (await redis.ping().catch(() => "down")) === "PONG";
            const head = await runtime.provider.getBlockNumber().catch(() => undefined);
            return { ok: redisOk && head !== undefined, redis: redisOk, chainHead: head ?? null, workers: config.WORKERS === 0 ? "in-process" : children.size, operator: address };
          },
        });
  await watcher.start();
  log.info({ operator: address, chainId: String(deployment.chainId), workers: config.WORKERS, metrics: http?.url }, "operator started");

  const stop = async (): Promise<void> => {
    stopping = true;
    await watcher.stop();
    const exits = [...children].map((child) => new Promise((resolve) => child.once("exit", resolve)));
    for (const child of children) child.kill("SIGTERM");
    await Promise.all(exits);
    await inProcess?.close();
    await submitter.close();
    await Promise.allSettled(queueEvents.map((events) => events.close()));
    await http?.close();
    await runtime.close();
    redis.disconnect();
    log.info("operator stopped");
  };

  return {
    address,
    metrics,
    runtime,
    http,
    watcher,
    workerPids: () => [...children].flatMap((child) => (child.pid === undefined ? [] : [child.pid])),
    async stopAndPurge() {
      const purger = createRedisClient(redisUrl);
      try {
        await stop();
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
    },
    stop,
  };
}

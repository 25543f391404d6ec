import { type Command } from "commander";

import { connectChain, type ChainConnection } from "../../chain/connect.ts";
import { formatTokens, parseTokens } from "../../chain/units.ts";
import { describeSettings, loadOperatorConfig, OperatorConfigSchema, type OperatorConfig } from "../../config.ts";
import { createLogger, type Logger } from "../../logger.ts";
import { findOrStartRedis, redactUrl } from "../../operator/redis-server.ts";
import { openRuntime } from "../../operator/runtime.ts";
import { startOperator } from "../../operator/service.ts";
import { startComputeWorkers } from "../../operator/workers.ts";
import { claimOperatorShare } from "../../keeper/upkeep.ts";
import { registerOperator } from "../../staking/stake.ts";
import { roundFlag } from "./keeper.ts";
import { untilSignal } from "../signals.ts";

const SETTINGS_HELP = `\nSettings (environment variables or an --env-file; default, description):\n${describeSettings(OperatorConfigSchema)}\n`;

/** Resolves a Redis for the operator; a private one (dev only) is announced as such. */
async function redisFor(config: OperatorConfig, log: Logger): Promise<{ url: string; stop: () => Promise<void> }> {
  const redis = await findOrStartRedis(config.REDIS_URL);
  if (redis.started) log.warn({ redis: redactUrl(redis.url) }, "started a private redis-server for this process; set REDIS_URL for a persistent one");
  return redis;
}

/** Connects with the operator's key; always closes the connection. */
async function withOperatorKey(envFile: string | undefined, run: (connection: ChainConnection) => Promise<void>): Promise<void> {
  const config = loadOperatorConfig({ envFile });
  const connection = await connectChain({
    rpcUrl: config.RPC_URL,
    deployment: config.DEPLOYMENT,
    key: { privateKey: config.ORACLE_PRIVATE_KEY, keystore: config.KEYSTORE, keystorePassword: config.KEYSTORE_PASSWORD },
  });
  try {
    await run(connection);
  } finally {
    connection.close();
  }
}

/**
 * Exits this worker once its standard input reaches end-of-file: the parent holds the other end of
 * the pipe, and the kernel closes it whenever the parent dies, `kill -9` included. Running jobs are
 * abandoned; their locks expire and another worker re-runs them.
 */
function exitWhenStdinCloses(log: Logger): () => void {
  const exit = (): void => {
    log.warn("parent process went away; exiting");
    process.exit(0);
  };
  process.stdin.on("end", exit);
  process.stdin.on("close", exit);
  process.stdin.on("error", exit);
  process.stdin.resume();
  return () => {
    process.stdin.off("end", exit);
    process.stdin.off("close", exit);
    process.stdin.off("error", exit);
    process.stdin.destroy();
  };
}

/** `cw operator ...`: run and manage an oracle operator. */
export function register(program: Command): void {
  const operator = program.command("operator").description("run and manage an oracle operator");

  operator
    .command("start")
    .description("watch the chain, compute closed rounds with a worker pool, and attest results")
    .option("--env-file <file>", "read settings from this file (default: .env when present)")
    .addHelpText("after", SETTINGS_HELP)
    .action(async (opts: { envFile?: string }) => {
      const config = loadOperatorConfig({ envFile: opts.envFile });
      const log = createLogger(config).child({ process: "operator" });
      const redis = await redisFor(config, log);
      const running = await startOperator(config, redis.url, log);
      await untilSignal(async () => {
        await running.stop();
        await redis.stop();
      }, log);
    });

  operator
    .command("worker")
    .description("a compute worker only (fetch, shard, round jobs); needs REDIS_URL, RPC_URL and the store, never the key")
    .option("--env-file <file>", "read settings from this file (default: .env when present)")
    .option("--no-env-file", "read no settings file (workers started by `operator start` get their settings from it)")
    .option("--exit-with-parent", "exit when standard input closes (the parent `operator start` went away, even by SIGKILL)")
    .addHelpText("after", SETTINGS_HELP)
    .action(async (opts: { envFile?: string | false; exitWithParent?: boolean }) => {
      const config = loadOperatorConfig({ envFile: opts.envFile, requireKey: false });
      const log = createLogger(config).child({ process: "worker", pid: process.pid });
      const releaseStdin = opts.exitWithParent ? exitWhenStdinCloses(log) : undefined;
      const redis = await redisFor(config, log);
      const runtime = await openRuntime(config, redis.url, log);
      const workers = await startComputeWorkers(runtime);
      await untilSignal(async () => {
        try {
          await workers.close();
          await runtime.close();
          await redis.stop();
        } finally {
          releaseStdin?.();
        }
      }, log);
    });

  operator
    .command("register")
    .description("stake what is missing of the minimum operator stake (or --stake) and register as an operator; safe to retry")
    .option("--stake <tokens>", "free stake to hold, in tokens (default: the policy's minimum operator stake)")
    .option("--env-file <file>", "read settings from this file (default: .env when present)")
    .addHelpText("after", SETTINGS_HELP)
    .action(async (opts: { stake?: string; envFile?: string }) => {
      const stake = opts.stake === undefined ? undefined : parseTokens("--stake", opts.stake);
      await withOperatorKey(opts.envFile, async ({ contracts }) => {
        const done = await registerOperator(contracts, stake === undefined ? {} : { stake });
        const staked = done.topUp.staked > 0n ? `staked ${formatTokens(done.topUp.staked)}, ` : "";
        process.stdout.write(done.alreadyRegistered ? `${done.operator} is already registered as an operator\n` : `${staked}registered ${done.operator} as an operator (tx ${done.register?.hash})\n`);
      });
    });

  operator
    .command("claim")
    .description("claim this operator's share of a finalized round it attested")
    .option("--round <id>", "the round")
    .option("--env-file <file>", "read settings from this file (default: .env when present)")
    .action(async (opts: { round?: string; envFile?: string }) => {
      const roundId = roundFlag(opts.round);
      await withOperatorKey(opts.envFile, async ({ contracts, wallet }) => {
        const before = await contracts.token.balanceOf(wallet?.address ?? "");
        const tx = await claimOperatorShare(contracts, roundId, wallet?.address ?? "");
        const paid = (await contracts.token.balanceOf(wallet?.address ?? "")) - before;
        process.stdout.write(`claimed the operator share of round ${roundId}: ${formatTokens(paid)} (tx ${tx.hash})\n`);
      });
    });

  operator
    .command("status")
    .description("print the queues, the last rounds this operator computed, and its registration")
    .option("--env-file <file>", "read settings from this file (default: .env when present)")
    .action(async (opts: { envFile?: string }) => {
      const config = loadOperatorConfig({ envFile: opts.envFile, requireKey: false });
      const log = createLogger({ LOG_LEVEL: "warn" });
      const redis = await findOrStartRedis(config.REDIS_URL);
      const runtime = await openRuntime(config, redis.url, log);
      try {
        const queues: Record<string, Record<string, number>> = {};
        for (const queue of Object.values(runtime.queues)) queues[queue.name] = await queue.getJobCounts();
        const recent = await runtime.queues.rounds.getJobs(["completed", "failed", "active", "waiting-children"], 0, 9);
        const rounds = recent.map((job) => ({ round: job.data?.roundId, state: job.finishedOn ? (job.failedReason ? "failed" : "done") : "running", step: job.data?.step, result: job.returnvalue ?? job.failedReason ?? null }));
        const chain = { threshold: String(await runtime.contracts.oracleRegistry.threshold()), operators: String(await runtime.contracts.oracleRegistry.operatorCount()) };
        process.stdout.write(`${JSON.stringify({ queues, rounds, chain }, null, 2)}\n`);
      } finally {
        await runtime.close();
        await redis.stop();
      }
    });
}

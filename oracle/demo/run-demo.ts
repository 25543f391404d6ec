import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";

import { pino } from "pino";

import { ContributorConfigSchema } from "../config.ts";
import { loadLocalData } from "../contributor/local-data.ts";
import type { PartitionScheme } from "../contributor/partition.ts";
import { openSession, type ContributorSession } from "../contributor/session.ts";
import { evaluate } from "../contributor/train.ts";
import { modelFileToWeights } from "../contributor/weights.ts";
import { DEVNET_POLICY, startDevnet, type Devnet } from "../devnet/devnet.ts";
import { devnetOperatorConfig } from "../devnet/operator-config.ts";
import { createLogger } from "../logger.ts";
import { findOrStartRedis, type RedisHandle } from "../operator/redis-server.ts";
import { startOperator, type RunningOperator } from "../operator/service.ts";
import { writeReport } from "../report/render.ts";
import { parseDemoSummary, type DemoSummary, type ProposalSummary, type RoundSummary } from "../report/summary.ts";
import { castOf } from "./cast.ts";
import { runDemoRound, type DemoWorld } from "./demo-round.ts";
import { changeRule, delegateToSelf } from "./governance.ts";
import { printRoundTable } from "./round-table.ts";
import { Progress } from "./progress.ts";

const HOUR = 3600;
const TOKEN = 10n ** 18n;

/** What `npm run demo` takes; every field has a default so the demo needs no configuration. */
export interface DemoOptions {
  readonly rounds: number;
  readonly contributors: number;
  readonly operators: number;
  /** Compute worker processes per operator. */
  readonly workers: number;
  /** "hardhat" (in-process chain) or a configured network such as "localhost". */
  readonly network: string;
  readonly redisUrl: string | undefined;
  readonly seed: string;
  readonly epochs: number;
  readonly partition: "iid" | "shards" | "dirichlet";
  readonly reportDir: string | undefined;
  readonly jsonFile: string | undefined;
  readonly quiet: boolean;
}

export const DEFAULT_DEMO_OPTIONS: DemoOptions = {
  rounds: 4,
  contributors: 8,
  operators: 3,
  workers: 1,
  network: "hardhat",
  redisUrl: undefined,
  seed: "commonweight-demo",
  epochs: 1,
  partition: "dirichlet",
  reportDir: "demo-report",
  jsonFile: undefined,
  quiet: false,
};

/**
 * The demo's genesis policy: fedavg, the devnet's short windows and bound C = 8, and Cdp = 1 with a
 * small noise multiplier so that a handful of contributors learn quickly (the README states the
 * epsilon this gives, which is no meaningful formal guarantee).
 */
const DEMO_POLICY = { ...DEVNET_POLICY, dpClipNormE6: 1_000_000, dpNoiseMultiplierE6: 5_000 } as const;

const DEMO_GOVERNANCE = { timelockDelaySeconds: HOUR, votingDelaySeconds: 60, votingPeriodSeconds: 6 * HOUR } as const;

/** Runs the whole system end to end and returns the summary; also writes the report and JSON if asked. */
export async function runDemo(options: DemoOptions): Promise<DemoSummary> {
  const started = Date.now();
  const progress = new Progress({ quiet: options.quiet });
  const threshold = Math.floor(options.operators / 2) + 1;
  const redis = await findOrStartRedis(options.redisUrl);
  progress.line(`redis: ${redis.started ? "started a private redis-server" : "using"} ${redis.url}`);
  const work = await mkdtemp(join(tmpdir(), "cw-demo-"));
  const cleanups: (() => Promise<void>)[] = [() => rm(work, { recursive: true, force: true }), () => redis.stop()];
  try {
    const devnet = await startDevnet({
      dir: work,
      operators: options.operators,
      contributors: options.contributors,
      operatorThreshold: BigInt(threshold),
      policy: DEMO_POLICY,
      governance: DEMO_GOVERNANCE,
      genesisSeed: options.seed,
      ...(options.network === "hardhat" ? {} : { network: options.network }),
    });
    cleanups.unshift(() => devnet.close());
    progress.line(`chain: suite deployed on ${devnet.deployment.network} (chain ${devnet.deployment.chainId}); RPC for workers at ${devnet.bridge.url}`);
    const operators = await startOperators(devnet, redis, options, work, threshold);
    // The demo's chain is thrown away, so are its queues (a later run reuses chain id and addresses).
    cleanups.unshift(async () => {
      for (const op of operators) await op.stopAndPurge();
    });
    progress.line(`operators: ${operators.length} running, ${threshold} must agree, ${options.workers} worker process(es) each`);

    const sessions = new Map<number, ContributorSession>();
    for (const [i, key] of devnet.contributorKeys.entries()) {
      const config = ContributorConfigSchema.parse({
        RPC_URL: devnet.bridge.url,
        DEPLOYMENT: devnet.manifestPath,
        CONTRIBUTOR_PRIVATE_KEY: key,
        CONTRIBUTOR_STATE_DIR: join(work, `contributor-${i}`),
        STORE_DIR: devnet.store.root,
        LOG_LEVEL: "warn",
      });
      sessions.set(i, await openSession(config, true));
    }
    cleanups.unshift(async () => {
      for (const s of sessions.values()) s.close();
    });
    const cast = castOf(devnet.contributors);
    const scheme: PartitionScheme = options.partition === "iid" ? { kind: "iid" } : options.partition === "shards" ? { kind: "shards", shardsPerContributor: 2 } : { kind: "dirichlet", alpha: 0.5, minSize: 100 };
    const test = loadLocalData({ contributor: 0, contributors: options.contributors, scheme, seed: options.seed }).test;
    const genesis = await devnet.store.get(devnet.genesis.hash);
    const baselineAccuracy = genesis ? (await evaluate(modelFileToWeights(genesis), test)).accuracy : 0;
    progress.line(`contributors: ${cast.map((m) => m.label).join(", ")}; genesis model test accuracy ${(baselineAccuracy * 100).toFixed(1)}%`);

    const voters = [devnet.deployer, ...cast.filter((m) => m.role === "honest").slice(0, 2).map((m) => m.signer)];
    await delegateToSelf(devnet.as(devnet.deployer), devnet.deployer);
    const world: DemoWorld = { devnet, cast, sessions, operators, test, scheme, seed: options.seed, epochs: options.epochs, budget: 1_000n * TOKEN, progress };
    const stakes = new Map<string, { round: number; stake: string }[]>();
    await recordStakes(devnet, cast.map((m) => m.signer.address), 0, stakes);

    const rounds: RoundSummary[] = [];
    const governance: ProposalSummary[] = [];
    const changeAfter = Math.max(1, Math.floor(options.rounds / 2));
    for (let r = 1; r <= options.rounds; r += 1) {
      rounds.push(await runDemoRound(world, `round ${r}/${options.rounds}`));
      await recordStakes(devnet, cast.map((m) => m.signer.address), r, stakes);
      if (r === changeAfter && r < options.rounds) {
        const candidates = cast.filter((m) => m.role === "honest" || m.role === "poisoner").length;
        const toRule = candidates >= 5 ? "multi-krum" : "median";
        progress.line(`governance · token holders vote to switch the aggregation rule to ${toRule}`);
        const outcome = await changeRule({
          connection: devnet.connection,
          proposer: devnet.as(devnet.deployer),
          voters: voters.map((v) => ({ contracts: devnet.as(v), reason: "a poisoned update got into the fedavg average; robust aggregation excludes it" })),
          toRule,
          krumF: 1,
          minContributors: toRule === "multi-krum" ? 5 : 2,
          onStep: (step) => progress.line(`governance · ${step}`),
        });
        governance.push({ ...outcome, votesFor: outcome.votesFor.toString(), votesAgainst: outcome.votesAgainst.toString(), proposedAtRound: r, executedBeforeRound: r + 1 });
      }
    }

    const summary = parseDemoSummary({
      generatedAt: new Date().toISOString(),
      config: { rounds: options.rounds, contributors: options.contributors, operators: options.operators, threshold, workers: options.workers, seed: options.seed, network: devnet.deployment.network, partition: options.partition, backend: "cpu" },
      machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? "unknown", memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10, node: process.version },
      baselineAccuracy,
      rounds,
      contributors: cast.map((m) => ({
        address: m.signer.address.toLowerCase(),
        label: m.label,
        role: m.role,
        totalReward: rounds.reduce((sum, r) => sum + BigInt(r.rewards[m.signer.address.toLowerCase()] ?? "0"), 0n).toString(),
        stakeHistory: stakes.get(m.signer.address.toLowerCase()) ?? [],
      })),
      governance,
      totals: {
        budget: rounds.reduce((s, r) => s + BigInt(r.budget), 0n).toString(),
        paid: rounds.reduce((s, r) => s + BigInt(r.paid), 0n).toString(),
        slashed: rounds.reduce((s, r) => s + r.slashes.reduce((a, x) => a + BigInt(x.amount), 0n), 0n).toString(),
        durationMs: Date.now() - started,
      },
    });
    if (!options.quiet) printRoundTable(summary);
    if (options.reportDir) progress.line(`report: ${await writeReport(options.reportDir, summary)}`);
    if (options.jsonFile) {
      await writeFile(options.jsonFile, `${JSON.stringify(summary, null, 2)}\n`);
      progress.line(`summary: ${options.jsonFile}`);
    }
    return summary;
  } finally {
    for (const cleanup of cleanups) await cleanup();
  }
}

async function startOperators(devnet: Devnet, redis: RedisHandle, options: DemoOptions, work: string, threshold: number): Promise<RunningOperator[]> {
  const operators: RunningOperator[] = [];
  for (const i of devnet.operators.keys()) {
    const config = devnetOperatorConfig(devnet, i, work, { POLL_INTERVAL_MS: "250", WORKERS: String(options.workers), LOG_LEVEL: "error" });
    // Operator logs go to stderr at error level, so the demo's own progress stays readable.
    operators.push(await startOperator(config, redis.url, createLogger(config, pino.destination(2)).child({ operator: i + 1, threshold })));
  }
  return operators;
}

async function recordStakes(devnet: Devnet, accounts: readonly string[], round: number, into: Map<string, { round: number; stake: string }[]>): Promise<void> {
  const { staking } = devnet.as(devnet.sponsor);
  for (const account of accounts) {
    const key = account.toLowerCase();
    const list = into.get(key) ?? [];
    list.push({ round, stake: (await staking.stakeOf(account)).toString() });
    into.set(key, list);
  }
}

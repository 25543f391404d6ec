import type { Command } from "commander";

import { ActionRefusedError } from "../../chain/errors.ts";
import { describeSettings, KeeperConfigSchema, loadActorConfig, type KeeperConfig } from "../../config.ts";
import { InvalidInputError } from "../../errors.ts";
import { createLogger, type Logger } from "../../logger.ts";
import type { UpkeepKind } from "../../keeper/due-actions.ts";
import { keeperPass, type PassOutcome } from "../../keeper/pass.ts";
import { startKeeper } from "../../keeper/service.ts";
import { describeAction } from "../../keeper/upkeep.ts";
import { lazyIpfsReader } from "../../storage/ipfs-node.ts";
import { connectActor, invalidSource } from "../actor-connection.ts";
import { untilSignal } from "../signals.ts";

const SETTINGS_HELP = `\nSettings (environment variables or an --env-file; default, description):\n${describeSettings(KeeperConfigSchema)}\n`;

type CommonOptions = { rpcUrl?: string; deployment?: string; envFile?: string; package?: string; json?: boolean };

function withCommon(command: Command): Command {
  return command
    .option("--rpc-url <url>", "JSON-RPC endpoint (default: RPC_URL or http://127.0.0.1:8545)")
    .option("--deployment <file>", "deployment manifest (default: DEPLOYMENT or deployments/localhost.json)")
    .option("--env-file <file>", "read settings from this file (default: .env when present)")
    .addHelpText("after", SETTINGS_HELP);
}

function configOf(opts: CommonOptions): KeeperConfig {
  return loadActorConfig(KeeperConfigSchema, { envFile: opts.envFile, flags: { RPC_URL: opts.rpcUrl, DEPLOYMENT: opts.deployment } });
}

/** Parses `--round`. @throws {InvalidInputError} */
export function roundFlag(text: string | undefined): bigint {
  if (text === undefined || !/^[1-9][0-9]{0,76}$/.test(text)) throw new InvalidInputError(`--round must be a positive integer, got ${JSON.stringify(text ?? "")}`);
  return BigInt(text);
}

/** Runs one pass over `--round` restricted to `kinds` (all when undefined) and prints one line per action. */
async function oncePass(opts: CommonOptions & { round?: string; account?: string }, kinds?: readonly UpkeepKind[]): Promise<PassOutcome> {
  const roundId = roundFlag(opts.round);
  const config = configOf(opts);
  const connection = await connectActor(config, "KEEPER_PRIVATE_KEY", true);
  const ipfs = lazyIpfsReader(config, createLogger({ LOG_LEVEL: "warn" }));
  try {
    const outcome = await keeperPass(connection.contracts, connection.deployment, roundId, {
      invalidOf: invalidSource(config, connection, ipfs, opts.package),
      ...(kinds ? { kinds } : {}),
      ...(opts.account ? { account: opts.account } : {}),
    });
    printOutcome(outcome, opts.json === true);
    if (outcome.results.some((r) => r.status === "failed")) process.exitCode = 1;
    return outcome;
  } finally {
    await ipfs.close();
    connection.close();
  }
}

function printOutcome(outcome: PassOutcome, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(outcome, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v instanceof Error ? v.message : v))}\n`);
    return;
  }
  const lines = outcome.results.map((r) =>
    r.status === "sent" ? `${describeAction(r.action)}: tx ${r.tx.hash} (${r.tx.gasUsed} gas)` : r.status === "lost-race" ? `${describeAction(r.action)}: already done by someone else` : `${describeAction(r.action)}: FAILED ${r.error.message}`,
  );
  if (lines.length === 0) lines.push(`round ${outcome.roundId}: nothing due now${outcome.nextAt === undefined ? "" : `; next at ${new Date(Number(outcome.nextAt) * 1000).toISOString()}`}${outcome.finished ? " (round needs no more upkeep)" : ""}`);
  if (outcome.waitingForInvalidList) lines.push(`round ${outcome.roundId}: locks held back until the invalid list is known (give --package, or set KEEPER_RECOMPUTE=true)`);
  process.stdout.write(`${lines.join("\n")}\n`);
}

/** `cw keeper ...`: the permissionless upkeep of rounds (anyone may run it; it pays the gas). */
export function register(program: Command): void {
  const keeper = program
    .command("keeper")
    .description("round upkeep anyone may do: close, mark failed, slash, pay operators, release locks, sweep")
    .addHelpText("after", SETTINGS_HELP);

  withCommon(keeper.command("run"))
    .description("watch every round and send each upkeep transaction as soon as it becomes possible (until SIGTERM)")
    .action(async (opts: CommonOptions) => {
      const config = configOf(opts);
      const log = createLogger(config).child({ process: "keeper" });
      const connection = await connectActor(config, "KEEPER_PRIVATE_KEY", true);
      const ipfs = lazyIpfsReader(config, log);
      const running = await startKeeper({
        contracts: connection.contracts,
        deployment: connection.deployment,
        log,
        pollIntervalMs: config.POLL_INTERVAL_MS,
        fromRound: BigInt(config.KEEPER_FROM_ROUND),
        metricsPort: config.METRICS_PORT,
        invalidOf: invalidSource(config, connection, ipfs),
      });
      await untilSignal(async () => {
        await running.stop();
        await ipfs.close();
        connection.close();
      }, log);
    });

  withCommon(keeper.command("once"))
    .description("one pass over one round: send every upkeep transaction due now")
    .option("--round <id>", "the round")
    .option("--package <file|uri>", "a result package to take the invalid list from (checked against the chain)")
    .option("--json", "print one JSON object")
    .action(async (opts: CommonOptions & { round?: string }) => {
      await oncePass(opts);
    });

  withCommon(keeper.command("slash"))
    .description("slash a round's non-revealers and its invalid contributors (those due now)")
    .option("--round <id>", "the round")
    .option("--package <file|uri>", "a result package to take the invalid list from (checked against the chain)")
    .option("--json", "print one JSON object")
    .action(async (opts: CommonOptions & { round?: string }) => {
      await oncePass(opts, ["slash-non-revealer", "slash-invalid"]);
    });

  withCommon(keeper.command("release"))
    .description("release a round's stake locks whose challenge window is over (all, or --account)")
    .option("--round <id>", "the round")
    .option("--account <address>", "only this account's lock")
    .option("--package <file|uri>", "a result package to take the invalid list from (checked against the chain)")
    .option("--json", "print one JSON object")
    .action(async (opts: CommonOptions & { round?: string; account?: string }) => {
      const outcome = await oncePass(opts, ["release"]);
      if (opts.account && outcome.results.length === 0) throw new ActionRefusedError(`round ${outcome.roundId}: no releasable lock of ${opts.account} now`);
    });
}

import type { Command } from "commander";

import type { ChainConnection } from "../../chain/connect.ts";
import type { SentTransaction } from "../../chain/transactions.ts";
import { formatTokens, parseTokens } from "../../chain/units.ts";
import { describeSettings, loadActorConfig, SponsorConfigSchema } from "../../config.ts";
import { closeRound, markRoundFailed, openRound, sweepRound } from "../../sponsor/index.ts";
import { connectActor } from "../actor-connection.ts";
import { roundFlag } from "./keeper.ts";

const SETTINGS_HELP = `\nSettings (environment variables or an --env-file; default, description):\n${describeSettings(SponsorConfigSchema)}\n`;

type CommonOptions = { rpcUrl?: string; deployment?: string; envFile?: string };

function withCommon(command: Command): Command {
  return command
    .option("--rpc-url <url>", "JSON-RPC endpoint (default: RPC_URL or http://127.0.0.1:8545)")
    .option("--deployment <file>", "deployment manifest (default: DEPLOYMENT or deployments/localhost.json)")
    .option("--env-file <file>", "read settings from this file (default: .env when present)")
    .addHelpText("after", SETTINGS_HELP);
}

async function withSponsor<T>(opts: CommonOptions, run: (connection: ChainConnection) => Promise<T>): Promise<T> {
  const config = loadActorConfig(SponsorConfigSchema, { envFile: opts.envFile, flags: { RPC_URL: opts.rpcUrl, DEPLOYMENT: opts.deployment } });
  const connection = await connectActor(config, "SPONSOR_PRIVATE_KEY", true);
  try {
    return await run(connection);
  } finally {
    connection.close();
  }
}

const txLine = (tx: SentTransaction): string => `tx ${tx.hash}, ${tx.gasUsed} gas`;

/** `cw sponsor ...`: fund and open rounds; close, fail and sweep them (upkeep anyone may also do). */
export function register(program: Command): void {
  const sponsor = program.command("sponsor").description("fund and open training rounds, and settle them");

  withCommon(sponsor.command("open"))
    .description("approve the budget and open a round with the current policy and the latest model")
    .option("--budget <CWT>", "the round's budget in tokens, e.g. 1000")
    .action(async (opts: CommonOptions & { budget?: string }) => {
      const budget = parseTokens("--budget", opts.budget);
      await withSponsor(opts, async ({ contracts }) => {
        const done = await openRound(contracts, { budget });
        process.stdout.write(
          `opened round ${done.roundId} with ${formatTokens(done.funded)} (${txLine(done.open)}); commits until ${new Date(Number(done.commitEnd) * 1000).toISOString()}, reveals until ${new Date(Number(done.revealEnd) * 1000).toISOString()}\n`,
        );
      });
    });

  for (const [name, description, send] of [
    ["close", "close a round after its reveal window", closeRound],
    ["mark-failed", "fail a closed round that got no quorum by its attestation deadline", markRoundFailed],
    ["sweep", "settle an ended round's escrow (a failed round: refund the whole budget)", sweepRound],
  ] as const) {
    withCommon(sponsor.command(name))
      .description(description)
      .option("--round <id>", "the round")
      .action(async (opts: CommonOptions & { round?: string }) => {
        const roundId = roundFlag(opts.round);
        await withSponsor(opts, async ({ contracts }) => {
          const tx = await send(contracts, roundId);
          process.stdout.write(`${name} round ${roundId}: ${txLine(tx)}\n`);
        });
      });
  }
}

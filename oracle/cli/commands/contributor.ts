import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

import { Command } from "commander";
import { getAddress, isAddress } from "ethers";

import { isHash } from "../../chain/hash-schema.ts";
import { formatTokens, parseTokens as parseTokenAmount } from "../../chain/units.ts";
import { ContributorConfigSchema, describeSettings, loadContributorConfig } from "../../config.ts";
import { claimReward } from "../../contributor/claim.ts";
import { commitUpdate, revealUpdate } from "../../contributor/commit-reveal.ts";
import type { PartitionScheme } from "../../contributor/partition.ts";
import { buildReceipt, renderReceipt } from "../../contributor/receipt.ts";
import { progressLine, trainForRound } from "../../contributor/round-training.ts";
import { openSession, parseRoundId, requireWallet, resolveRoundId, type ContributorSession } from "../../contributor/session.ts";
import { isoTime, requestUnstake, stake, withdrawUnstaked } from "../../contributor/staking.ts";
import { readStatus } from "../../contributor/status.ts";
import { InvalidInputError } from "../../errors.ts";
import { releaseStake } from "../../keeper/upkeep.ts";
import { roundFlag } from "./keeper.ts";
import { hashBytes } from "../../protocol/hash.ts";
import { LocalDirectoryStore } from "../../storage/local-directory-store.ts";
import { registerPublish } from "../contributor-publish.ts";

const SETTINGS_HELP = `\nSettings (environment variables or an --env-file; default, description):\n${describeSettings(ContributorConfigSchema)}\n`;

/** Options every contributor command takes. */
type CommonOptions = { rpcUrl?: string; deployment?: string; envFile?: string; stateDir?: string; json?: boolean };

function withCommon(command: Command): Command {
  return command
    .option("--rpc-url <url>", "JSON-RPC endpoint (default: RPC_URL or http://127.0.0.1:8545)")
    .option("--deployment <file>", "deployment manifest (default: DEPLOYMENT or deployments/localhost.json)")
    .option("--state-dir <dir>", "where commit salts are kept (default: CONTRIBUTOR_STATE_DIR or .cw/contributor)")
    .option("--env-file <file>", "read settings from this file (default: .env when present)")
    .option("--json", "print one JSON object instead of text")
    .addHelpText("after", SETTINGS_HELP);
}

/** Opens a session with flags over the environment; always closes it. */
async function withSession<T>(opts: CommonOptions, withKey: boolean, run: (session: ContributorSession) => Promise<T>): Promise<T> {
  const config = loadContributorConfig({
    flags: { RPC_URL: opts.rpcUrl, DEPLOYMENT: opts.deployment, CONTRIBUTOR_STATE_DIR: opts.stateDir },
    envFile: opts.envFile,
    requireKey: withKey,
  });
  const session = await openSession(config, withKey);
  try {
    return await run(session);
  } finally {
    session.close();
  }
}

/** Prints `value` as JSON (bigints as decimal strings) or `text`. */
function output(opts: CommonOptions, value: unknown, text: string): void {
  process.stdout.write(opts.json ? `${JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2)}\n` : `${text}\n`);
}

function parseTokens(text: string | undefined): bigint | undefined {
  return text === undefined ? undefined : parseTokenAmount("the amount", text);
}

function integer(name: string, text: string, min: number): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < min) throw new InvalidInputError(`--${name} must be an integer >= ${min}, got ${JSON.stringify(text)}`);
  return value;
}

function positiveNumber(name: string, text: string): number {
  const value = Number(text);
  if (!(value > 0) || !Number.isFinite(value)) throw new InvalidInputError(`--${name} must be a positive number, got ${JSON.stringify(text)}`);
  return value;
}

function scheme(opts: { scheme: string; shards: string; alpha: string }): PartitionScheme {
  switch (opts.scheme) {
    case "iid":
      return { kind: "iid" };
    case "shards":
      return { kind: "shards", shardsPerContributor: integer("shards", opts.shards, 1) };
    case "dirichlet":
      return { kind: "dirichlet", alpha: positiveNumber("alpha", opts.alpha) };
    default:
      throw new InvalidInputError(`--scheme must be iid, shards or dirichlet, got ${JSON.stringify(opts.scheme)}`);
  }
}

const tokens = formatTokens;

type TrainOptions = CommonOptions & {
  round?: string; store?: string; out?: string; contributor: string; contributors: string; scheme: string; shards: string; alpha: string;
  seed: string; epochs: string; batchSize: string; learningRate: string; dtype: string; progress: boolean;
};

function registerTrain(contributor: Command): void {
  withCommon(contributor.command("train"))
    .description("train the round's base model on your local data partition and upload a clipped, noised, quantized update")
    .option("--round <id>", "round to train for (default: the newest round)")
    .option("--store <dir>", "blob store the update is uploaded to (default: STORE_DIR or .cw/store)")
    .option("--out <file>", "also write the update file here")
    .option("--contributor <i>", "your index among the simulated contributors", "0")
    .option("--contributors <k>", "how many contributors share the shipped MNIST training pool", "1")
    .option("--scheme <name>", "partition: iid, shards (label skew) or dirichlet (label skew)", "iid")
    .option("--shards <n>", "shards per contributor for --scheme shards", "2")
    .option("--alpha <a>", "Dirichlet concentration for --scheme dirichlet (smaller = more skew)", "0.5")
    .option("--seed <seed>", "partition seed; every contributor of one simulation uses the same", "commonweight")
    .option("--epochs <n>", "passes over your data", "1")
    .option("--batch-size <n>", "examples per SGD step", "32")
    .option("--learning-rate <lr>", "SGD step size", "0.1")
    .option("--dtype <dtype>", "quantized dtype: I16 or I8", "I16")
    .option("--no-progress", "no progress bar on stderr")
    .action(async (opts: TrainOptions) => {
      if (opts.dtype !== "I16" && opts.dtype !== "I8") throw new InvalidInputError(`--dtype must be I16 or I8, got ${JSON.stringify(opts.dtype)}`);
      const dtype = opts.dtype;
      await withSession(opts, false, async (session) => {
        const roundId = await resolveRoundId(session.contracts, parseRoundId(opts.round));
        const store = new LocalDirectoryStore(opts.store ?? session.config.STORE_DIR);
        const report = await trainForRound(session, {
          roundId,
          data: { contributor: integer("contributor", opts.contributor, 0), contributors: integer("contributors", opts.contributors, 1), scheme: scheme(opts), seed: opts.seed },
          epochs: integer("epochs", opts.epochs, 1),
          batchSize: integer("batch-size", opts.batchSize, 1),
          learningRate: positiveNumber("learning-rate", opts.learningRate),
          dtype,
          store,
          ...(opts.out ? { outFile: opts.out } : {}),
          ...(opts.progress ? { onProgress: (p) => process.stderr.write(progressLine(p)) } : {}),
        });
        if (opts.progress) process.stderr.write("\n");
        const { dp, training, update } = report;
        output(opts, report, [
          `trained round ${report.roundId} (phase: ${report.phase}) from base ${report.base.hash}`,
          `  local loss ${training.lossBefore.toFixed(4)} -> ${training.lossAfter.toFixed(4)}, accuracy ${(training.accuracyBefore * 100).toFixed(1)}% -> ${(training.accuracyAfter * 100).toFixed(1)}% on ${update.samples} local examples`,
          `  delta norm ${dp.rawNorm.toFixed(4)}${dp.clipped ? ` clipped to Cdp = ${dp.clipNorm}` : ` (within Cdp = ${dp.clipNorm})`}; noise stddev ${dp.noiseStddev} per coordinate (z = ${dp.noiseMultiplier}); noised norm ${dp.noisedNorm.toFixed(4)}${dp.scaledToBound ? `, scaled down to C = ${dp.boundNorm}` : ` <= C = ${dp.boundNorm}`}`,
          `  privacy of this update: epsilon = ${dp.epsilon.toPrecision(4)} at delta = ${dp.delta} (add/remove your whole data; ${dp.epsilonReplaceOne.toPrecision(4)} for replace-one); every round you take part in adds to it`,
          `  update ${update.hash} (${update.bytes} bytes) passes validation; uploaded to ${update.uri}`,
          `next: cw contributor commit --round ${report.roundId} --hash ${update.hash} --uri ${update.uri}`,
        ].join("\n"));
      });
    });
}

function registerStake(contributor: Command): void {
  withCommon(contributor.command("stake"))
    .description("stake tokens (approving the staking contract first); default: top up free stake to one commit's lock")
    .argument("[tokens]", "whole tokens to stake, e.g. 100")
    .action(async (amountText: string | undefined, opts: CommonOptions) => {
      await withSession(opts, true, async (session) => {
        const done = await stake(session, parseTokens(amountText));
        output(opts, done, done.txHash ? `staked ${tokens(done.amount)} (tx ${done.txHash})` : "free stake already covers one commit; nothing staked");
      });
    });

  withCommon(contributor.command("unstake"))
    .description("start unbonding free stake (default: all of it), or --withdraw a released request")
    .argument("[tokens]", "whole tokens to unbond (default: all free stake)")
    .option("--withdraw", "withdraw the unbonding request once its delay has passed")
    .action(async (amountText: string | undefined, opts: CommonOptions & { withdraw?: boolean }) => {
      await withSession(opts, true, async (session) => {
        if (opts.withdraw) {
          const done = await withdrawUnstaked(session);
          output(opts, done, `withdrew ${tokens(done.amount)} (tx ${done.txHash})`);
          return;
        }
        const done = await requestUnstake(session, parseTokens(amountText));
        output(opts, done, `unbonding ${tokens(done.amount)}; withdraw from ${isoTime(done.releaseAt)} with 'cw contributor withdraw' (tx ${done.txHash})`);
      });
    });

  withCommon(contributor.command("withdraw"))
    .description("withdraw the unbonding request once its delay has passed")
    .action(async (opts: CommonOptions) => {
      await withSession(opts, true, async (session) => {
        const done = await withdrawUnstaked(session);
        output(opts, done, `withdrew ${tokens(done.amount)} (tx ${done.txHash})`);
      });
    });

  withCommon(contributor.command("release"))
    .description("release your stake lock of an ended round once its challenge window is over")
    .option("--round <id>", "the round")
    .action(async (opts: CommonOptions & { round?: string }) => {
      const roundId = roundFlag(opts.round);
      await withSession(opts, true, async (session) => {
        const tx = await releaseStake(session.contracts, roundId, requireWallet(session).address);
        output(opts, { roundId, txHash: tx.hash, gasUsed: tx.gasUsed }, `released your stake lock of round ${roundId} (tx ${tx.hash})`);
      });
    });
}

function registerCommitReveal(contributor: Command): void {
  withCommon(contributor.command("commit"))
    .description("commit to an update (the salt is saved durably before the transaction is sent)")
    .option("--round <id>", "round (default: the newest round)")
    .option("--hash <hash>", "sha256 of the update file (as printed by train)")
    .option("--uri <uri>", "where operators will fetch the update (as printed by train)")
    .option("--update-file <file>", "a local update file: hash computed from it; URI defaults to its file:// URI")
    .option("--no-check", "skip fetching and validating the update before committing")
    .action(async (opts: CommonOptions & { round?: string; hash?: string; uri?: string; updateFile?: string; check: boolean }) => {
      let { hash, uri } = opts;
      if (opts.updateFile) {
        const bytes = await readFile(opts.updateFile).catch((err: unknown) => {
          throw new InvalidInputError(`cannot read update file ${opts.updateFile}`, { cause: err });
        });
        hash ??= hashBytes(bytes);
        uri ??= pathToFileURL(resolve(opts.updateFile)).href;
      }
      if (!hash || !uri) throw new InvalidInputError("give --hash and --uri (as printed by 'cw contributor train'), or --update-file");
      if (!isHash(hash)) throw new InvalidInputError(`--hash must be 0x and 64 hex digits, got ${JSON.stringify(hash)}`);
      const [updateHash, updateUri] = [hash, uri];
      await withSession(opts, true, async (session) => {
        const roundId = await resolveRoundId(session.contracts, parseRoundId(opts.round));
        const done = await commitUpdate(session, { roundId, updateHash, uri: updateUri, check: opts.check });
        output(opts, done, [
          done.txHash ? `committed to round ${roundId} (tx ${done.txHash})` : `already committed to round ${roundId} with this update`,
          `  salt saved in ${done.statePath}; keep it until you have revealed`,
          `next, in the reveal phase: cw contributor reveal --round ${roundId}`,
        ].join("\n"));
      });
    });

  withCommon(contributor.command("reveal"))
    .description("reveal your commitment with the salt saved at commit time")
    .option("--round <id>", "round (default: the newest round)")
    .action(async (opts: CommonOptions & { round?: string }) => {
      await withSession(opts, true, async (session) => {
        const roundId = await resolveRoundId(session.contracts, parseRoundId(opts.round));
        const done = await revealUpdate(session, { roundId });
        output(opts, done, done.txHash ? `revealed ${done.updateHash} at ${done.uri} in round ${roundId} (tx ${done.txHash})` : `already revealed in round ${roundId}`);
      });
    });
}

function registerResults(contributor: Command): void {
  withCommon(contributor.command("claim"))
    .description("claim your reward of a finalized round; the proof is checked against the chain's root before use")
    .option("--round <id>", "round (default: the newest round)")
    .option("--package <file|uri>", "an operator's result package; without it the round is recomputed locally (trusts no one)")
    .action(async (opts: CommonOptions & { round?: string; package?: string }) => {
      await withSession(opts, true, async (session) => {
        const roundId = await resolveRoundId(session.contracts, parseRoundId(opts.round));
        const done = await claimReward(session, { roundId, ...(opts.package ? { packageSource: opts.package } : {}) });
        output(opts, done, done.alreadyClaimed ? `reward of ${tokens(done.amount)} in round ${roundId} was already claimed` : `claimed ${tokens(done.amount)} from round ${roundId} (proof from ${done.source}; tx ${done.txHash})`);
      });
    });

  withCommon(contributor.command("status"))
    .description("your stake, locks and the recent rounds with their phase and your part in them")
    .option("--account <address>", "look at another account (no key needed)")
    .action(async (opts: CommonOptions & { account?: string }) => {
      const account = optionalAccount(opts.account);
      await withSession(opts, account === undefined, async (session) => {
        const who = account ?? session.wallet?.address ?? "";
        const status = await readStatus(session, who);
        const s = status.stake;
        output(opts, status, [
          `${who}: balance ${tokens(s.tokenBalance)}; stake bonded ${tokens(s.bonded)}, locked ${tokens(s.locked)}, free ${tokens(s.free)}; one commit locks ${tokens(s.minContributorStake)}`,
          s.unbonding > 0n ? `  unbonding ${tokens(s.unbonding)}, withdrawable from ${isoTime(s.unbondingReleaseAt)}` : "  nothing unbonding",
          ...status.rounds.map((r) => `  round ${r.roundId}: ${r.phase} (commit until ${r.commitEnd}, reveal until ${r.revealEnd}); you: ${r.contribution}${r.saltSaved ? ", salt saved" : ""}${r.claimed ? ", reward claimed" : ""}`),
        ].join("\n"));
      });
    });

  withCommon(contributor.command("receipt"))
    .description("explain your outcome in a round: selected, excluded or invalid and why, score, reward, proof, slashing")
    .option("--round <id>", "round (default: the newest round)")
    .option("--account <address>", "another account's receipt (no key needed)")
    .action(async (opts: CommonOptions & { round?: string; account?: string }) => {
      const account = optionalAccount(opts.account);
      await withSession(opts, account === undefined, async (session) => {
        const roundId = await resolveRoundId(session.contracts, parseRoundId(opts.round));
        const receipt = await buildReceipt(session, roundId, account ?? session.wallet?.address ?? "");
        output(opts, receipt, renderReceipt(receipt).trimEnd());
      });
    });
}

function optionalAccount(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  if (!isAddress(text)) throw new InvalidInputError(`--account must be an address, got ${JSON.stringify(text)}`);
  return getAddress(text);
}

/** `cw contributor ...`: train locally, stake, commit, reveal, claim, and read receipts. */
export function register(program: Command): void {
  const contributor = program
    .command("contributor")
    .description("train on your own data and take part in rounds: train, stake, unstake, commit, reveal, claim, status, receipt");
  registerTrain(contributor);
  registerStake(contributor);
  registerCommitReveal(contributor);
  registerResults(contributor);
  registerPublish(contributor);
}

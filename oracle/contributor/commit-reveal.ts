// Commit-reveal of an update (IRounds.commit / reveal). The salt is on disk, fsynced, before the commit
// transaction leaves this process, so a crash at any point can still be followed by a reveal.
import { ZeroHash } from "ethers";

import { readRoundSpec } from "../chain/round-reader.ts";
import { InvalidInputError } from "../errors.ts";
import { commitment as commitmentOf } from "../protocol/attestation.ts";
import { layoutOf } from "../protocol/layout.ts";
import { decodeModel } from "../protocol/model-file.ts";
import { validateUpdate } from "../protocol/validate.ts";
import { fetchBlob } from "../storage/fetch-blob.ts";
import { lazyIpfsReader } from "../storage/ipfs-node.ts";
import { createLogger } from "../logger.ts";
import { normalizeHash } from "../protocol/hash.ts";
import { emptyRoundState, freshSalt, readRoundState, statePath, writeRoundState, type CommitAttempt, type StateKey } from "./commit-state.ts";
import { readRoundInfo, requireWallet, type ContributorSession } from "./session.ts";
import { isoTime } from "./staking.ts";

/** `contributionOf` slot values that are not commitments (IRounds: 0 none, 1 revealed, 2 settled). */
const SLOT_REVEALED = 1n;
const SLOT_SETTLED = 2n;

/** What {@link commitUpdate} did. */
export interface CommitOutcome {
  readonly roundId: bigint;
  readonly account: string;
  readonly commitment: string;
  readonly updateHash: string;
  readonly uri: string;
  /** Where the salt is kept; back it up until the round is revealed. */
  readonly statePath: string;
  /** Undefined when this exact commitment was already on chain (a retried command). */
  readonly txHash: string | undefined;
}

function stateKey(session: ContributorSession, roundId: bigint, account: string): StateKey {
  return { chainId: session.deployment.chainId, rounds: session.deployment.contracts.rounds, roundId, account };
}

/**
 * Checks, before any stake is at risk, that the file at `uri` is what an operator will accept: it hashes to
 * `updateHash` and passes docs/protocol.md §1.2 validation for this round (round id, base model, shapes, clip norm).
 * @throws {InvalidInputError} naming the reason an operator would give.
 */
export async function checkUpdateForRound(session: ContributorSession, roundId: bigint, updateHash: string, uri: string): Promise<void> {
  const ipfs = lazyIpfsReader(session.config, createLogger({ LOG_LEVEL: "warn" }));
  const limits = { maxBytes: session.config.FETCH_MAX_BYTES, timeoutMs: session.config.FETCH_TIMEOUT_MS, ipfs };
  const spec = await readRoundSpec(session.contracts, session.deployment, roundId);
  const [base, update] = await Promise.all([fetchBlob(spec.base.uri, spec.base.hash, limits), fetchBlob(uri, updateHash, limits)]).finally(() => ipfs.close());
  if (!base.ok) throw new InvalidInputError(`cannot check the update: base model unavailable from ${spec.base.uri} (${base.detail})`);
  if (!update.ok) throw new InvalidInputError(`operators would reject the update as ${update.reason}: ${update.detail}`);
  const layout = layoutOf(decodeModel(base.bytes));
  const validation = validateUpdate(update.bytes, updateHash, { roundId: String(roundId), baseHash: normalizeHash(spec.base.hash), layout }, spec.policy);
  if (!validation.valid) throw new InvalidInputError(`operators would reject the update at ${uri} as ${validation.reason}; not committing`);
}

/**
 * Commits to the update `updateHash` (to be fetched from `uri`) in round `roundId`: checks the phase, the free
 * stake and (unless `check` is false) the update itself, writes a fresh salt durably to the state file, then
 * sends the commit. Retrying with the same update reuses the same salt and is a no-op once it is on chain.
 * @throws {InvalidInputError} outside the commit phase, on too little free stake, an update operators would
 * reject, or an account that already committed something else.
 */
export async function commitUpdate(
  session: ContributorSession,
  args: { roundId: bigint; updateHash: string; uri: string; check?: boolean },
): Promise<CommitOutcome> {
  const wallet = requireWallet(session);
  const { rounds, staking } = session.contracts;
  const { roundId, uri } = args;
  const updateHash = normalizeHash(args.updateHash);
  const key = stateKey(session, roundId, wallet.address);
  const stateDir = session.config.CONTRIBUTOR_STATE_DIR;
  const state = (await readRoundState(stateDir, key)) ?? emptyRoundState(key);
  const onChain = await rounds.contributionOf(roundId, wallet.address);
  const matching = state.attempts.find((a) => a.commitment.toLowerCase() === onChain.toLowerCase());
  if (onChain !== ZeroHash) {
    if (matching && matching.updateHash === updateHash && matching.uri === uri) {
      return { roundId, account: wallet.address, commitment: matching.commitment, updateHash, uri, statePath: statePath(stateDir, key), txHash: undefined };
    }
    throw new InvalidInputError(`${wallet.address} already committed to round ${roundId}${matching ? ` (update ${matching.updateHash})` : ""}; one commitment per round`);
  }
  const info = await readRoundInfo(session.contracts, roundId);
  if (info.phase !== "commit") {
    throw new InvalidInputError(`round ${roundId} is not in its commit phase (phase: ${info.phase}; commits closed at ${isoTime(info.commitEnd)})`);
  }
  const free = await staking.freeStakeOf(wallet.address);
  if (free < info.contributorStake) {
    throw new InvalidInputError(`committing locks ${info.contributorStake} stake but ${wallet.address} has ${free} free; run 'cw contributor stake'`);
  }
  if (args.check ?? true) await checkUpdateForRound(session, roundId, updateHash, uri);

  let attempt = state.attempts.find((a) => a.updateHash === updateHash && a.uri === uri);
  if (!attempt) {
    const salt = freshSalt();
    attempt = { updateHash, uri, salt, commitment: commitmentOf(roundId, wallet.address, updateHash, salt), preparedAt: new Date().toISOString() };
    state.attempts.push(attempt);
  }
  // IMPORTANT: durable before the transaction is sent; a crash after this line can always reveal.
  const path = await writeRoundState(stateDir, state);
  const receipt = await (await rounds.commit(roundId, attempt.commitment)).wait();
  attempt.commitTx = receipt?.hash;
  await writeRoundState(stateDir, state);
  return { roundId, account: wallet.address, commitment: attempt.commitment, updateHash, uri, statePath: path, txHash: receipt?.hash };
}

/** What {@link revealUpdate} did. */
export interface RevealOutcome {
  readonly roundId: bigint;
  readonly account: string;
  readonly updateHash: string;
  readonly uri: string;
  /** Undefined when the contribution was already revealed (a retried command). */
  readonly txHash: string | undefined;
}

/**
 * Reveals this account's commitment in round `roundId` from the salt saved at commit time. Idempotent: an already
 * revealed contribution is reported, not re-sent.
 * @throws {InvalidInputError} with no commitment on chain, no matching salt on disk, or outside the reveal phase
 * (with the time it opens).
 */
export async function revealUpdate(session: ContributorSession, args: { roundId: bigint }): Promise<RevealOutcome> {
  const wallet = requireWallet(session);
  const { roundId } = args;
  const key = stateKey(session, roundId, wallet.address);
  const path = statePath(session.config.CONTRIBUTOR_STATE_DIR, key);
  const state = await readRoundState(session.config.CONTRIBUTOR_STATE_DIR, key);
  const onChain = BigInt(await session.contracts.rounds.contributionOf(roundId, wallet.address));
  if (onChain === 0n) throw new InvalidInputError(`${wallet.address} has no commitment in round ${roundId}`);
  if (onChain === SLOT_REVEALED || onChain === SLOT_SETTLED) {
    const revealed = await findRevealed(session, roundId, wallet.address);
    return { roundId, account: wallet.address, updateHash: revealed?.updateHash ?? "", uri: revealed?.uri ?? "", txHash: undefined };
  }
  if (!state) throw new InvalidInputError(`no saved salt for round ${roundId} of ${wallet.address}: ${path} is missing (restore it from a backup)`);
  const attempt: CommitAttempt | undefined = state.attempts.find((a) => BigInt(a.commitment) === onChain);
  if (!attempt) throw new InvalidInputError(`the commitment on chain matches none of the ${state.attempts.length} salts in ${path}`);
  const info = await readRoundInfo(session.contracts, roundId);
  if (info.phase === "commit") {
    throw new InvalidInputError(`round ${roundId} is still in its commit phase; reveals open at ${isoTime(info.commitEnd)} (in ${info.commitEnd - info.nowSeconds} s)`);
  }
  if (info.phase !== "reveal") throw new InvalidInputError(`round ${roundId}'s reveal phase is over (phase: ${info.phase}, ended ${isoTime(info.revealEnd)})`);
  const receipt = await (await session.contracts.rounds.reveal(roundId, attempt.updateHash, attempt.salt, attempt.uri)).wait();
  attempt.revealTx = receipt?.hash;
  await writeRoundState(session.config.CONTRIBUTOR_STATE_DIR, state);
  return { roundId, account: wallet.address, updateHash: attempt.updateHash, uri: attempt.uri, txHash: receipt?.hash };
}

/** The `Revealed` event of `account` in `roundId`, if any. */
export async function findRevealed(session: ContributorSession, roundId: bigint, account: string): Promise<{ updateHash: string; uri: string } | undefined> {
  const { rounds } = session.contracts;
  const logs = await rounds.queryFilter(rounds.filters.Revealed(roundId, account), session.deployment.deployedAtBlock);
  const log = logs.at(-1);
  return log ? { updateHash: log.args.updateHash, uri: log.args.uri } : undefined;
}

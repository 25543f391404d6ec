// Finding and claiming a contributor's reward. The proof comes from an operator's published result package or
// from recomputing the whole round locally; either way it is checked against the root on chain before use, so
// neither source has to be trusted.
import { readFile } from "node:fs/promises";

import { getAddress } from "ethers";
import { verifyRound, type VerifyReport } from "../auditor/verify-round.ts";
import { createBackend } from "../compute/backends.ts";
import { InvalidInputError } from "../errors.ts";
import { decodeResultPackage, type ResultPackage } from "../protocol/result-package.ts";
import { buildRewardsTree, verifyRewardClaim, type RewardClaim } from "../protocol/rewards-tree.ts";
import { lazyIpfsReader } from "../storage/ipfs-node.ts";
import { createLogger } from "../logger.ts";
import { fetchBytes } from "../storage/fetch-blob.ts";
import { readRoundInfo, requireWallet, type ContributorSession } from "./session.ts";

/** Worker threads of the cpu backend used to recompute a round; a contributor's round is small. */
const RECOMPUTE_THREADS = 2;

/** Where a claim came from. */
export type ClaimSource = "package" | "recomputed";

/**
 * Recomputes round `roundId` from the chain and the public files, exactly as `cw verify-round` does.
 * @throws whatever {@link verifyRound} throws (an unreachable base model, an RPC that drops logs).
 */
export async function recomputeRound(session: ContributorSession, roundId: bigint): Promise<VerifyReport> {
  const backend = await createBackend("cpu", { threads: RECOMPUTE_THREADS });
  const ipfs = lazyIpfsReader(session.config, createLogger({ LOG_LEVEL: "warn" }));
  try {
    return await verifyRound({
      contracts: session.contracts,
      deployment: session.deployment,
      roundId,
      backend,
      limits: { maxBytes: session.config.FETCH_MAX_BYTES, timeoutMs: session.config.FETCH_TIMEOUT_MS, ipfs },
    });
  } finally {
    await backend.dispose();
    await ipfs.close();
  }
}

/** Reads a result package from a file path or a `file://`/`http(s)://` URI. @throws {InvalidInputError} */
export async function readPackageClaims(source: string, maxBytes: number, timeoutMs: number): Promise<ResultPackage> {
  let bytes: Uint8Array;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(source)) {
    const fetched = await fetchBytes(source, { maxBytes, timeoutMs });
    if (!fetched.bytes) throw new InvalidInputError(`cannot fetch result package ${source}: ${fetched.detail}`);
    bytes = fetched.bytes;
  } else {
    try {
      bytes = await readFile(source);
    } catch (err) {
      throw new InvalidInputError(`cannot read result package ${source}`, { cause: err });
    }
  }
  return decodeResultPackage(bytes, `result package ${source}`);
}

/**
 * The claim of `account` in finalized round `roundId`, checked against the round's rewards root on chain.
 * `undefined` when the account has no reward leaf.
 * @throws {InvalidInputError} when the package is for another round, its proof does not verify, or the local
 * recomputation disagrees with the chain.
 */
export async function findClaim(
  session: ContributorSession,
  roundId: bigint,
  account: string,
  packageSource?: string,
): Promise<{ claim: RewardClaim | undefined; source: ClaimSource }> {
  const info = await readRoundInfo(session.contracts, roundId);
  let claim: RewardClaim | undefined;
  if (packageSource !== undefined) {
    const pkg = await readPackageClaims(packageSource, session.config.FETCH_MAX_BYTES, session.config.FETCH_TIMEOUT_MS);
    if (pkg.roundId !== String(roundId)) throw new InvalidInputError(`the result package is for round ${pkg.roundId}, not ${roundId}`);
    const entry = pkg.claims.find((c) => getAddress(c.account) === getAddress(account));
    claim = entry ? { account: getAddress(entry.account), amount: BigInt(entry.amount), proof: [...entry.proof] } : undefined;
  } else {
    const report = await recomputeRound(session, roundId);
    if (!report.match) throw new InvalidInputError(`recomputing round ${roundId} does not reproduce the chain's result; run 'cw verify-round ${roundId}' for details`);
    claim = buildRewardsTree(Object.fromEntries(Object.entries(report.result.rewards).map(([a, r]) => [a, BigInt(r)]))).claims.get(getAddress(account));
  }
  if (claim && !verifyRewardClaim(info.rewardsRoot, claim)) {
    throw new InvalidInputError(`the proof for ${claim.amount} does not verify against round ${roundId}'s rewards root ${info.rewardsRoot}`);
  }
  return { claim, source: packageSource !== undefined ? "package" : "recomputed" };
}

/** What {@link claimReward} did. */
export interface ClaimOutcome {
  readonly roundId: bigint;
  readonly account: string;
  readonly amount: bigint;
  readonly source: ClaimSource;
  /** Undefined when the reward had already been claimed. */
  readonly txHash: string | undefined;
  readonly alreadyClaimed: boolean;
}

/**
 * Claims this account's reward of finalized round `roundId` with a proof from `packageSource` (a result package
 * file or URI) or, without one, from a local recomputation of the round.
 * @throws {InvalidInputError} when the round is not finalized, the claim window closed, or there is no reward
 * (the message points to `cw contributor receipt`).
 */
export async function claimReward(session: ContributorSession, args: { roundId: bigint; packageSource?: string }): Promise<ClaimOutcome> {
  const wallet = requireWallet(session);
  const { roundId } = args;
  const info = await readRoundInfo(session.contracts, roundId);
  if (info.status !== "Finalized") throw new InvalidInputError(`round ${roundId} is ${info.status}, not Finalized: nothing to claim yet`);
  const { claim, source } = await findClaim(session, roundId, wallet.address, args.packageSource);
  if (!claim) throw new InvalidInputError(`${wallet.address} has no reward in round ${roundId}; 'cw contributor receipt --round ${roundId}' explains why`);
  if (await session.contracts.rounds.isClaimed(roundId, wallet.address)) {
    return { roundId, account: wallet.address, amount: claim.amount, source, txHash: undefined, alreadyClaimed: true };
  }
  if (info.nowSeconds >= info.claimEnd) throw new InvalidInputError(`round ${roundId}'s claim window closed at ${new Date(Number(info.claimEnd) * 1000).toISOString()}`);
  const receipt = await (await session.contracts.rounds.claim(roundId, wallet.address, claim.amount, claim.proof)).wait();
  return { roundId, account: wallet.address, amount: claim.amount, source, txHash: receipt?.hash, alreadyClaimed: false };
}

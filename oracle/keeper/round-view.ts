// What the keeper knows about one round: its windows and, per account, what is still unsettled. Read from the
// chain on every pass (the chain is the truth), so a restarted keeper or a second keeper sees the same thing.
import { ZeroHash } from "ethers";

import type { Contracts } from "../chain/contracts.ts";
import type { Deployment } from "../chain/deployment.ts";
import { decodeRoundStatus, type RoundStatusName } from "../chain/enums.ts";
import { ChainReadError } from "../chain/errors.ts";
import { decodeRevert } from "../chain/revert.ts";

/** `contributionOf` slot values below which a slot holds no commitment (0 none, 1 revealed, 2 settled). */
const SLOT_REVEALED = 1n;
const SLOT_SETTLED = 2n;

/** One round as the keeper acts on it. Addresses are checksummed as the chain's events give them. */
export interface KeeperRoundView {
  readonly roundId: bigint;
  readonly status: RoundStatusName;
  readonly swept: boolean;
  readonly revealEnd: bigint;
  readonly attestDeadline: bigint;
  /** End of the result's challenge window: invalid contributors can be slashed from then. 0 until a result. */
  readonly challengeEnd: bigint;
  /** When operator shares can first be claimed: the end of the challenge window. */
  readonly claimStart: bigint;
  /** When the claim window ends and the round can be swept (for a failed round, its challenge end). */
  readonly claimEnd: bigint;
  /**
   * When revealers' locks can be released: the challenge end, or one challenge window later when the result lists
   * invalid contributors (so they are slashed first).
   */
  readonly releaseAt: bigint;
  /** Swept, but a sweep transfer failed and is still owed (a later `sweep` retries it). */
  readonly sweepOwed: boolean;
  /** Root of the result's invalid tree; zero when nobody was invalid. */
  readonly invalidRoot: string;
  /** Committed and never revealed, not yet slashed. */
  readonly unrevealed: readonly string[];
  /** Revealed, lock neither released nor slashed. */
  readonly unsettled: readonly string[];
  /** Operators that attested the final result and have not been paid their share. */
  readonly unpaidOperators: readonly string[];
}

/**
 * Reads round `roundId`'s keeper view.
 * @throws {ChainReadError} when the round does not exist.
 */
export async function readKeeperView(contracts: Contracts, deployment: Deployment, roundId: bigint): Promise<KeeperRoundView> {
  const { rounds } = contracts;
  const round = await rounds.round(roundId);
  const status = decodeRoundStatus(round.status);
  if (status === "None") throw new ChainReadError(`round ${roundId} does not exist on chain ${deployment.chainId}`);
  const from = deployment.deployedAtBlock;
  const committed = [...new Set((await rounds.queryFilter(rounds.filters.Committed(roundId), from)).map((e) => e.args.contributor))];
  const unrevealed: string[] = [];
  const unsettled: string[] = [];
  if (status !== "Open") {
    for (const account of committed) {
      const slot = BigInt(await rounds.contributionOf(roundId, account));
      if (slot === SLOT_REVEALED) unsettled.push(account);
      else if (slot > SLOT_SETTLED) unrevealed.push(account);
    }
  }
  const unpaidOperators: string[] = [];
  if (status === "Finalized") {
    const attested = await rounds.queryFilter(rounds.filters.Attested(roundId, undefined, round.resultDigest), from);
    const paid = new Set((await rounds.queryFilter(rounds.filters.OperatorRewardClaimed(roundId), from)).map((e) => e.args.operator));
    for (const operator of new Set(attested.map((e) => e.args.operator))) if (!paid.has(operator)) unpaidOperators.push(operator);
  }
  return {
    roundId,
    status,
    swept: round.swept,
    revealEnd: round.revealEnd,
    attestDeadline: round.attestDeadline,
    challengeEnd: round.challengeEnd,
    claimStart: round.challengeEnd,
    claimEnd: round.claimEnd,
    releaseAt: round.invalidRoot === ZeroHash ? round.challengeEnd : round.challengeEnd + round.challengeWindowSeconds,
    sweepOwed: round.swept && (await sweepStillOwed(contracts, roundId)),
    invalidRoot: round.invalidRoot,
    unrevealed,
    unsettled,
    unpaidOperators,
  };
}

/**
 * Whether a swept round still owes a sweep transfer: `sweep` reverts with `RoundsAlreadySwept` exactly when nothing
 * is owed, so a simulated call tells (the contract keeps the owed amounts out of `round()`).
 */
async function sweepStillOwed(contracts: Contracts, roundId: bigint): Promise<boolean> {
  try {
    await contracts.rounds.sweep.staticCall(roundId);
    return true;
  } catch (err) {
    if (decodeRevert(err)?.name === "RoundsAlreadySwept") return false;
    throw err;
  }
}

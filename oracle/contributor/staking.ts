// Stake management for a contributor: deposit (approve + stake), request an unstake, withdraw after the delay.
import { readStake as readStakerState, requestUnstake as unstake, topUpStake, withdrawStake, type StakeState as StakerState } from "../staking/stake.ts";
import { InvalidInputError } from "../errors.ts";
import { requireWallet, type ContributorSession } from "./session.ts";

/** An account's stake (oracle/staking/) and what each commit locks under the current policy. */
export interface StakeState extends StakerState {
  /** What each commit locks, from the current policy. */
  readonly minContributorStake: bigint;
}

/** Reads `account`'s stake. */
export async function readStake(session: ContributorSession, account: string): Promise<StakeState> {
  return { ...(await readStakerState(session.contracts, account)), minContributorStake: (await session.contracts.policy.currentPolicy()).minContributorStake };
}

/**
 * Stakes `amount` (approving only what the allowance lacks). Without `amount`, tops the free stake up to the
 * current policy's `minContributorStake` (what one commit locks); a no-op when it is enough (oracle/staking/).
 * @returns the amount staked and the transaction hash (undefined when nothing was needed).
 * @throws {InvalidInputError} when the wallet holds fewer tokens than needed.
 */
export async function stake(session: ContributorSession, amount?: bigint): Promise<{ amount: bigint; txHash: string | undefined }> {
  requireWallet(session);
  if (amount !== undefined && amount <= 0n) throw new InvalidInputError("stake amount must be positive");
  const target = amount ?? (await session.contracts.policy.currentPolicy()).minContributorStake;
  const done = await topUpStake(session.contracts, { amount: target, mode: amount === undefined ? "free-at-least" : "add" });
  return { amount: done.staked, txHash: done.stake?.hash };
}

/**
 * Moves `amount` of free stake (default: all of it) into the unbonding request, which restarts its timer.
 * @throws {InvalidInputError} when there is no free stake or `amount` exceeds it.
 */
export async function requestUnstake(session: ContributorSession, amount?: bigint): Promise<{ amount: bigint; releaseAt: bigint; txHash: string | undefined }> {
  requireWallet(session);
  const done = await unstake(session.contracts, amount === undefined ? {} : { amount });
  return { amount: done.amount, releaseAt: done.releaseAt, txHash: done.tx.hash };
}

/**
 * Withdraws the released unbonding request.
 * @throws {InvalidInputError} when there is none or it is not released yet (with the release time).
 */
export async function withdrawUnstaked(session: ContributorSession): Promise<{ amount: bigint; txHash: string | undefined }> {
  requireWallet(session);
  const done = await withdrawStake(session.contracts);
  return { amount: done.amount, txHash: done.tx.hash };
}

/** A chain timestamp as ISO 8601 UTC. */
export function isoTime(seconds: bigint): string {
  return new Date(Number(seconds) * 1000).toISOString();
}

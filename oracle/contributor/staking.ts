// Stake management for a contributor: deposit (approve + stake), request an unstake, withdraw after the delay.
import { formatTokens } from "../chain/units.ts";
import { InvalidInputError } from "../errors.ts";
import { requireWallet, type ContributorSession } from "./session.ts";

/** An account's stake as the staking contract holds it (token base units). */
export interface StakeState {
  readonly account: string;
  readonly tokenBalance: bigint;
  readonly bonded: bigint;
  readonly locked: bigint;
  readonly free: bigint;
  readonly unbonding: bigint;
  /** Seconds since the epoch from which the unbonding request can be withdrawn (0: none). */
  readonly unbondingReleaseAt: bigint;
  /** What each commit locks, from the current policy. */
  readonly minContributorStake: bigint;
}

/** Reads `account`'s stake. */
export async function readStake(session: ContributorSession, account: string): Promise<StakeState> {
  const { staking, token, policy } = session.contracts;
  const unbonding = await staking.unbondingOf(account);
  return {
    account,
    tokenBalance: await token.balanceOf(account),
    bonded: await staking.bondedOf(account),
    locked: await staking.lockedOf(account),
    free: await staking.freeStakeOf(account),
    unbonding: unbonding.amount,
    unbondingReleaseAt: unbonding.releaseAt,
    minContributorStake: (await policy.currentPolicy()).minContributorStake,
  };
}

/**
 * Stakes `amount` (approving the staking contract first when the allowance is short). Without `amount`, tops the
 * free stake up to the current policy's `minContributorStake` (what one commit locks); a no-op when it is enough.
 * @returns the amount staked and the transaction hash (undefined when nothing was needed).
 * @throws {InvalidInputError} when the wallet holds fewer tokens than needed.
 */
export async function stake(session: ContributorSession, amount?: bigint): Promise<{ amount: bigint; txHash: string | undefined }> {
  const wallet = requireWallet(session);
  const { staking, token } = session.contracts;
  const before = await readStake(session, wallet.address);
  const wanted = amount ?? (before.free >= before.minContributorStake ? 0n : before.minContributorStake - before.free);
  if (wanted === 0n) return { amount: 0n, txHash: undefined };
  if (wanted < 0n) throw new InvalidInputError("stake amount must be positive");
  if (before.tokenBalance < wanted) {
    throw new InvalidInputError(`${wallet.address} holds ${before.tokenBalance} token base units, needs ${wanted} to stake`);
  }
  const spender = session.deployment.contracts.staking;
  if ((await token.allowance(wallet.address, spender)) < wanted) await (await token.approve(spender, wanted)).wait();
  const receipt = await (await staking.stake(wanted)).wait();
  return { amount: wanted, txHash: receipt?.hash };
}

/**
 * Moves `amount` of free stake (default: all of it) into the unbonding request, which restarts its timer.
 * @throws {InvalidInputError} when there is no free stake or `amount` exceeds it.
 */
export async function requestUnstake(session: ContributorSession, amount?: bigint): Promise<{ amount: bigint; releaseAt: bigint; txHash: string | undefined }> {
  const wallet = requireWallet(session);
  const before = await readStake(session, wallet.address);
  const wanted = amount ?? before.free;
  if (wanted <= 0n) throw new InvalidInputError(`${wallet.address} has no free stake to unstake (locked: ${before.locked})`);
  if (wanted > before.free) {
    throw new InvalidInputError(`${wallet.address} has ${before.free} free stake, cannot unstake ${wanted} (locked in rounds: ${before.locked})`);
  }
  const receipt = await (await session.contracts.staking.requestUnstake(wanted)).wait();
  const after = await session.contracts.staking.unbondingOf(wallet.address);
  return { amount: wanted, releaseAt: after.releaseAt, txHash: receipt?.hash };
}

/**
 * Withdraws the released unbonding request.
 * @throws {InvalidInputError} when there is none or it is not released yet (with the release time).
 */
export async function withdrawUnstaked(session: ContributorSession): Promise<{ amount: bigint; txHash: string | undefined }> {
  const wallet = requireWallet(session);
  const request = await session.contracts.staking.unbondingOf(wallet.address);
  if (request.amount === 0n) throw new InvalidInputError(`${wallet.address} has no unbonding request; run 'cw contributor unstake' first`);
  const now = BigInt((await session.provider.getBlock("latest"))?.timestamp ?? 0);
  if (now < request.releaseAt) {
    throw new InvalidInputError(`the unbonding request of ${formatTokens(request.amount)} releases at ${isoTime(request.releaseAt)} (in ${request.releaseAt - now} s)`);
  }
  const receipt = await (await session.contracts.staking.withdraw()).wait();
  return { amount: request.amount, txHash: receipt?.hash };
}

/** A chain timestamp as ISO 8601 UTC. */
export function isoTime(seconds: bigint): string {
  return new Date(Number(seconds) * 1000).toISOString();
}

// Stake management for every staker (contributors and operators alike): top up, request an unstake, withdraw,
// and operator registration. Each function takes contracts connected to the staker.
import type { Contracts } from "../chain/contracts.ts";
import { ActionRefusedError } from "../chain/errors.ts";
import { sendTransaction, type SentTransaction } from "../chain/transactions.ts";
import { formatTokens } from "../chain/units.ts";
import { signerAddress } from "../sponsor/open-round.ts";

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
}

/** Reads `account`'s stake. */
export async function readStake(contracts: Contracts, account: string): Promise<StakeState> {
  const { staking, token } = contracts;
  const unbonding = await staking.unbondingOf(account);
  return {
    account,
    tokenBalance: await token.balanceOf(account),
    bonded: await staking.bondedOf(account),
    locked: await staking.lockedOf(account),
    free: await staking.freeStakeOf(account),
    unbonding: unbonding.amount,
    unbondingReleaseAt: unbonding.releaseAt,
  };
}

/** What {@link topUpStake} did; `staked` is 0 when the free stake already covered the target. */
export interface TopUpOutcome {
  readonly staked: bigint;
  readonly approval: SentTransaction | undefined;
  readonly stake: SentTransaction | undefined;
}

/**
 * Stakes `amount` (`mode: "add"`), or what is missing for the free stake to reach `amount` (`mode: "free-at-least"`,
 * idempotent: a retry after success stakes nothing). Approves only what the allowance lacks.
 * @throws {ActionRefusedError} when the wallet holds too few tokens.
 */
export async function topUpStake(contracts: Contracts, args: { readonly amount: bigint; readonly mode: "add" | "free-at-least" }): Promise<TopUpOutcome> {
  const { staking, token } = contracts;
  const account = await signerAddress(contracts);
  const free = await staking.freeStakeOf(account);
  const wanted = args.mode === "add" ? args.amount : args.amount > free ? args.amount - free : 0n;
  if (wanted === 0n) return { staked: 0n, approval: undefined, stake: undefined };
  const balance = await token.balanceOf(account);
  if (balance < wanted) throw new ActionRefusedError(`${account} holds ${formatTokens(balance)}, needs ${formatTokens(wanted)} to stake`);
  const spender = await staking.getAddress();
  const allowance = await token.allowance(account, spender);
  const approval = allowance >= wanted
    ? undefined
    : await sendTransaction(`approve ${formatTokens(wanted)} for staking`, () => token.approve(spender, wanted));
  const stake = await sendTransaction(`stake ${formatTokens(wanted)}`, () => staking.stake(wanted));
  return { staked: wanted, approval, stake };
}

/**
 * Moves `amount` of free stake (default: all of it) into the unbonding request, which restarts its timer.
 * @throws {ActionRefusedError} when there is no free stake or `amount` exceeds it (saying how much is locked).
 */
export async function requestUnstake(contracts: Contracts, args: { readonly amount?: bigint } = {}): Promise<{ amount: bigint; releaseAt: bigint; tx: SentTransaction }> {
  const account = await signerAddress(contracts);
  const state = await readStake(contracts, account);
  const wanted = args.amount ?? state.free;
  if (wanted <= 0n) throw new ActionRefusedError(`${account} has no free stake to unstake (locked in rounds: ${formatTokens(state.locked)}; a keeper or 'cw contributor release' frees ended rounds' locks)`);
  if (wanted > state.free) {
    throw new ActionRefusedError(`${account} has ${formatTokens(state.free)} free stake, cannot unstake ${formatTokens(wanted)} (locked in rounds: ${formatTokens(state.locked)})`);
  }
  const tx = await sendTransaction(`unstake ${formatTokens(wanted)}`, () => contracts.staking.requestUnstake(wanted));
  return { amount: wanted, releaseAt: (await contracts.staking.unbondingOf(account)).releaseAt, tx };
}

/**
 * Withdraws the released unbonding request.
 * @throws {ActionRefusedError} when there is none or it is not released yet (with the release time).
 */
export async function withdrawStake(contracts: Contracts): Promise<{ amount: bigint; tx: SentTransaction }> {
  const account = await signerAddress(contracts);
  const request = await contracts.staking.unbondingOf(account);
  if (request.amount === 0n) throw new ActionRefusedError(`${account} has no unbonding request; unstake first`);
  const block = await contracts.staking.runner?.provider?.getBlock("latest");
  const now = BigInt(block?.timestamp ?? 0);
  if (now < request.releaseAt) {
    throw new ActionRefusedError(`the unbonding request of ${formatTokens(request.amount)} releases at ${new Date(Number(request.releaseAt) * 1000).toISOString()} (in ${request.releaseAt - now} s)`);
  }
  const tx = await sendTransaction(`withdraw ${formatTokens(request.amount)}`, () => contracts.staking.withdraw());
  return { amount: request.amount, tx };
}

/** What {@link registerOperator} did. */
export interface RegisterOutcome {
  readonly operator: string;
  readonly alreadyRegistered: boolean;
  readonly topUp: TopUpOutcome;
  readonly register: SentTransaction | undefined;
}

/**
 * Registers the signer as an oracle operator: stakes what its free stake lacks of `stake` (default: the current
 * policy's minimum operator stake), approving only what is missing, then registers. Idempotent: on retry after a
 * partial run it stakes nothing more, and an operator already registered is a success with nothing sent.
 */
export async function registerOperator(contracts: Contracts, args: { readonly stake?: bigint } = {}): Promise<RegisterOutcome> {
  const operator = await signerAddress(contracts);
  const none: TopUpOutcome = { staked: 0n, approval: undefined, stake: undefined };
  if (await contracts.oracleRegistry.isOperator(operator)) return { operator, alreadyRegistered: true, topUp: none, register: undefined };
  const amount = args.stake ?? (await contracts.policy.currentPolicy()).minOperatorStake;
  const topUp = await topUpStake(contracts, { amount, mode: "free-at-least" });
  const register = await sendTransaction(`register operator ${operator}`, () => contracts.oracleRegistry.register());
  return { operator, alreadyRegistered: false, topUp, register };
}

// The sponsor's actions: escrow a budget and open a round. Closing, marking failed and sweeping are upkeep that
// anyone may send; the sponsor's commands send them through oracle/keeper/upkeep.ts like everyone else.
import { CommonweightToken__factory } from "../../types/ethers-contracts/factories/token/CommonweightToken__factory.ts";
import type { Contracts } from "../chain/contracts.ts";
import { ActionRefusedError } from "../chain/errors.ts";
import { sendTransaction, type SentTransaction } from "../chain/transactions.ts";
import { formatTokens } from "../chain/units.ts";

/** What {@link openRound} did. */
export interface OpenRoundOutcome {
  readonly roundId: bigint;
  /** What arrived in escrow (a fee-on-transfer token funds less than the budget). */
  readonly funded: bigint;
  readonly commitEnd: bigint;
  readonly revealEnd: bigint;
  readonly approval: SentTransaction | undefined;
  readonly open: SentTransaction;
}

/**
 * Approves the rounds contract for what is missing of `budget` (nothing when the allowance covers it) and opens a
 * round funded with `budget` of `token` (default: the protocol token), with `contracts` connected to the sponsor.
 * @throws {ActionRefusedError} when the sponsor holds less than `budget`; {TransactionRevertedError} on a revert.
 */
export async function openRound(contracts: Contracts, args: { readonly budget: bigint; readonly token?: string }): Promise<OpenRoundOutcome> {
  const { rounds } = contracts;
  const sponsor = await signerAddress(contracts);
  // Any ERC-20 can fund a round; the protocol token's binding covers the calls made here.
  const token = args.token === undefined ? contracts.token : CommonweightToken__factory.connect(args.token, contracts.rounds.runner);
  const tokenAddress = await token.getAddress();
  const spender = await rounds.getAddress();
  const balance = await token.balanceOf(sponsor);
  if (balance < args.budget) throw new ActionRefusedError(`${sponsor} holds ${formatTokens(balance)}; the budget is ${formatTokens(args.budget)}`);
  const allowance = await token.allowance(sponsor, spender);
  const approval = allowance >= args.budget
    ? undefined
    : await sendTransaction(`approve ${formatTokens(args.budget)} for the rounds contract`, () => token.approve(spender, args.budget));
  const open = await sendTransaction(`open a round with ${formatTokens(args.budget)}`, () => rounds.open(tokenAddress, args.budget));
  const roundId = await openedRoundId(contracts, open.hash);
  const round = await rounds.round(roundId);
  return { roundId, funded: round.funded, commitEnd: round.commitEnd, revealEnd: round.revealEnd, approval, open };
}

async function openedRoundId(contracts: Contracts, txHash: string): Promise<bigint> {
  const receipt = await contracts.rounds.runner?.provider?.getTransactionReceipt(txHash);
  for (const log of receipt?.logs ?? []) {
    const parsed = contracts.rounds.interface.parseLog(log);
    if (parsed?.name === "RoundOpened") return parsed.args.roundId as bigint;
  }
  return contracts.rounds.roundCount();
}

/** The address of the signer `contracts` are connected to. @throws {ActionRefusedError} for read-only contracts. */
export async function signerAddress(contracts: Contracts): Promise<string> {
  const runner = contracts.rounds.runner;
  if (runner === null || !("getAddress" in runner) || typeof runner.getAddress !== "function") {
    throw new ActionRefusedError("this action needs a key (the contracts are connected read-only)");
  }
  return (await runner.getAddress()) as string;
}

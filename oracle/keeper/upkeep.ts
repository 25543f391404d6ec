// The one home of every upkeep transaction of a round (anyone may send them): close, mark failed, slash a
// non-revealer, slash an invalid contributor, pay an operator's share, release a lock, sweep. The sponsor's
// commands, the keeper, the demo and the tests all send them through these functions.
import type { Contracts } from "../chain/contracts.ts";
import { sendTransaction, type SentTransaction } from "../chain/transactions.ts";
import type { UpkeepAction } from "./due-actions.ts";

/** Closes round `roundId` after its reveal window. Contracts must be connected to the sender. */
export function closeRound(contracts: Pick<Contracts, "rounds">, roundId: bigint): Promise<SentTransaction> {
  return sendTransaction(`close round ${roundId}`, () => contracts.rounds.close(roundId));
}

/** Fails closed round `roundId` without quorum after its attestation deadline. */
export function markRoundFailed(contracts: Pick<Contracts, "rounds">, roundId: bigint): Promise<SentTransaction> {
  return sendTransaction(`mark round ${roundId} failed`, () => contracts.rounds.markFailed(roundId));
}

/** Settles the escrow of ended round `roundId`: a failed round's refund, a finalized round's treasury share and remainder. */
export function sweepRound(contracts: Pick<Contracts, "rounds">, roundId: bigint): Promise<SentTransaction> {
  return sendTransaction(`sweep round ${roundId}`, () => contracts.rounds.sweep(roundId));
}

/** Slashes `account`, which committed to round `roundId` and never revealed. */
export function slashNonRevealer(contracts: Pick<Contracts, "rounds">, roundId: bigint, account: string): Promise<SentTransaction> {
  return sendTransaction(`slash non-revealer ${account} in round ${roundId}`, () => contracts.rounds.slashNonRevealer(roundId, account));
}

/** Slashes `account`, listed invalid for `reason` in round `roundId`'s result, with its invalid-tree proof. */
export function slashInvalid(contracts: Pick<Contracts, "rounds">, roundId: bigint, account: string, reason: number, proof: readonly string[]): Promise<SentTransaction> {
  return sendTransaction(`slash invalid ${account} in round ${roundId}`, () => contracts.rounds.slashInvalid(roundId, account, reason, [...proof]));
}

/** Pays `operator` its share of round `roundId`'s operator pool (anyone may send it; the share goes to the operator). */
export function claimOperatorShare(contracts: Pick<Contracts, "rounds">, roundId: bigint, operator: string): Promise<SentTransaction> {
  return sendTransaction(`claim operator share of ${operator} in round ${roundId}`, () => contracts.rounds.claimOperatorReward(roundId, operator));
}

/** Releases revealer `account`'s lock of round `roundId` after its challenge window. */
export function releaseStake(contracts: Pick<Contracts, "rounds">, roundId: bigint, account: string): Promise<SentTransaction> {
  return sendTransaction(`release stake of ${account} in round ${roundId}`, () => contracts.rounds.releaseStake(roundId, account));
}

/** Sends one due action of round `roundId`. */
export function sendUpkeep(contracts: Pick<Contracts, "rounds">, roundId: bigint, action: UpkeepAction): Promise<SentTransaction> {
  switch (action.kind) {
    case "close":
      return closeRound(contracts, roundId);
    case "mark-failed":
      return markRoundFailed(contracts, roundId);
    case "slash-non-revealer":
      return slashNonRevealer(contracts, roundId, action.account);
    case "slash-invalid":
      return slashInvalid(contracts, roundId, action.account, action.reason, action.proof);
    case "claim-operator":
      return claimOperatorShare(contracts, roundId, action.operator);
    case "release":
      return releaseStake(contracts, roundId, action.account);
    case "sweep":
      return sweepRound(contracts, roundId);
  }
}

/** The action in a few words, for logs and the CLI. */
export function describeAction(action: UpkeepAction): string {
  switch (action.kind) {
    case "slash-non-revealer":
    case "slash-invalid":
    case "release":
      return `${action.kind} ${action.account}`;
    case "claim-operator":
      return `${action.kind} ${action.operator}`;
    default:
      return action.kind;
  }
}

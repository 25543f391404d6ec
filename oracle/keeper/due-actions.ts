// Which upkeep transactions a round needs at a given chain time: a pure function of the round's view, so it is
// unit-tested without a chain and every keeper (and `cw keeper once`) decides the same way.
import { ZeroHash } from "ethers";

import type { KeeperRoundView } from "./round-view.ts";

/** One invalid contributor of a round's result, with its leaf's proof against the round's invalid root. */
export interface InvalidEntry {
  readonly account: string;
  readonly reason: number;
  readonly proof: readonly string[];
}

/** One upkeep transaction. */
export type UpkeepAction =
  | { readonly kind: "close" }
  | { readonly kind: "mark-failed" }
  | { readonly kind: "slash-non-revealer"; readonly account: string }
  | { readonly kind: "slash-invalid"; readonly account: string; readonly reason: number; readonly proof: readonly string[] }
  | { readonly kind: "claim-operator"; readonly operator: string }
  | { readonly kind: "release"; readonly account: string }
  | { readonly kind: "sweep" };
export type UpkeepKind = UpkeepAction["kind"];

/** Every action kind, for metrics labels. */
export const UPKEEP_KINDS: readonly UpkeepKind[] = ["close", "mark-failed", "slash-non-revealer", "slash-invalid", "claim-operator", "release", "sweep"];

/** What is due now, when the next thing becomes due, and whether the round needs nothing ever again. */
export interface DueActions {
  readonly actions: readonly UpkeepAction[];
  /** Chain time at which a further action becomes possible; undefined when none is scheduled by time. */
  readonly nextAt: bigint | undefined;
  /** Nothing is left to do in this round, now or later. */
  readonly finished: boolean;
  /** Locks held back because the round has invalid contributors and their list is unknown to this keeper. */
  readonly waitingForInvalidList: boolean;
}

/**
 * The upkeep due in round `view` at chain time `nowSeconds` (the rules of contracts/rounds/*.sol):
 * close once the reveal window ended; mark failed once the attestation deadline passed without a result;
 * slash every non-revealer once closed; nothing while a dispute freezes the round (`Disputed`); once the result's
 * challenge window ended (at once for a round that failed without a signed result): slash every invalid
 * contributor of the result and pay every attesting operator its share until the claim window ends; release every
 * other revealer's lock from `releaseAt` (one window later when the result lists invalid contributors, so they are
 * slashed first); sweep once the claim window ended, and sweep again while a sweep transfer is still owed.
 * @param invalid The result's invalid contributors with proofs, or undefined when this keeper does not know them
 * (then no lock is released in a round whose invalid root is not zero: releasing would let them escape the slash).
 */
export function dueActions(view: KeeperRoundView, nowSeconds: bigint, invalid?: readonly InvalidEntry[]): DueActions {
  const actions: UpkeepAction[] = [];
  const later: bigint[] = [];
  switch (view.status) {
    case "None":
      return { actions, nextAt: undefined, finished: true, waitingForInvalidList: false };
    case "Open":
      if (nowSeconds >= view.revealEnd) actions.push({ kind: "close" });
      else later.push(view.revealEnd);
      return { actions, nextAt: min(later), finished: false, waitingForInvalidList: false };
    case "Closed":
      for (const account of view.unrevealed) actions.push({ kind: "slash-non-revealer", account });
      if (nowSeconds >= view.attestDeadline) actions.push({ kind: "mark-failed" });
      else later.push(view.attestDeadline);
      return { actions, nextAt: min(later), finished: false, waitingForInvalidList: false };
    case "Disputed":
      // Frozen until governance resolves the dispute: no upkeep call is accepted, and nothing is due by time.
      return { actions, nextAt: undefined, finished: false, waitingForInvalidList: false };
    case "Finalized":
    case "Failed":
      break;
  }
  for (const account of view.unrevealed) actions.push({ kind: "slash-non-revealer", account });
  const hasInvalid = view.invalidRoot !== ZeroHash;
  const invalidByAccount = new Map((hasInvalid ? (invalid ?? []) : []).map((e) => [e.account.toLowerCase(), e]));
  const waitingForInvalidList = hasInvalid && invalid === undefined && view.unsettled.length > 0;
  for (const account of view.unsettled) {
    const entry = invalidByAccount.get(account.toLowerCase());
    if (entry) {
      if (nowSeconds >= view.challengeEnd) actions.push({ kind: "slash-invalid", account, reason: entry.reason, proof: entry.proof });
      else later.push(view.challengeEnd);
    } else if (waitingForInvalidList) continue;
    else if (nowSeconds >= view.releaseAt) actions.push({ kind: "release", account });
    else later.push(view.releaseAt);
  }
  if (view.status === "Finalized" && nowSeconds < view.claimEnd) {
    if (nowSeconds >= view.claimStart) for (const operator of view.unpaidOperators) actions.push({ kind: "claim-operator", operator });
    else if (view.unpaidOperators.length > 0) later.push(view.claimStart);
  }
  if (!view.swept || view.sweepOwed) {
    if (nowSeconds >= view.claimEnd) actions.push({ kind: "sweep" });
    else later.push(view.claimEnd);
  }
  const finished = actions.length === 0 && later.length === 0 && !waitingForInvalidList;
  return { actions, nextAt: min(later), finished, waitingForInvalidList };
}

function min(values: readonly bigint[]): bigint | undefined {
  return values.length === 0 ? undefined : values.reduce((a, b) => (b < a ? b : a));
}

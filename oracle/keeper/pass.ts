// One keeper pass over one round: read the round, send every due upkeep transaction, and treat a transaction that
// another keeper (or anyone) already made unnecessary as success. Used by `cw keeper once`, `cw keeper run` and
// every single-action command, the demo and the tests.
import { ZeroHash } from "ethers";

import type { Contracts } from "../chain/contracts.ts";
import type { Deployment } from "../chain/deployment.ts";
import { TransactionRevertedError } from "../chain/errors.ts";
import type { SentTransaction } from "../chain/transactions.ts";
import type { Logger } from "../logger.ts";
import { dueActions, type InvalidEntry, type UpkeepAction, type UpkeepKind } from "./due-actions.ts";
import { readKeeperView, type KeeperRoundView } from "./round-view.ts";
import { describeAction, sendUpkeep } from "./upkeep.ts";

/** What happened to one action. `lost-race`: someone else's transaction made it unnecessary first. */
export type ActionResult =
  | { readonly action: UpkeepAction; readonly status: "sent"; readonly tx: SentTransaction }
  | { readonly action: UpkeepAction; readonly status: "lost-race" }
  | { readonly action: UpkeepAction; readonly status: "failed"; readonly error: Error };

/** The outcome of one pass. */
export interface PassOutcome {
  readonly roundId: bigint;
  readonly results: readonly ActionResult[];
  /** Chain time at which the round next needs a pass (undefined: nothing scheduled by time). */
  readonly nextAt: bigint | undefined;
  readonly finished: boolean;
  readonly waitingForInvalidList: boolean;
}

/** Options of {@link keeperPass}. */
export interface PassOptions {
  /** The result's invalid contributors, when the round has any (undefined: not known to this keeper). */
  readonly invalidOf?: (view: KeeperRoundView) => Promise<readonly InvalidEntry[] | undefined>;
  /** Only these kinds of action (single-action commands). @defaultValue all */
  readonly kinds?: readonly UpkeepKind[];
  /** Only actions about this account (release or slash one account). */
  readonly account?: string;
  readonly log?: Logger;
  /** Called once per mined upkeep transaction (metrics). */
  readonly onSent?: (action: UpkeepAction, tx: SentTransaction) => void;
}

/** Chain time: the latest block's timestamp. */
export async function chainNow(contracts: Contracts): Promise<bigint> {
  const block = await contracts.rounds.runner?.provider?.getBlock("latest");
  return BigInt(block?.timestamp ?? 0);
}

/**
 * Sends every upkeep action due in round `roundId` now, one after the other, with `contracts` connected to the
 * sender. A failed action is re-checked against the chain: if it is no longer due, someone else did it
 * (`lost-race`, a success); otherwise it is reported as `failed` and the pass goes on with the next action.
 * @throws {ChainReadError} when the round does not exist; transport errors of the reads.
 */
export async function keeperPass(contracts: Contracts, deployment: Deployment, roundId: bigint, options: PassOptions = {}): Promise<PassOutcome> {
  const view = await readKeeperView(contracts, deployment, roundId);
  const invalid = view.invalidRoot === ZeroHash || view.unsettled.length === 0 ? [] : await options.invalidOf?.(view);
  const due = dueActions(view, await chainNow(contracts), invalid);
  const results: ActionResult[] = [];
  for (const action of due.actions.filter((a) => wanted(a, options))) {
    try {
      const tx = await sendUpkeep(contracts, roundId, action);
      options.log?.info({ roundId: String(roundId), action: describeAction(action), tx: tx.hash, gasUsed: String(tx.gasUsed) }, "upkeep sent");
      options.onSent?.(action, tx);
      const stranded = action.kind === "sweep" ? await failedSweepTransfers(contracts, roundId, tx) : [];
      if (stranded.length > 0) {
        // The sweep was mined but a recipient's transfer failed: it stays owed; report it so the caller backs off.
        const error = new Error(`sweep of round ${roundId}: transfer failed to ${stranded.join(", ")}; still owed, a later sweep retries it`);
        options.log?.warn({ roundId: String(roundId), tx: tx.hash, recipients: stranded }, "sweep transfer failed");
        results.push({ action, status: "failed", error });
      } else {
        results.push({ action, status: "sent", tx });
      }
    } catch (err) {
      if (!(err instanceof TransactionRevertedError)) throw err;
      if (await stillDue(contracts, deployment, roundId, action, invalid)) {
        options.log?.warn({ err, roundId: String(roundId), action: describeAction(action) }, "upkeep failed");
        results.push({ action, status: "failed", error: err });
      } else {
        options.log?.info({ roundId: String(roundId), action: describeAction(action), reason: err.errorName }, "upkeep already done by someone else");
        results.push({ action, status: "lost-race" });
      }
    }
  }
  return { roundId, results, nextAt: due.nextAt, finished: due.finished, waitingForInvalidList: due.waitingForInvalidList };
}

/** Recipients whose sweep transfer failed in transaction `tx` (`SweepTransferFailed`). */
async function failedSweepTransfers(contracts: Contracts, roundId: bigint, tx: SentTransaction): Promise<string[]> {
  const events = await contracts.rounds.queryFilter(contracts.rounds.filters.SweepTransferFailed(roundId), tx.blockNumber, tx.blockNumber);
  return events.filter((e) => e.transactionHash === tx.hash).map((e) => e.args.recipient);
}

function wanted(action: UpkeepAction, options: PassOptions): boolean {
  if (options.kinds && !options.kinds.includes(action.kind)) return false;
  if (options.account === undefined) return true;
  const who = "account" in action ? action.account : "operator" in action ? action.operator : undefined;
  return who !== undefined && who.toLowerCase() === options.account.toLowerCase();
}

async function stillDue(contracts: Contracts, deployment: Deployment, roundId: bigint, action: UpkeepAction, invalid: readonly InvalidEntry[] | undefined): Promise<boolean> {
  const due = dueActions(await readKeeperView(contracts, deployment, roundId), await chainNow(contracts), invalid);
  return due.actions.some((a) => describeAction(a) === describeAction(action));
}

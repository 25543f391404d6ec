// One way to send a transaction and read what happened: the receipt's gas, or the contract's custom error.
import { isCallException, type ContractTransactionResponse } from "ethers";

import { TransactionRevertedError } from "./errors.ts";
import { decodeRevert } from "./revert.ts";

/** A mined transaction. */
export interface SentTransaction {
  readonly hash: string;
  readonly blockNumber: number;
  readonly gasUsed: bigint;
}

/**
 * Sends one transaction and waits for its receipt.
 * @param action What is sent, for the error (`close round 3`).
 * @throws {TransactionRevertedError} with the decoded custom error when it would revert (ethers estimates gas
 * first, so such a transaction is never broadcast) or reverted.
 */
export async function sendTransaction(action: string, send: () => Promise<ContractTransactionResponse>): Promise<SentTransaction> {
  try {
    const tx = await send();
    const receipt = await tx.wait();
    if (receipt === null) throw new TransactionRevertedError(action, undefined, [], "no receipt (the transaction was replaced)");
    return { hash: receipt.hash, blockNumber: receipt.blockNumber, gasUsed: receipt.gasUsed };
  } catch (err) {
    if (err instanceof TransactionRevertedError) throw err;
    const decoded = decodeRevert(err);
    throw new TransactionRevertedError(action, decoded?.name, decoded?.args ?? [], decoded ? decoded.text : describeError(err), { cause: err });
  }
}

/** `ErrorName(arg, ...)`. */
function formatRevert(decoded: { readonly name: string; readonly args: readonly unknown[] }): string {
  return `${decoded.name}(${decoded.args.map((a) => String(a)).join(", ")})`;
}

/** A revert as `ErrorName(arg, ...)` when ethers decoded it, else the provider's short message. */
export function describeError(err: unknown): string {
  if (isCallException(err) && err.revert !== null && err.revert !== undefined) return formatRevert({ name: err.revert.name, args: [...err.revert.args] });
  if (isCallException(err)) return err.shortMessage;
  if (typeof err === "object" && err !== null && "shortMessage" in err && typeof err.shortMessage === "string") return err.shortMessage;
  return err instanceof Error ? err.message : String(err);
}

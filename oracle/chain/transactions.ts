// One way to send a transaction and read what happened: the receipt's gas, or the contract's custom error.
import { isCallException, isHexString, type ContractTransactionResponse, type Interface } from "ethers";

import { TransactionRevertedError } from "./errors.ts";

/** A mined transaction. */
export interface SentTransaction {
  readonly hash: string;
  readonly blockNumber: number;
  readonly gasUsed: bigint;
}

/** A decoded custom error. */
export interface DecodedRevert {
  readonly name: string;
  readonly args: readonly unknown[];
}

/**
 * Sends one transaction and waits for its receipt.
 * @param action What is sent, for the error (`close round 3`).
 * @param iface The interface whose custom errors can come back (the contract's; errors of contracts it calls too).
 * @throws {TransactionRevertedError} with the decoded custom error when it would revert (ethers estimates gas
 * first, so such a transaction is never broadcast) or reverted.
 */
export async function sendTransaction(action: string, iface: Interface, send: () => Promise<ContractTransactionResponse>): Promise<SentTransaction> {
  try {
    const tx = await send();
    const receipt = await tx.wait();
    if (receipt === null) throw new TransactionRevertedError(action, undefined, [], "no receipt (the transaction was replaced)");
    return { hash: receipt.hash, blockNumber: receipt.blockNumber, gasUsed: receipt.gasUsed };
  } catch (err) {
    if (err instanceof TransactionRevertedError) throw err;
    const decoded = decodeRevert(iface, err);
    throw new TransactionRevertedError(action, decoded?.name, decoded?.args ?? [], decoded ? formatRevert(decoded) : describeError(err), { cause: err });
  }
}

/** `ErrorName(arg, ...)`. */
export function formatRevert(decoded: DecodedRevert): string {
  return `${decoded.name}(${decoded.args.map((a) => String(a)).join(", ")})`;
}

/** A revert as `ErrorName(arg, ...)` when ethers decoded it, else the provider's short message. */
export function describeError(err: unknown): string {
  if (isCallException(err) && err.revert !== null && err.revert !== undefined) return formatRevert({ name: err.revert.name, args: [...err.revert.args] });
  if (isCallException(err)) return err.shortMessage;
  if (typeof err === "object" && err !== null && "shortMessage" in err && typeof err.shortMessage === "string") return err.shortMessage;
  return err instanceof Error ? err.message : String(err);
}

/**
 * Decodes a revert with `iface`, whichever provider threw it: ethers' CallException over HTTP, or Hardhat's
 * SolidityError on the in-process network (both carry the revert data as `data`, possibly nested).
 */
export function decodeRevert(iface: Interface, err: unknown): DecodedRevert | undefined {
  const data = revertData(err);
  if (data === undefined) return undefined;
  const parsed = iface.parseError(data);
  return parsed === null ? undefined : { name: parsed.name, args: [...parsed.args] };
}

function revertData(err: unknown, depth = 0): string | undefined {
  if (typeof err !== "object" || err === null || depth > 4) return undefined;
  const record = err as Record<string, unknown>;
  if (typeof record.data === "string" && isHexString(record.data) && record.data.length >= 10) return record.data;
  for (const key of ["data", "error", "info", "cause"]) {
    const found = revertData(record[key], depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

import { isCallException, isHexString, type ContractTransactionReceipt, type ContractTransactionResponse, type Interface } from "ethers";

import { TaskInputError } from "./task-error.ts";

/**
 * Sends one transaction, waits for its receipt and prints `label: <hash> (block n)`.
 * @throws {TaskInputError} naming the contract's custom error when the transaction would revert (ethers estimates
 * gas first, so a revert is caught before anything is broadcast).
 */
export async function sendTransaction(label: string, send: () => Promise<ContractTransactionResponse>): Promise<ContractTransactionReceipt> {
  let receipt: ContractTransactionReceipt | null;
  try {
    const tx = await send();
    receipt = await tx.wait();
  } catch (err) {
    throw new TaskInputError(`${label} failed: ${describeRevert(err)}`, { cause: err });
  }
  if (receipt === null) throw new TaskInputError(`${label}: no receipt`);
  console.log(`${label}: ${receipt.hash} (block ${receipt.blockNumber})`);
  return receipt;
}

/** A revert as `ErrorName(arg, ...)` when the contract's ABI decodes it, else the provider's short message. */
export function describeRevert(err: unknown): string {
  if (isCallException(err) && err.revert !== null && err.revert !== undefined) {
    return `${err.revert.name}(${err.revert.args.map((a: unknown) => String(a)).join(", ")})`;
  }
  if (isCallException(err)) return err.shortMessage;
  return err instanceof Error ? err.message : String(err);
}

/** A decoded custom error. */
export interface DecodedRevert {
  readonly name: string;
  readonly args: readonly unknown[];
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

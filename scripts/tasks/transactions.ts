import type { ContractTransactionReceipt, ContractTransactionResponse } from "ethers";

import { describeError } from "../../oracle/chain/transactions.ts";
import { OracleError } from "../../oracle/errors.ts";
import { TaskInputError } from "./task-error.ts";

export { decodeRevert, type DecodedRevert } from "../../oracle/chain/revert.ts";

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
  return describeError(err);
}

/**
 * Runs an actor function (oracle/sponsor, keeper, staking, governance) and turns its typed errors into the
 * {@link TaskInputError} Hardhat prints as one line.
 */
export async function runAction<T>(action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (err) {
    if (err instanceof OracleError) throw new TaskInputError(err.message, { cause: err });
    throw err;
  }
}

// Every transaction the page sends goes through `send`: one status line while the wallet signs and while the
// transaction is pending, then the receipt or the reason in words. A revert is decoded with every contract's ABI
// (oracle/chain/revert.ts, the decoder the `cw` CLI uses too).
import { isCallException, isError, type ContractTransactionReceipt, type ContractTransactionResponse } from "ethers";

import { decodeRevert } from "../../oracle/chain/revert.ts";
import { AppError } from "./app-error.ts";
import { showStatus } from "./status.ts";
import { TaskInputError } from "./task-error.ts";

/** How long a sent transaction may stay unmined before the page stops waiting and says so. */
const RECEIPT_TIMEOUT_MS = 120_000;

/** Any failure as one sentence for the user. */
export function describeError(err: unknown): string {
  // Our own messages (and the tasks' parsing and bound messages) are already in words.
  if (err instanceof AppError || err instanceof TaskInputError) return err.message;
  if (isError(err, "ACTION_REJECTED") || (typeof err === "object" && err !== null && (err as { code?: unknown }).code === 4001)) {
    return "You rejected the request in your wallet; nothing was sent.";
  }
  const decoded = decodeRevert(err);
  if (decoded !== undefined) return `The contract reverted: ${decoded.text}. Nothing was changed.`;
  if (isCallException(err)) return `The contract reverted: ${err.reason ?? err.shortMessage}. Nothing was changed.`;
  if (isError(err, "NETWORK_ERROR") || isError(err, "SERVER_ERROR")) return `Cannot reach the chain's JSON-RPC: ${err.shortMessage}`;
  if (isError(err, "INSUFFICIENT_FUNDS")) return "Your account has too little ETH for the gas.";
  const message = err instanceof Error ? ((err as { shortMessage?: string }).shortMessage ?? err.message) : String(err);
  return message.split("\n")[0] ?? message;
}

/**
 * Sends one transaction through the wallet and waits for its receipt, telling the user each step.
 * @throws {AppError} with the reason in words (already shown in the status line).
 */
export async function send(label: string, submit: () => Promise<ContractTransactionResponse>): Promise<ContractTransactionReceipt> {
  showStatus("pending", `${label}: confirm in your wallet…`);
  let tx: ContractTransactionResponse;
  try {
    tx = await submit();
  } catch (err) {
    const message = `${label} failed: ${describeError(err)}`;
    showStatus("error", message);
    throw new AppError(message, { cause: err });
  }
  showStatus("pending", `${label}: transaction ${tx.hash} pending…`);
  let receipt: ContractTransactionReceipt | null;
  try {
    receipt = await tx.wait(1, RECEIPT_TIMEOUT_MS);
  } catch (err) {
    const message = isError(err, "TIMEOUT")
      ? `${label}: transaction ${tx.hash} is still pending after ${RECEIPT_TIMEOUT_MS / 1000} s; check it in your wallet.`
      : `${label} failed: ${describeError(err)}`;
    showStatus("error", message);
    throw new AppError(message, { cause: err });
  }
  if (receipt === null) {
    const message = `${label}: transaction ${tx.hash} was replaced or dropped.`;
    showStatus("error", message);
    throw new AppError(message);
  }
  showStatus("ok", `${label}: confirmed in block ${receipt.blockNumber} (${receipt.hash}).`);
  return receipt;
}

// Every transaction the page sends goes through `send`: one status line while the wallet signs and while the
// transaction is pending, then the receipt or the reason in words. A revert is decoded with every contract's ABI.
import { ErrorDescription, Interface, isCallException, isError, type ContractTransactionReceipt, type ContractTransactionResponse, type ErrorFragment } from "ethers";

import { CommonweightGovernor__factory } from "../../types/ethers-contracts/factories/governance/CommonweightGovernor__factory.ts";
import { ModelPolicyRegistry__factory } from "../../types/ethers-contracts/factories/governance/ModelPolicyRegistry__factory.ts";
import { OracleRegistry__factory } from "../../types/ethers-contracts/factories/oracle/OracleRegistry__factory.ts";
import { Rounds__factory } from "../../types/ethers-contracts/factories/rounds/Rounds__factory.ts";
import { Staking__factory } from "../../types/ethers-contracts/factories/staking/Staking__factory.ts";
import { CommonweightToken__factory } from "../../types/ethers-contracts/factories/token/CommonweightToken__factory.ts";
import { AppError } from "./app-error.ts";
import { tokens } from "./format.ts";
import { showStatus } from "./status.ts";
import { TaskInputError } from "./task-error.ts";

/** How long a sent transaction may stay unmined before the page stops waiting and says so. */
const RECEIPT_TIMEOUT_MS = 120_000;

/** Every custom error of the suite, from the deployed contracts' ABIs (deduplicated by signature). */
const ERRORS = (() => {
  const seen = new Map<string, ErrorFragment>();
  for (const abi of [Rounds__factory.abi, Staking__factory.abi, CommonweightGovernor__factory.abi, ModelPolicyRegistry__factory.abi, OracleRegistry__factory.abi, CommonweightToken__factory.abi]) {
    for (const fragment of new Interface(abi).fragments) if (fragment.type === "error") seen.set((fragment as ErrorFragment).format("sighash"), fragment as ErrorFragment);
  }
  return new Interface([...seen.values()]);
})();

/** Argument names that hold token amounts (shown in CWT, not base units). */
const AMOUNT_ARG = /amount|stake|free|required|locked|budget|total|remaining|pool|balance|allowance|needed|votes/i;

/** A decoded revert as `Name(arg = value, ...)` with amounts in tokens. */
export function formatCustomError(error: ErrorDescription): string {
  const args = error.fragment.inputs.map((input, i) => {
    const value: unknown = error.args[i];
    const shown = typeof value === "bigint" && input.type.startsWith("uint") && AMOUNT_ARG.test(input.name) ? tokens(value) : String(value);
    return `${input.name} = ${shown}`;
  });
  return `${error.name}(${args.join(", ")})`;
}

/** Finds revert data anywhere in an error from ethers or a wallet (wallets nest it differently). */
function revertData(err: unknown, depth = 0): string | undefined {
  if (typeof err !== "object" || err === null || depth > 5) return undefined;
  const record = err as Record<string, unknown>;
  if (typeof record.data === "string" && /^0x[0-9a-fA-F]{8,}$/.test(record.data)) return record.data;
  for (const key of ["data", "error", "info", "cause", "payload"]) {
    const found = revertData(record[key], depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Any failure as one sentence for the user. */
export function describeError(err: unknown): string {
  // Our own messages (and the tasks' parsing and bound messages) are already in words.
  if (err instanceof AppError || err instanceof TaskInputError) return err.message;
  if (isError(err, "ACTION_REJECTED") || (typeof err === "object" && err !== null && (err as { code?: unknown }).code === 4001)) {
    return "You rejected the request in your wallet; nothing was sent.";
  }
  const data = revertData(err);
  const decoded = data === undefined ? null : ERRORS.parseError(data);
  if (decoded !== null) return `The contract reverted: ${formatCustomError(decoded)}. Nothing was changed.`;
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

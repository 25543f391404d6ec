// Contract reverts in the user's words: the custom error's name and arguments, decoded with the ABIs of every
// Commonweight contract (and the OpenZeppelin errors they inherit), token amounts in CWT.
import { ErrorFragment, Interface, formatUnits, isCallException, isError, isHexString, type ParamType } from "ethers";

import { CommonweightGovernor__factory } from "../../types/ethers-contracts/factories/governance/CommonweightGovernor__factory.ts";
import { CommonweightTimelock__factory } from "../../types/ethers-contracts/factories/governance/CommonweightTimelock__factory.ts";
import { ModelPolicyRegistry__factory } from "../../types/ethers-contracts/factories/governance/ModelPolicyRegistry__factory.ts";
import { OracleRegistry__factory } from "../../types/ethers-contracts/factories/oracle/OracleRegistry__factory.ts";
import { ModelRegistry__factory } from "../../types/ethers-contracts/factories/registry/ModelRegistry__factory.ts";
import { Rounds__factory } from "../../types/ethers-contracts/factories/rounds/Rounds__factory.ts";
import { Staking__factory } from "../../types/ethers-contracts/factories/staking/Staking__factory.ts";
import { CommonweightToken__factory } from "../../types/ethers-contracts/factories/token/CommonweightToken__factory.ts";

/** A decoded custom error: its name and its arguments, in declaration order. */
export interface DecodedRevert {
  readonly name: string;
  readonly args: readonly unknown[];
  /** `Name(arg=value, …)`, token amounts in CWT. */
  readonly text: string;
}

/** CWT has 18 decimals; argument names that carry token amounts are shown in CWT. */
const TOKEN_DECIMALS = 18;
const TOKEN_ARGUMENT = /amount|balance|needed|stake|required|allowance|budget|funded|value|free|locked|reward/i;

let combined: Interface | undefined;

/** One interface holding every custom error of the deployed contracts (deduplicated by selector). */
export function commonweightErrors(): Interface {
  if (combined !== undefined) return combined;
  const abis = [
    CommonweightToken__factory.abi, Staking__factory.abi, ModelPolicyRegistry__factory.abi, ModelRegistry__factory.abi,
    OracleRegistry__factory.abi, Rounds__factory.abi, CommonweightGovernor__factory.abi, CommonweightTimelock__factory.abi,
  ];
  const seen = new Map<string, ErrorFragment>();
  for (const abi of abis) {
    for (const fragment of new Interface(abi).fragments) {
      if (fragment instanceof ErrorFragment && !seen.has(fragment.selector)) seen.set(fragment.selector, fragment);
    }
  }
  combined = new Interface([...seen.values()]);
  return combined;
}

/**
 * Decodes the revert inside `err` (an ethers CallException over HTTP, Hardhat's error on the in-process network, or
 * either nested in a `cause`) with `iface` (default: every Commonweight contract's errors).
 * @returns undefined when `err` carries no revert data the interface knows.
 */
export function decodeRevert(err: unknown, iface: Interface = commonweightErrors()): DecodedRevert | undefined {
  const data = revertData(err);
  if (data === undefined) return undefined;
  let parsed: ReturnType<Interface["parseError"]>;
  try {
    parsed = iface.parseError(data);
  } catch {
    // Data with a known selector but undecodable arguments: no decoded revert (the caller shows the raw message).
    return undefined;
  }
  if (parsed === null) return undefined;
  const args = [...parsed.args];
  const shown = parsed.fragment.inputs.map((input, i) => `${input.name === "" ? `arg${i}` : input.name}=${formatArgument(input, args[i])}`);
  return { name: parsed.name, args, text: `${parsed.name}(${shown.join(", ")})` };
}

/**
 * The one line `cw` prints for a chain failure: a decoded revert, a call exception's summary, or too little ETH
 * for gas; undefined when `err` is none of those.
 */
export function describeChainError(err: unknown): string | undefined {
  const revert = decodeRevert(err);
  if (revert !== undefined) return `transaction reverted: ${revert.text}`;
  if (isCallException(err)) return `transaction reverted: ${err.shortMessage}`;
  if (isError(err, "INSUFFICIENT_FUNDS")) return "the sending account has too little ETH to pay for gas";
  return undefined;
}

function formatArgument(input: ParamType, value: unknown): string {
  if (typeof value === "bigint" && input.baseType === "uint256" && TOKEN_ARGUMENT.test(input.name)) {
    const text = formatUnits(value, TOKEN_DECIMALS);
    return `${text.endsWith(".0") ? text.slice(0, -2) : text} CWT`;
  }
  return String(value);
}

function revertData(err: unknown, depth = 0): string | undefined {
  if (typeof err !== "object" || err === null || depth > 5) return undefined;
  const record = err as Record<string, unknown>;
  if (typeof record.data === "string" && isHexString(record.data) && record.data.length >= 10) return record.data;
  for (const key of ["revert", "data", "error", "info", "cause"]) {
    const found = revertData(record[key], depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

import { formatUnits, parseUnits } from "ethers";

import { TaskInputError } from "./task-error.ts";

/** CWT and every reward token the tasks touch use 18 decimals unless the token says otherwise. */
export const DEFAULT_DECIMALS = 18;

const DECIMAL_AMOUNT = /^\d+(\.\d+)?$/;

/**
 * Parses a human token amount ("1000", "0.5") into base units.
 * @param flag The flag name for the error message, e.g. "--amount".
 * @throws {TaskInputError} when the text is not a positive decimal with at most `decimals` fraction digits.
 */
export function parseTokenAmount(flag: string, text: string | undefined, decimals = DEFAULT_DECIMALS): bigint {
  if (text === undefined || text === "") throw new TaskInputError(`${flag} is required (a token amount such as 1000 or 0.5)`);
  const trimmed = text.trim();
  const fraction = trimmed.split(".")[1] ?? "";
  if (!DECIMAL_AMOUNT.test(trimmed) || fraction.length > decimals) {
    throw new TaskInputError(`${flag} must be a token amount with at most ${decimals} decimals, such as 1000 or 0.5; got '${text}'`);
  }
  const amount = parseUnits(trimmed, decimals);
  if (amount === 0n) throw new TaskInputError(`${flag} must be greater than 0`);
  return amount;
}

/** Base units as a decimal token amount with its symbol: `1000.5 CWT`. */
export function formatTokenAmount(amount: bigint, symbol = "CWT", decimals = DEFAULT_DECIMALS): string {
  const text = formatUnits(amount, decimals);
  return `${text.endsWith(".0") ? text.slice(0, -2) : text} ${symbol}`;
}

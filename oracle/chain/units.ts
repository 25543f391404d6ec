// Token amounts: every message shows tokens (`1000.5 CWT`), every flag takes tokens; base units stay inside.
import { formatUnits, parseUnits } from "ethers";

import { InvalidInputError } from "../errors.ts";

/** CWT and every reward token the tools touch use 18 decimals unless the token says otherwise. */
export const TOKEN_DECIMALS = 18;
/** The protocol token's symbol. */
export const TOKEN_SYMBOL = "CWT";

const DECIMAL_AMOUNT = /^\d+(\.\d+)?$/;

/** Base units as a decimal token amount with its symbol: `1000.5 CWT`, `0 CWT`. */
export function formatTokens(amount: bigint, symbol = TOKEN_SYMBOL, decimals = TOKEN_DECIMALS): string {
  const text = formatUnits(amount, decimals);
  return `${text.endsWith(".0") ? text.slice(0, -2) : text} ${symbol}`;
}

/** Options of {@link parseTokens}. */
export interface ParseTokensOptions {
  readonly decimals?: number;
  /** Accept 0. @defaultValue false */
  readonly allowZero?: boolean;
}

/**
 * Parses a human token amount ("1000", "0.5") into base units.
 * @param what What the amount is, for the error message (a flag name such as `--budget`).
 * @throws {InvalidInputError} unless the text is a non-negative decimal with at most `decimals` fraction digits
 * (and positive unless `allowZero`).
 */
export function parseTokens(what: string, text: string | undefined, options: ParseTokensOptions = {}): bigint {
  const decimals = options.decimals ?? TOKEN_DECIMALS;
  if (text === undefined || text.trim() === "") throw new InvalidInputError(`${what} is required (a token amount such as 1000 or 0.5)`);
  const trimmed = text.trim();
  const fraction = trimmed.split(".")[1] ?? "";
  if (!DECIMAL_AMOUNT.test(trimmed) || fraction.length > decimals) {
    throw new InvalidInputError(`${what} must be a token amount with at most ${decimals} decimals, such as 1000 or 0.5; got ${JSON.stringify(text)}`);
  }
  const amount = parseUnits(trimmed, decimals);
  if (amount === 0n && options.allowZero !== true) throw new InvalidInputError(`${what} must be greater than 0`);
  return amount;
}

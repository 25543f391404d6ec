import { InvalidInputError } from "../../oracle/errors.ts";
import { formatTokens, parseTokens, TOKEN_DECIMALS } from "../../oracle/chain/units.ts";
import { TaskInputError } from "./task-error.ts";

/** CWT and every reward token the tasks touch use 18 decimals unless the token says otherwise. */
export const DEFAULT_DECIMALS = TOKEN_DECIMALS;

/**
 * Parses a human token amount ("1000", "0.5") into base units (oracle/chain/units.ts).
 * @param flag The flag name for the error message, e.g. "--amount".
 * @throws {TaskInputError} when the text is not a positive decimal with at most `decimals` fraction digits.
 */
export function parseTokenAmount(flag: string, text: string | undefined, decimals = DEFAULT_DECIMALS): bigint {
  try {
    return parseTokens(flag, text, { decimals });
  } catch (err) {
    if (err instanceof InvalidInputError) throw new TaskInputError(err.message, { cause: err });
    throw err;
  }
}

/** Base units as a decimal token amount with its symbol: `1000.5 CWT`. */
export function formatTokenAmount(amount: bigint, symbol = "CWT", decimals = DEFAULT_DECIMALS): string {
  return formatTokens(amount, symbol, decimals);
}

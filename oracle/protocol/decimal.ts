/** Decimal integers as the protocol writes them: no sign for non-negative, no leading zeros. */
const CANONICAL_DECIMAL = /^(0|-?[1-9][0-9]*)$/;

/** Parses a canonical decimal integer exactly; `undefined` when `text` is not canonical. */
export function parseCanonicalInteger(text: string): bigint | undefined {
  if (text.length > 100 || !CANONICAL_DECIMAL.test(text)) return undefined;
  return BigInt(text);
}

/** Parses a canonical decimal integer that must lie in `[min, max]`; `undefined` otherwise. */
export function parseBoundedInteger(text: string, min: bigint, max: bigint): bigint | undefined {
  const value = parseCanonicalInteger(text);
  if (value === undefined || value < min || value > max) return undefined;
  return value;
}

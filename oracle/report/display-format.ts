/*
 * How numbers read in the report. Amounts stay bigint until the last step, so 18-decimal token
 * values print exactly; the charts' script has its own float conversion for drawing only.
 */

/** Decimals of the Commonweight token (CWT); amounts in the summary are base units. */
export const TOKEN_DECIMALS = 18;
/** Ticker shown next to amounts. */
export const TOKEN_SYMBOL = "CWT";

const MS_PER_SECOND = 1_000;
const SECONDS_PER_MINUTE = 60;

/**
 * Base units as a human token amount: thousands separated, at most `maxFractionDigits` decimals,
 * trailing zeros dropped, truncated toward zero (never rounds a payout up).
 * @defaultValue maxFractionDigits 2
 */
export function formatTokens(baseUnits: string, maxFractionDigits = 2): string {
  const value = BigInt(baseUnits);
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const unit = 10n ** BigInt(TOKEN_DECIMALS);
  const whole = (abs / unit).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const fraction = (abs % unit).toString().padStart(TOKEN_DECIMALS, "0").slice(0, maxFractionDigits).replace(/0+$/, "");
  const tiny = abs > 0n && whole === "0" && fraction === "";
  return `${negative ? "−" : ""}${tiny ? "<0.01" : whole}${fraction ? `.${fraction}` : ""}`;
}

/** `formatTokens` with the ticker, e.g. `1,000 CWT`. */
export function formatTokensWithSymbol(baseUnits: string): string {
  return `${formatTokens(baseUnits)} ${TOKEN_SYMBOL}`;
}

/** A fraction in [0, 1] as a percentage, e.g. `0.853` → `85.3%`. */
export function formatPercent(fraction: number, fractionDigits = 1): string {
  return `${(fraction * 100).toFixed(fractionDigits)}%`;
}

/** Milliseconds as `850 ms`, `12.4 s` or `2 min 05 s`. */
export function formatDuration(durationMs: number): string {
  if (durationMs < MS_PER_SECOND) return `${Math.round(durationMs)} ms`;
  const seconds = durationMs / MS_PER_SECOND;
  if (seconds < SECONDS_PER_MINUTE) return `${seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / SECONDS_PER_MINUTE);
  const rest = Math.round(seconds - minutes * SECONDS_PER_MINUTE);
  return `${minutes} min ${String(rest).padStart(2, "0")} s`;
}

/** `0x1234abcd…9f8e`: enough to tell hashes apart at a glance; show the full value in a title. */
export function shortHex(hex: string, head = 6, tail = 4): string {
  const body = hex.startsWith("0x") ? hex.slice(2) : hex;
  if (body.length <= head + tail + 1) return hex;
  return `${hex.startsWith("0x") ? "0x" : ""}${body.slice(0, head)}…${body.slice(-tail)}`;
}

/** `1 round`, `2 rounds`. */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

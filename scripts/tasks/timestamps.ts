/** A unix timestamp in seconds as an ISO-8601 date; `-` for 0 (not set). */
export function isoDate(seconds: bigint | number): string {
  const value = BigInt(seconds);
  return value === 0n ? "-" : new Date(Number(value) * 1000).toISOString();
}

const DURATION = /^(\d+)(s|m|h|d)?$/;
const UNIT_SECONDS = { s: 1, m: 60, h: 3_600, d: 86_400 } as const;

/** Parses "90", "90s", "15m", "2h" or "7d" into seconds; undefined when the text is not such a duration. */
export function parseDurationSeconds(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (match === null || match[1] === undefined) return undefined;
  const unit = (match[2] ?? "s") as keyof typeof UNIT_SECONDS;
  return Number(match[1]) * UNIT_SECONDS[unit];
}

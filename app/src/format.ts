// Display formats: token amounts from oracle/chain/units.ts, dates as the tasks print them.
import { formatTokens } from "../../oracle/chain/units.ts";
import { isoDate } from "../../scripts/tasks/timestamps.ts";

/** Base units as `1000.5 CWT` (the tasks' format). */
export function tokens(amount: bigint): string {
  return formatTokens(amount);
}

/** Unix seconds as an ISO date (UTC), as the tasks print them. */
export function date(seconds: bigint): string {
  return seconds === 0n ? "-" : isoDate(seconds);
}

/** A short address: 0x1234…abcd. */
export function short(address: string): string {
  return address.length > 12 ? `${address.slice(0, 6)}…${address.slice(-4)}` : address;
}

import type { Redis } from "ioredis";

/** What BullMQ needs of Redis, as `CONFIG GET` answers it. */
const REQUIRED_SETTINGS = [
  { name: "maxmemory-policy", want: "noeviction", why: "any other policy lets Redis evict queue keys and lose jobs" },
  { name: "appendonly", want: "yes", why: "without append-only persistence a Redis restart loses the queue (the chain reconciliation recovers rounds, at the cost of redoing work)" },
] as const;

/**
 * Checks a Redis against what BullMQ needs and returns one warning per problem (empty: all good).
 * Managed Redis often refuses `CONFIG GET`; that is reported as a warning, not an error.
 */
export async function checkRedisForBullmq(client: Redis): Promise<string[]> {
  const warnings: string[] = [];
  for (const setting of REQUIRED_SETTINGS) {
    let answer: unknown;
    try {
      answer = await client.config("GET", setting.name);
    } catch (err) {
      warnings.push(`could not read Redis setting ${setting.name} (${err instanceof Error ? err.message : String(err)}); make sure it is ${setting.want}`);
      continue;
    }
    const value = Array.isArray(answer) ? answer[1] : undefined;
    if (value !== setting.want) {
      warnings.push(`Redis ${setting.name} is ${String(value)}, should be ${setting.want}: ${setting.why}`);
    }
  }
  return warnings;
}

import { z } from "zod";

import { ConfigError } from "./errors.ts";

/**
 * Every setting the off-chain code reads from the environment. This module is the only reader of
 * `process.env`; everything else receives a parsed {@link Config} (or a slice of it).
 */
export const ConfigSchema = z.object({
  /**
   * Redis for the BullMQ queues. Unset: use 127.0.0.1:6379 when it answers, otherwise start a
   * `redis-server` from PATH on a free port (development and demo only).
   * @defaultValue undefined
   */
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
  /**
   * Log level for the pino root logger.
   * @defaultValue "info"
   */
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

export type Config = z.infer<typeof ConfigSchema>;

/**
 * Parses the environment once, at boot.
 * @throws {ConfigError} listing every invalid variable.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw new ConfigError(`invalid configuration: ${problems.join("; ")}`);
  }
  return parsed.data;
}

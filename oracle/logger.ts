import { pino, type Logger } from "pino";

import type { Config } from "./config.ts";

export type { Logger } from "pino";

/** Paths pino blanks out wherever they appear in a log object. Secrets never reach a log line. */
export const REDACT_PATHS = [
  "*.privateKey",
  "*.ORACLE_PRIVATE_KEY",
  "config.ORACLE_PRIVATE_KEY",
  "*.password",
  "*.keystorePassword",
];

/**
 * The root logger: JSON lines on stdout (or `destination`). Modules take a child:
 * `log.child({ module: "chain-watcher" })`; jobs add `{ jobId, roundId }`.
 */
export function createLogger(config: Pick<Config, "LOG_LEVEL">, destination?: pino.DestinationStream): Logger {
  const options = { level: config.LOG_LEVEL, redact: { paths: REDACT_PATHS, censor: "[redacted]" } };
  return destination ? pino(options, destination) : pino(options);
}

/** Every failure the off-chain code reports on purpose carries one of these codes. */
export const ORACLE_ERROR_CODES = [
  "CONFIG",
  "REDIS_UNAVAILABLE",
  "CHAIN_READ",
  "INVALID_UPDATE",
  "INVALID_INPUT",
  "QUORUM_NOT_REACHED",
  "SUBMISSION_REVERTED",
  "INTEGRITY",
  "INVARIANT",
] as const;
export type OracleErrorCode = (typeof ORACLE_ERROR_CODES)[number];

/** Base class of the typed errors; identify them with `instanceof`, never by message. */
export class OracleError extends Error {
  readonly code: OracleErrorCode;

  constructor(code: OracleErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "OracleError";
    this.code = code;
  }
}

/** Configuration is missing or invalid; the message lists every problem. */
export class ConfigError extends OracleError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("CONFIG", message, options);
    this.name = "ConfigError";
  }
}

/** No Redis could be reached or started. The message says what the user can do. */
export class RedisUnavailableError extends OracleError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("REDIS_UNAVAILABLE", message, options);
    this.name = "RedisUnavailableError";
  }
}

/** Input from a user or a file is unusable (bad flag, unreadable folder, malformed JSON). */
export class InvalidInputError extends OracleError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("INVALID_INPUT", message, options);
    this.name = "InvalidInputError";
  }
}

/** A stored blob does not hash to the address it was stored or requested under. */
export class IntegrityError extends OracleError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("INTEGRITY", message, options);
    this.name = "IntegrityError";
  }
}

/** An internal assumption failed: a bug, never bad input. */
export class InvariantError extends OracleError {
  constructor(message: string) {
    super("INVARIANT", message);
    this.name = "InvariantError";
  }
}

/** Throws {@link InvariantError} unless `condition` holds. */
export function assertInvariant(condition: unknown, message: string): asserts condition {
  if (!condition) throw new InvariantError(message);
}

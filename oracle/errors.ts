/** Every failure the off-chain code reports on purpose carries one of these codes, one per class below. */
export const ORACLE_ERROR_CODES = [
  "CONFIG",
  "REDIS_UNAVAILABLE",
  "CHAIN_READ",
  "UNAVAILABLE",
  "INVALID_INPUT",
  "SUBMISSION_REVERTED",
  "SUBMISSION_STUCK",
  "EQUIVOCATION_REFUSED",
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

/** A chain read failed or returned something the contracts cannot have meant (a fault of the RPC, not of the user). */
export class ChainReadError extends OracleError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("CHAIN_READ", message, options);
    this.name = "ChainReadError";
  }
}

/** A file the protocol needs (a base model, a published package) cannot be fetched now; worth retrying later. */
export class UnavailableError extends OracleError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("UNAVAILABLE", message, options);
    this.name = "UnavailableError";
  }
}

/** Input from a user or a file is unusable (bad flag, unreadable folder, malformed JSON). */
export class InvalidInputError extends OracleError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("INVALID_INPUT", message, options);
    this.name = "InvalidInputError";
  }
}

/** A transaction reverted; `errorName` and `errorArgs` are decoded with the contract's interface when it declares the error. */
export class SubmissionRevertedError extends OracleError {
  readonly errorName: string | undefined;
  readonly errorArgs: readonly unknown[];

  constructor(message: string, details: { errorName?: string | undefined; errorArgs?: readonly unknown[]; cause?: unknown } = {}) {
    super("SUBMISSION_REVERTED", message, { cause: details.cause });
    this.name = "SubmissionRevertedError";
    this.errorName = details.errorName;
    this.errorArgs = details.errorArgs ?? [];
  }
}

/** A transaction was not mined in time even after fee bumps; the submission is retried later with the same nonce. */
export class SubmissionStuckError extends OracleError {
  constructor(message: string) {
    super("SUBMISSION_STUCK", message);
    this.name = "SubmissionStuckError";
  }
}

/** Refused: signing this digest would make the operator equivocate (and be slashed). */
export class EquivocationRefusedError extends OracleError {
  constructor(message: string) {
    super("EQUIVOCATION_REFUSED", message);
    this.name = "EquivocationRefusedError";
  }
}

/** A stored blob does not hash to the address it was stored or requested under, or is missing from the store. */
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

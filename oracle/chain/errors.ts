// Typed errors of the chain layer and of the actor modules built on it. They extend the project's OracleError
// (oracle/errors.ts) with the codes already defined there.
import { InvalidInputError, OracleError } from "../errors.ts";

/** The chain answered something unusable: an unknown enum value, a missing round, logs that do not add up. */
export class ChainReadError extends OracleError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("CHAIN_READ", message, options);
    this.name = "ChainReadError";
  }
}

/** No node answers at the configured RPC URL, or it serves another chain. The message says which URL and chain. */
export class ChainUnavailableError extends OracleError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("CHAIN_READ", message, options);
    this.name = "ChainUnavailableError";
  }
}

/**
 * A transaction would revert (ethers estimates gas first, so nothing was broadcast) or reverted. Carries the
 * contract's custom error name and arguments when its ABI decodes them.
 */
export class TransactionRevertedError extends OracleError {
  readonly action: string;
  readonly errorName: string | undefined;
  readonly errorArgs: readonly unknown[];

  constructor(action: string, errorName: string | undefined, errorArgs: readonly unknown[], detail: string, options?: { cause?: unknown }) {
    super("SUBMISSION_REVERTED", `${action} reverted: ${detail}`, options);
    this.name = "TransactionRevertedError";
    this.action = action;
    this.errorName = errorName;
    this.errorArgs = errorArgs;
  }
}

/** An action cannot be taken now or with these arguments (wrong phase, too little stake, nothing to do). */
export class ActionRefusedError extends InvalidInputError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ActionRefusedError";
  }
}

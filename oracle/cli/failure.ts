// How `cw` (and the npm scripts) turn a failure into one line: typed errors say their message, a contract revert
// its decoded custom error, an unreachable endpoint where it is. Stack traces only with --debug or DEBUG=1.
// The chain's error decoding (ethers and the contract ABIs) loads only when a failure needs it, so a command
// that never touches a chain (`cw aggregate`, `cw inspect`) does not pay for it at start.
import { CommanderError } from "commander";

import { OracleError, type OracleErrorCode } from "../errors.ts";

/** Exit status for bad input (flags, files, folders, configuration). */
export const EXIT_BAD_INPUT = 2;
/** Exit status for any other failure: an unreachable chain, a revert, a bug. */
export const EXIT_FAILURE = 1;

/**
 * Whether failures print their stack trace (the `--debug` flag does the same): `DEBUG=1` or `DEBUG=true`. Other
 * values of DEBUG (`express:*`, used by the `debug` package) do not turn it on.
 */
export function debugRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  return /^(1|true|yes)$/i.test(env.DEBUG ?? "");
}

/** A failure as the user sees it: one line and an exit status. */
export interface Failure {
  readonly line: string;
  readonly exitCode: number;
  /** False for an error nobody anticipated (a bug): the line says how to see its stack trace. */
  readonly expected: boolean;
}

/** Typed errors that are not the user's input: the chain or Redis is unreachable, a transaction reverted. */
const RUNTIME_CODES: ReadonlySet<OracleErrorCode> = new Set(["CHAIN_READ", "REDIS_UNAVAILABLE", "UNAVAILABLE", "SUBMISSION_REVERTED", "SUBMISSION_STUCK", "INVARIANT"]);

const CONNECT_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EHOSTUNREACH", "ENETUNREACH", "ECONNRESET", "ETIMEDOUT", "EAI_AGAIN"]);

/** `err` as one line and an exit status. */
export async function describeFailure(err: unknown): Promise<Failure> {
  if (err instanceof OracleError) return { line: err.message, exitCode: RUNTIME_CODES.has(err.code) ? EXIT_FAILURE : EXIT_BAD_INPUT, expected: true };
  const unreachable = connectFailure(err);
  if (unreachable !== undefined) {
    return { line: `chain unreachable: cannot connect to ${unreachable}; is the node running, and is --rpc-url (or RPC_URL) right?`, exitCode: EXIT_FAILURE, expected: true };
  }
  const { describeChainError } = await import("../chain/revert.ts");
  const chainLine = describeChainError(err);
  if (chainLine !== undefined) return { line: chainLine, exitCode: EXIT_FAILURE, expected: true };
  // ethers errors carry their one-line summary as shortMessage; the message appends the whole request.
  const short = typeof err === "object" && err !== null && "shortMessage" in err && typeof err.shortMessage === "string" ? err.shortMessage : undefined;
  const message = short ?? (err instanceof Error ? err.message.split("\n")[0] : String(err));
  return { line: `unexpected error: ${message} (run with --debug or DEBUG=1 for the stack trace)`, exitCode: EXIT_FAILURE, expected: false };
}

/** `host:port` when `err` (or an error in its cause chain) is a refused or failed connection. */
function connectFailure(err: unknown, depth = 0): string | undefined {
  if (typeof err !== "object" || err === null || depth > 5) return undefined;
  const record = err as Record<string, unknown>;
  if (typeof record.code === "string" && CONNECT_CODES.has(record.code)) {
    const where = typeof record.address === "string" ? `${record.address}${typeof record.port === "number" ? `:${record.port}` : ""}` : typeof record.hostname === "string" ? record.hostname : "the endpoint";
    return `${where} (${record.code})`;
  }
  for (const key of ["cause", "error", "info"]) {
    const found = connectFailure(record[key], depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * Prints `err` for `program` as one line on stderr (`program: line`) and its stack trace when `debug`, and returns
 * the exit status. Commander's own errors were already printed by Commander.
 */
export async function reportFailure(program: string, err: unknown, debug: boolean): Promise<number> {
  if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : EXIT_BAD_INPUT;
  const failure = await describeFailure(err);
  process.stderr.write(`${program}: ${failure.line}\n`);
  if (debug) process.stderr.write(`${err instanceof Error && err.stack !== undefined ? err.stack : String(err)}\n`);
  return failure.exitCode;
}

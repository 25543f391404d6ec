import type { Logger } from "../logger.ts";

/** Options of {@link withRetry}. */
export interface RetryOptions {
  /** Attempts in all, the first included. @defaultValue 6 */
  readonly attempts?: number;
  /** Delay before the second attempt; doubles each time. @defaultValue 250 */
  readonly baseDelayMs?: number;
  /** Cap on one delay. @defaultValue 8000 */
  readonly maxDelayMs?: number;
  /** Which errors are worth retrying. @defaultValue {@link isTransientRpcError} */
  readonly retryable?: (err: unknown) => boolean;
  readonly log?: Logger;
  /** What is being retried, for the log. */
  readonly what?: string;
}

/**
 * Runs `operation` until it succeeds, retrying transient failures with exponential backoff.
 * Only for reads and for idempotent steps: a write must check the chain before it is retried.
 * @throws the last error once attempts run out, or at once a non-retryable error.
 */
export async function withRetry<T>(operation: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = options.attempts ?? 6;
  const retryable = options.retryable ?? isTransientRpcError;
  let delayMs = options.baseDelayMs ?? 250;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await operation();
    } catch (err) {
      if (attempt >= attempts || !retryable(err)) throw err;
      options.log?.warn({ err, attempt, delayMs, what: options.what }, "transient failure; retrying");
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      delayMs = Math.min(delayMs * 2, options.maxDelayMs ?? 8_000);
    }
  }
}

const TRANSIENT_CODES = new Set([
  "ECONNREFUSED", "ECONNRESET", "EHOSTUNREACH", "ENETUNREACH", "EHOSTDOWN", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EAI_AGAIN", "UND_ERR_SOCKET", "UND_ERR_CONNECT_TIMEOUT",
  // ethers v6
  "NETWORK_ERROR", "TIMEOUT", "SERVER_ERROR", "UNKNOWN_ERROR",
]);

/**
 * True for failures of the transport (connection refused or reset, timeouts, 5xx, rate limits),
 * false for answers the node gave on purpose (reverts, bad arguments, nonce errors).
 */
export function isTransientRpcError(err: unknown): boolean {
  for (let current: unknown = err, depth = 0; current && depth < 6; depth += 1) {
    if (typeof current !== "object") return false;
    const code = "code" in current ? String(current.code) : undefined;
    if (code === "CALL_EXCEPTION" || code === "INVALID_ARGUMENT" || code === "NONCE_EXPIRED") return false;
    if (code && TRANSIENT_CODES.has(code)) return true;
    const status = "status" in current ? Number(current.status) : Number.NaN;
    if (status === 429 || status >= 500) return true;
    current = "cause" in current ? current.cause : "error" in current ? current.error : undefined;
  }
  return false;
}

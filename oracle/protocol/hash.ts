import { createHash } from "node:crypto";

/** A sha256 digest written as `0x` + 64 lowercase hex digits (docs/protocol.md §1). */
export type Hash = `0x${string}`;

/** `0x` and 64 hex digits, either case: the one copy of the pattern (schemas use oracle/chain/hash-schema.ts). */
export const HASH_PATTERN = /^0x[0-9a-fA-F]{64}$/;

/** sha256 of `bytes`, as a protocol {@link Hash}. */
export function hashBytes(bytes: Uint8Array): Hash {
  return `0x${createHash("sha256").update(bytes).digest("hex")}`;
}

/** Whether `text` is `0x` + 64 hex digits (any case). */
export function isHashText(text: string): boolean {
  return HASH_PATTERN.test(text);
}

/**
 * Compares two hashes as 32-byte values (docs/protocol.md §1.2: case of the hex digits is irrelevant).
 * Both must satisfy {@link isHashText}.
 */
export function sameHash(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/**
 * The canonical (lowercase) form of a hash, for comparison and file names.
 * @throws {TypeError} when `text` is not `0x` + 64 hex digits.
 */
export function normalizeHash(text: string): Hash {
  if (!isHashText(text)) throw new TypeError(`not a 32-byte hex hash: ${JSON.stringify(text.slice(0, 80))}`);
  return text.toLowerCase() as Hash;
}

/** The all-zero hash, signed as the model hash of a failed round. */
export const ZERO_HASH: Hash = `0x${"0".repeat(64)}`;

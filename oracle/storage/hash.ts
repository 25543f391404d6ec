import { createHash } from "node:crypto";

/** `0x` + 64 lowercase hex digits: how PROTOCOL.md §1 writes a sha256 file hash. */
export type HexHash = `0x${string}`;

const HEX_HASH = /^0x[0-9a-fA-F]{64}$/;

/** True when `value` is a 32-byte hash written as 0x-prefixed hex (either case). */
export function isHexHash(value: string): value is HexHash {
  return HEX_HASH.test(value);
}

/**
 * Canonical form of a hash for comparison and file names: lowercase. PROTOCOL.md compares hashes as
 * 32-byte values, so case never matters.
 */
export function normalizeHash(hash: string): HexHash {
  if (!isHexHash(hash)) throw new TypeError(`not a 32-byte hex hash: ${JSON.stringify(hash.slice(0, 80))}`);
  return hash.toLowerCase() as HexHash;
}

/** sha256 of `bytes`, as {@link HexHash}. */
export function sha256Hex(bytes: Uint8Array): HexHash {
  return `0x${createHash("sha256").update(bytes).digest("hex")}`;
}

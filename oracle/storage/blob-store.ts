import type { Hash } from "../protocol/hash.ts";

/** Where a published blob can be fetched from, and its content address. */
export interface StoredBlob {
  readonly hash: Hash;
  /** A URI any operator or auditor can fetch (`file://`, `https://`, later `s3://`, `ipfs://`). */
  readonly uri: string;
  readonly sizeBytes: number;
}

/**
 * A content-addressed blob store for update and model files. `get` verifies what it returns:
 * implementations re-hash and throw `IntegrityError` on mismatch. A local directory is the default;
 * an S3-compatible or IPFS store implements the same interface.
 */
export interface BlobStore {
  /** Stores `bytes` under their sha256; storing the same bytes twice is a no-op. */
  put(bytes: Uint8Array): Promise<StoredBlob>;
  /** The bytes stored under `hash`, or `undefined` when absent. @throws {IntegrityError} */
  get(hash: string): Promise<Uint8Array | undefined>;
  has(hash: string): Promise<boolean>;
  /** The URI `put` would return for `hash`. */
  uriOf(hash: string): string;
}

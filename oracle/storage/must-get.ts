import { IntegrityError } from "../errors.ts";
import type { BlobStore } from "./blob-store.ts";

/**
 * The bytes stored under `hash`.
 * @param what names the blob in the error message ("base model", "round manifest").
 * @throws {IntegrityError} when absent.
 */
export async function mustGet(store: BlobStore, hash: string, what: string): Promise<Uint8Array> {
  const bytes = await store.get(hash);
  if (!bytes) throw new IntegrityError(`${what} ${hash} is not in the store`);
  return bytes;
}

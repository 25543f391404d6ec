import { decodeResultPackage, encodeResultPackage, type ResultPackage } from "../protocol/result-package.ts";
import type { BlobStore } from "./blob-store.ts";
import { mustGet } from "./must-get.ts";

/** Stores a result package and returns its hash. */
export async function putResultPackage(store: BlobStore, pkg: ResultPackage): Promise<string> {
  return (await store.put(encodeResultPackage(pkg))).hash;
}

/**
 * Reads a result package from the store.
 * @throws {IntegrityError} when missing. @throws {InvalidInputError} when malformed.
 */
export async function getResultPackage(store: BlobStore, hash: string): Promise<ResultPackage> {
  return decodeResultPackage(await mustGet(store, hash, "result package"), `result package ${hash}`);
}

import { mkdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { randomBytes } from "node:crypto";

import { IntegrityError } from "../errors.ts";
import type { BlobStore, StoredBlob } from "./blob-store.ts";
import { normalizeHash, hashBytes } from "../protocol/hash.ts";

/**
 * A {@link BlobStore} in a local directory: one file per blob, named by its hash without `0x`.
 * Writes go to a temporary name first and are renamed into place, so a crash never leaves a
 * partial blob under a valid name.
 */
export class LocalDirectoryStore implements BlobStore {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  async put(bytes: Uint8Array): Promise<StoredBlob> {
    const hash = hashBytes(bytes);
    const path = this.#pathOf(hash);
    if (!(await this.has(hash))) {
      await mkdir(this.root, { recursive: true });
      const temporary = `${path}.${randomBytes(6).toString("hex")}.tmp`;
      await writeFile(temporary, bytes);
      await rename(temporary, path);
    }
    return { hash, uri: this.uriOf(hash), sizeBytes: bytes.byteLength };
  }

  async get(hash: string): Promise<Uint8Array | undefined> {
    const wanted = normalizeHash(hash);
    let bytes: Uint8Array;
    try {
      bytes = await readFile(this.#pathOf(wanted));
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
    const actual = hashBytes(bytes);
    if (actual !== wanted) throw new IntegrityError(`blob ${wanted} in ${this.root} hashes to ${actual}`);
    return bytes;
  }

  async has(hash: string): Promise<boolean> {
    try {
      return (await stat(this.#pathOf(normalizeHash(hash)))).isFile();
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  uriOf(hash: string): string {
    return pathToFileURL(this.#pathOf(normalizeHash(hash))).href;
  }

  #pathOf(hash: string): string {
    return join(this.root, `${hash.slice(2)}.safetensors`);
  }
}

function isNotFound(err: unknown): boolean {
  return typeof err === "object" && err !== null && "code" in err && err.code === "ENOENT";
}

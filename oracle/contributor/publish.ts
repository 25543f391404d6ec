import { readFile } from "node:fs/promises";

import { InvalidInputError } from "../errors.ts";
import { hashBytes, type Hash } from "../protocol/hash.ts";
import { uriOfCid, type IpfsNode } from "../storage/ipfs-node.ts";

/** One file made fetchable: what to commit (`hash`) and reveal (`uri`). */
export interface Publication {
  readonly file: string;
  /** sha256 of the file: the hash to commit to. */
  readonly hash: Hash;
  /** `ipfs://<cid>`: the URI to reveal. */
  readonly uri: string;
  readonly sizeBytes: number;
}

/**
 * Adds `files` (update or model files) to `node` and pins them there, so the node provides them to
 * every peer that asks for as long as it runs (and again after a restart on the same repo).
 * @throws {InvalidInputError} when a file cannot be read.
 */
export async function publishFiles(node: IpfsNode, files: readonly string[]): Promise<Publication[]> {
  const published: Publication[] = [];
  for (const file of files) {
    const bytes = await readFile(file).catch((err: unknown) => {
      throw new InvalidInputError(`cannot read ${file}`, { cause: err });
    });
    const cid = await node.add(bytes);
    published.push({ file, hash: hashBytes(bytes), uri: uriOfCid(cid), sizeBytes: bytes.byteLength });
  }
  return published;
}

import { createHash } from "node:crypto";

import type { Hash } from "./hash.ts";

const CHUNK_ELEMENTS = 8192;
const TWO_32 = 2 ** 32;

/**
 * `aggregateSha256` (§6): sha256 of the A values as little-endian int64, tensors in name order
 * (the flattened order), elements in file order. `A` holds exact integers with |A| <= 2^52, so the
 * split `hi = floor(a / 2^32)`, `lo = a - hi * 2^32` is exact and gives the two's complement words.
 */
export function aggregateSha256(aggregate: Float64Array): Hash {
  const hash = createHash("sha256");
  const words = new Uint32Array(2 * CHUNK_ELEMENTS);
  for (let start = 0; start < aggregate.length; start += CHUNK_ELEMENTS) {
    const end = Math.min(aggregate.length, start + CHUNK_ELEMENTS);
    for (let j = start; j < end; j++) {
      const a = aggregate[j] as number;
      const hi = Math.floor(a / TWO_32);
      words[2 * (j - start)] = a - hi * TWO_32;
      words[2 * (j - start) + 1] = hi >>> 0;
    }
    hash.update(new Uint8Array(words.buffer, 0, 8 * (end - start)));
  }
  return `0x${hash.digest("hex")}`;
}

import { createHash } from "node:crypto";

import type { Hash } from "./hash.ts";
import { threadStage } from "./int-kernels.ts";

/**
 * `aggregateSha256` (§6): sha256 of the A values as little-endian int64, tensors in name order
 * (the flattened order), elements in file order. `A` holds exact integers with |A| <= 2^52, so the
 * conversion to int64 (WebAssembly's `i64.trunc_f64_s`, in place in the staging area) is exact.
 */
export function aggregateSha256(aggregate: Float64Array): Hash {
  const hash = createHash("sha256");
  const s = threadStage();
  const chunk = s.xF64.length;
  for (let start = 0; start < aggregate.length; start += chunk) {
    const len = Math.min(chunk, aggregate.length - start);
    s.xF64.set(aggregate.subarray(start, start + len));
    s.kernels.toI64(s.xAt, s.xAt, 8 * len);
    hash.update(s.xBytes.subarray(0, 8 * len));
  }
  return `0x${hash.digest("hex")}`;
}

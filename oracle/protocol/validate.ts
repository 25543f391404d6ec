import { MalformedFileError } from "./file-errors.ts";
import { hashBytes, sameHash } from "./hash.ts";
import { tensorStats, type TensorStats } from "./int-kernels.ts";
import { withinClipNorm } from "./norm.ts";
import type { Policy } from "./policy.ts";
import type { SafetensorsLimits } from "./safetensors.ts";
import { decodeUpdate, type Update, type UpdateExpectation } from "./update-file.ts";

/** Reason codes of docs/protocol.md §1.2, in the order the checks run. */
export const INVALID_REASONS = ["unavailable", "hash-mismatch", "malformed", "norm"] as const;
export type InvalidReason = (typeof INVALID_REASONS)[number];

/** Outcome of validating one update. */
export type Validation = { valid: true; update: Update; stats: TensorStats[] } | { valid: false; reason: InvalidReason };

/**
 * Validates one update (§1.2): unavailable, hash-mismatch, malformed, norm, in that order; the first
 * failing check gives the reason. A valid update comes with each tensor's exact {@link TensorStats}. `file` is `null` when it could not be fetched within the limits.
 * Never throws for bad file content.
 */
export function validateUpdate(
  file: Uint8Array | null,
  revealedHash: string,
  expect: UpdateExpectation,
  policy: Pick<Policy, "clipMantissa" | "clipExp">,
  limits?: SafetensorsLimits,
): Validation {
  if (file === null || (limits !== undefined && file.length > limits.maxFileBytes)) return { valid: false, reason: "unavailable" };
  if (!sameHash(hashBytes(file), revealedHash)) return { valid: false, reason: "hash-mismatch" };
  let update: Update;
  try {
    update = decodeUpdate(file, expect, limits);
  } catch (err) {
    // Documented expected case: a malformed file is a recorded rejection, not a failure.
    if (err instanceof MalformedFileError) return { valid: false, reason: "malformed" };
    throw err;
  }
  // One pass over each tensor gives the norm check its sums and alignment its bounds.
  const stats = update.tensors.map((t) => tensorStats(t.q));
  if (!withinClipNorm(update.tensors, policy.clipMantissa, policy.clipExp, stats)) return { valid: false, reason: "norm" };
  return { valid: true, update, stats };
}

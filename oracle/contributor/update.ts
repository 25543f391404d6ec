import { InvariantError } from "../errors.ts";
import { hashBytes, type Hash } from "../protocol/hash.ts";
import type { Policy } from "../protocol/policy.ts";
import { compareBytes } from "../protocol/safetensors.ts";
import { encodeUpdate, type Update } from "../protocol/update-file.ts";
import { validateUpdate } from "../protocol/validate.ts";
import { l2Norm, privatizeDelta, type DpResult, type TensorValues } from "./dp.ts";
import { updatePrivacy, type PrivacyReport } from "./privacy.ts";
import { boundNorm, dequantize, quantizeDelta, type QuantizedDtype } from "./quantize.ts";
import type { Seed } from "./random.ts";

/**
 * What the contributor needs from a round's policy: the consensus-critical verification bound `C`
 * and the (not consensus-critical) DP parameters of docs/protocol.md §1.2.
 */
export type ContributorPolicy = Pick<Policy, "clipMantissa" | "clipExp"> & {
  /** DP clip norm `Cdp`. */
  dpClipNorm: number;
  /** Noise multiplier `z`. */
  noiseMultiplier: number;
  /** The policy's δ, for the ε report. */
  delta: number;
};

/** Input of {@link makeUpdate}. */
export type MakeUpdateInput = {
  /** Raw delta `local − base`, tensors in the base model's order with its names and shapes. */
  delta: readonly TensorValues[];
  /** Training examples behind the delta (the update's `samples`). */
  samples: number;
  roundId: string;
  baseHash: Hash;
  policy: ContributorPolicy;
  /** Secret, fresh randomness in production (32 bytes of `crypto.randomBytes`); fixed only in tests. */
  noiseSeed: Seed;
  /** @defaultValue "I16" (finer steps; I8 halves the file but loses more to truncation) */
  dtype?: QuantizedDtype;
};

/** A canonical update file ready to upload, with everything the client reports about it. */
export type MadeUpdate = {
  bytes: Uint8Array;
  hash: Hash;
  update: Update;
  dp: DpResult;
  privacy: PrivacyReport;
  /** L2 norm of the quantized values `q · 2^e` (binary64; the exact check has already passed). */
  quantizedNorm: number;
  /** The verification bound `C` as a number. */
  boundNorm: number;
};

/**
 * The whole off-chain pipeline of docs/protocol.md §1.2 for one contributor: clip to `Cdp`, add
 * Gaussian noise `z · Cdp`, scale down to `C` if needed, quantize each tensor (rounding toward
 * zero), encode the canonical update, then validate it exactly as an oracle would.
 * @throws {InvalidInputError} on bad parameters, a non-finite delta or values that do not fit `dtype`.
 * @throws {MalformedFileError} when a name, shape, round id or sample count breaks §1.2.
 * @throws {InvariantError} if the finished file would fail the oracle's validation (a bug).
 */
export function makeUpdate(input: MakeUpdateInput): MadeUpdate {
  const { policy } = input;
  const bound = boundNorm(policy);
  const dp = privatizeDelta(input.delta, { clipNorm: policy.dpClipNorm, noiseMultiplier: policy.noiseMultiplier, boundNorm: bound }, input.noiseSeed);
  const tensors = quantizeDelta(dp.tensors, input.dtype ?? "I16");
  const update: Update = { round: input.roundId, base: input.baseHash, samples: input.samples, tensors };
  const bytes = encodeUpdate(update);
  const hash = hashBytes(bytes);
  const layout = input.delta.map((t) => ({ name: t.name, shape: t.shape })).sort((a, b) => compareBytes(a.name, b.name));
  const validation = validateUpdate(bytes, hash, { roundId: input.roundId, baseHash: input.baseHash, layout }, policy);
  if (!validation.valid) throw new InvariantError(`the client made an update the oracle would reject (${validation.reason})`);
  const quantizedNorm = l2Norm(tensors.map((t) => ({ name: t.name, shape: t.shape, values: dequantize(t) })));
  return { bytes, hash, update, dp, privacy: updatePrivacy(policy.noiseMultiplier, policy.delta), quantizedNorm, boundNorm: bound };
}

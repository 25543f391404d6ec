import { randomBytes } from "node:crypto";

import { InvalidInputError } from "../errors.ts";
import { SeededRandom, type Seed } from "./random.ts";

/** A named tensor of real values in binary64 (the DP pipeline's working precision). */
export type RealTensor = { name: string; shape: number[]; values: Float64Array };

/** Anything with values per tensor: model tensors (F32) or real tensors (F64). */
export type TensorValues = { name: string; shape: number[]; values: Float32Array | Float64Array };

/** The DP and bound parameters of a round's policy (docs/protocol.md §1.2 and §2). */
export type DpParameters = {
  /** DP clip norm `Cdp`: the raw delta's global L2 norm is clipped to this. */
  clipNorm: number;
  /** Noise multiplier `z`: the noise standard deviation per coordinate is `z · Cdp`. */
  noiseMultiplier: number;
  /** Verification bound `C = clipMantissa · 2^clipExp`: the oracle rejects updates above it. */
  boundNorm: number;
};

/** What {@link privatizeDelta} did, step by step (for the contributor's report). */
export type DpResult = {
  tensors: RealTensor[];
  /** Global L2 norm of the raw delta. */
  rawNorm: number;
  /** Whether the raw delta exceeded `Cdp` and was scaled down to it. */
  clipped: boolean;
  /** Noise standard deviation per coordinate, `z · Cdp`. */
  noiseStddev: number;
  /** Global L2 norm after the noise. */
  noisedNorm: number;
  /** Whether the noised delta exceeded `C` and was scaled down to it. */
  scaledToBound: boolean;
  /** Global L2 norm of the returned tensors. */
  finalNorm: number;
};

/**
 * The last scaling aims this far below `C` (relative), so that binary64 rounding in the norm
 * (at most ~n·2^-53 relative for n coordinates) can never leave the exact norm above `C`.
 */
export const BOUND_MARGIN = 2 ** -30;

/** Bytes of a fresh noise seed: a 256-bit AES key's worth. */
export const NOISE_SEED_BYTES = 32;

/** A fresh, secret noise seed from the operating system's CSPRNG (what production must use). */
export function freshNoiseSeed(): Uint8Array {
  return randomBytes(NOISE_SEED_BYTES);
}

/** Global L2 norm over all tensors, accumulated in binary64. */
export function l2Norm(tensors: readonly TensorValues[]): number {
  let sum = 0;
  for (const t of tensors) for (const v of t.values) sum += v * v;
  return Math.sqrt(sum);
}

/** A binary64 copy of the tensors. */
export function toReal(tensors: readonly TensorValues[]): RealTensor[] {
  return tensors.map((t) => ({ name: t.name, shape: [...t.shape], values: Float64Array.from(t.values) }));
}

function multiplyInPlace(tensors: readonly RealTensor[], factor: number): void {
  for (const t of tensors) for (let j = 0; j < t.values.length; j++) t.values[j] = (t.values[j] ?? 0) * factor;
}

/**
 * Scales `tensors` in place so that their computed norm is at most `maxNorm`; does nothing when it
 * already is. Returns whether it scaled.
 */
export function scaleDownToNorm(tensors: readonly RealTensor[], maxNorm: number): boolean {
  const norm = l2Norm(tensors);
  if (norm <= maxNorm) return false;
  multiplyInPlace(tensors, maxNorm / norm);
  // Rounding can leave the computed norm an ulp or two above the target: shave until it is not.
  while (l2Norm(tensors) > maxNorm) multiplyInPlace(tensors, 1 - 2 ** -50);
  return true;
}

/** Adds independent N(0, stddev²) noise to every coordinate, in place, from `random`. */
export function addGaussianNoise(tensors: readonly RealTensor[], stddev: number, random: SeededRandom): void {
  for (const t of tensors) for (let j = 0; j < t.values.length; j++) t.values[j] = (t.values[j] ?? 0) + stddev * random.nextGaussian();
}

function checkParameters({ clipNorm, noiseMultiplier, boundNorm }: DpParameters): void {
  if (!(clipNorm > 0) || !Number.isFinite(clipNorm)) throw new InvalidInputError(`DP clip norm must be positive, got ${clipNorm}`);
  if (!(noiseMultiplier >= 0) || !Number.isFinite(noiseMultiplier)) throw new InvalidInputError(`noise multiplier must be >= 0, got ${noiseMultiplier}`);
  if (!(boundNorm > 0) || !Number.isFinite(boundNorm)) throw new InvalidInputError(`bound norm must be positive, got ${boundNorm}`);
}

/**
 * docs/protocol.md §1.2, in its order: clip the raw delta to `Cdp` (global L2), add Gaussian noise of
 * standard deviation `z · Cdp` per coordinate, then scale down to the verification bound `C` (less
 * {@link BOUND_MARGIN}) only if the noised norm exceeds it. The input is not modified.
 *
 * IMPORTANT: `noiseSeed` must be secret and fresh (32 bytes of `crypto.randomBytes`) in production;
 * anyone who knows it can subtract the noise. Fixed seeds are for tests only.
 * @throws {InvalidInputError} on bad parameters or a non-finite delta.
 */
export function privatizeDelta(delta: readonly TensorValues[], parameters: DpParameters, noiseSeed: Seed): DpResult {
  checkParameters(parameters);
  const tensors = toReal(delta);
  for (const t of tensors) if (!t.values.every(Number.isFinite)) throw new InvalidInputError(`delta tensor ${t.name} has a non-finite value`);
  const rawNorm = l2Norm(tensors);
  const clipped = scaleDownToNorm(tensors, parameters.clipNorm);
  const noiseStddev = parameters.noiseMultiplier * parameters.clipNorm;
  if (noiseStddev > 0) addGaussianNoise(tensors, noiseStddev, new SeededRandom(noiseSeed, "dp-noise"));
  const noisedNorm = l2Norm(tensors);
  const scaledToBound = noisedNorm > parameters.boundNorm * (1 - BOUND_MARGIN) && scaleDownToNorm(tensors, parameters.boundNorm * (1 - BOUND_MARGIN));
  return { tensors, rawNorm, clipped, noiseStddev, noisedNorm, scaledToBound, finalNorm: l2Norm(tensors) };
}

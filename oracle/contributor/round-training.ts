// `cw contributor train`: one round's local training, end to end. Fetch the round's base model by its registry
// URI and check its hash, train on this contributor's own partition (the data never leaves the process), turn the
// delta into a clipped, noised, quantized canonical update with the round policy's DP parameters and a fresh
// secret noise seed, validate it as an operator would, and upload it to the store.
import { writeFile } from "node:fs/promises";

import { readRoundSpec } from "../chain/round-reader.ts";
import { InvalidInputError, InvariantError } from "../errors.ts";
import { layoutOf } from "../protocol/layout.ts";
import { decodeModel } from "../protocol/model-file.ts";
import { validateUpdate } from "../protocol/validate.ts";
import type { BlobStore } from "../storage/blob-store.ts";
import { fetchBlob } from "../storage/fetch-blob.ts";
import { lazyIpfsReader } from "../storage/ipfs-node.ts";
import { createLogger } from "../logger.ts";
import { normalizeHash } from "../protocol/hash.ts";
import { freshNoiseSeed } from "./dp.ts";
import { loadLocalData, type LocalDataOptions } from "./local-data.ts";
import type { QuantizedDtype } from "./quantize.ts";
import { readContributorPolicy, readRoundInfo, type ContributorSession, type RoundPhase } from "./session.ts";
import { trainLocal, type TrainProgress } from "./train.ts";
import { makeUpdate } from "./update.ts";
import { modelFileToWeights } from "./weights.ts";

/** Options of {@link trainForRound}. */
export interface RoundTrainingOptions {
  readonly roundId: bigint;
  readonly data: LocalDataOptions;
  /** @defaultValue 1 */
  readonly epochs?: number;
  /** @defaultValue 32 */
  readonly batchSize?: number;
  /** @defaultValue 0.1 */
  readonly learningRate?: number;
  /** @defaultValue "I16" */
  readonly dtype?: QuantizedDtype;
  /** Where the update is uploaded (its URI is what `commit` and `reveal` announce). */
  readonly store: BlobStore;
  /** Also write the update file here. */
  readonly outFile?: string;
  readonly onProgress?: (progress: TrainProgress) => void;
}

/** What training for a round produced: the uploaded update and an honest account of its privacy. */
export interface RoundTrainingReport {
  readonly roundId: string;
  readonly phase: RoundPhase;
  readonly base: { readonly hash: string; readonly uri: string };
  readonly update: { readonly hash: string; readonly uri: string; readonly bytes: number; readonly samples: number };
  readonly training: { readonly epochs: number; readonly lossBefore: number; readonly lossAfter: number; readonly accuracyBefore: number; readonly accuracyAfter: number };
  readonly dp: {
    readonly clipNorm: number;
    readonly noiseMultiplier: number;
    readonly noiseStddev: number;
    readonly delta: number;
    readonly rawNorm: number;
    readonly clipped: boolean;
    readonly noisedNorm: number;
    readonly scaledToBound: boolean;
    readonly finalNorm: number;
    readonly boundNorm: number;
    /** ε of this one update (add/remove-one user, analytic Gaussian mechanism); rounds compose. */
    readonly epsilon: number;
    /** ε for replacing the whole local dataset (the stricter local reading). */
    readonly epsilonReplaceOne: number;
  };
}

/**
 * Trains for round `roundId` and uploads the update. Training never needs a key; committing does.
 * @throws {InvalidInputError} when the base model cannot be fetched or does not match its registry hash, or on
 * bad data options.
 * @throws {InvariantError} if the finished update would not validate (a bug).
 */
export async function trainForRound(session: ContributorSession, options: RoundTrainingOptions): Promise<RoundTrainingReport> {
  const { roundId } = options;
  const info = await readRoundInfo(session.contracts, roundId);
  const spec = await readRoundSpec(session.contracts, session.deployment, roundId);
  const ipfs = lazyIpfsReader(session.config, createLogger({ LOG_LEVEL: "warn" }));
  const limits = { maxBytes: session.config.FETCH_MAX_BYTES, timeoutMs: session.config.FETCH_TIMEOUT_MS, ipfs };
  const fetched = await fetchBlob(spec.base.uri, spec.base.hash, limits).finally(() => ipfs.close());
  if (!fetched.ok) {
    throw new InvalidInputError(`base model of round ${roundId} (${spec.base.hash}) from ${spec.base.uri}: ${fetched.reason} (${fetched.detail})`);
  }
  const baseHash = normalizeHash(spec.base.hash);
  const base = modelFileToWeights(fetched.bytes);
  const { train } = loadLocalData(options.data);
  const epochs = options.epochs ?? 1;
  const trained = await trainLocal(base, train, {
    epochs,
    ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
    ...(options.learningRate !== undefined ? { learningRate: options.learningRate } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  const policy = await readContributorPolicy(session.contracts, info.policyVersion);
  const made = makeUpdate({
    delta: trained.delta,
    samples: trained.samples,
    roundId: String(roundId),
    baseHash,
    policy,
    noiseSeed: freshNoiseSeed(),
    ...(options.dtype ? { dtype: options.dtype } : {}),
  });
  const layout = layoutOf(decodeModel(fetched.bytes));
  const check = validateUpdate(made.bytes, made.hash, { roundId: String(roundId), baseHash, layout }, policy);
  if (!check.valid) throw new InvariantError(`the update would be rejected as ${check.reason}`);
  const stored = await options.store.put(made.bytes);
  if (options.outFile) await writeFile(options.outFile, made.bytes);
  return {
    roundId: String(roundId),
    phase: info.phase,
    base: { hash: baseHash, uri: spec.base.uri },
    update: { hash: stored.hash, uri: stored.uri, bytes: made.bytes.byteLength, samples: trained.samples },
    training: {
      epochs,
      lossBefore: trained.before.loss,
      lossAfter: trained.after.loss,
      accuracyBefore: trained.before.accuracy,
      accuracyAfter: trained.after.accuracy,
    },
    dp: {
      clipNorm: policy.dpClipNorm,
      noiseMultiplier: policy.noiseMultiplier,
      noiseStddev: made.dp.noiseStddev,
      delta: policy.delta,
      rawNorm: made.dp.rawNorm,
      clipped: made.dp.clipped,
      noisedNorm: made.dp.noisedNorm,
      scaledToBound: made.dp.scaledToBound,
      finalNorm: made.quantizedNorm,
      boundNorm: made.boundNorm,
      epsilon: made.privacy.epsilon,
      epsilonReplaceOne: made.privacy.epsilonReplaceOne,
    },
  };
}

/** A one-line progress bar for stderr (carriage return, no newline until the end). */
export function progressLine(p: TrainProgress, width = 30): string {
  const done = Math.round((p.batch / p.batches) * width);
  return `\repoch ${p.epoch}/${p.epochs} [${"#".repeat(done)}${"-".repeat(width - done)}] ${p.batch}/${p.batches} loss ${p.loss.toFixed(4)}`;
}

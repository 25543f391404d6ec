import { performance } from "node:perf_hooks";

import { hashBytes } from "../protocol/hash.ts";
import { layoutOf } from "../protocol/layout.ts";
import { decodeModel } from "../protocol/model-file.ts";
import { canonicalOrder } from "../protocol/result.ts";
import type { RoundInput } from "../protocol/round-input.ts";
import { needsDistances, planFor } from "../protocol/rules.ts";
import { DEFAULT_LIMITS, type SafetensorsLimits } from "../protocol/safetensors.ts";
import { validateUpdate, type InvalidReason } from "../protocol/validate.ts";
import { splitRange } from "./combine.ts";
import {
  assembleOutcome,
  isOutcome,
  prepareRound,
  selectMembers,
  type RoundOutcome,
  type ValidContribution,
} from "./round-stages.ts";
import type { ComputeBackend } from "./types.ts";

export type { RoundOutcome } from "./round-stages.ts";

/** Options of {@link aggregateRound}. */
export type AggregateOptions = {
  backend: ComputeBackend;
  /**
   * Coordinate-range shards each rule runs as; the result is identical for every count.
   * @defaultValue 1
   */
  shards?: number;
  /** Caps on update and model files. @defaultValue DEFAULT_LIMITS */
  limits?: SafetensorsLimits;
  /** Called with each stage's wall time (benchmarks); stages: validate, align, kernel, scores, encode. */
  onStage?: (stage: RoundStage, ms: number) => void;
};

/** The timed stages of {@link aggregateRound}. */
export type RoundStage = "validate" | "align" | "kernel" | "scores" | "encode";

/**
 * Computes one round per docs/protocol.md §1-§5 in this process: validation, alignment, the policy's
 * rule, the new model, scores, rewards and the result document.
 * @throws {MalformedFileError} when the base model itself is not a canonical model file.
 */
export async function aggregateRound(input: RoundInput, options: AggregateOptions): Promise<RoundOutcome> {
  const limits = options.limits ?? DEFAULT_LIMITS;
  let last = performance.now();
  const stage = (name: RoundStage): void => {
    const now = performance.now();
    options.onStage?.(name, now - last);
    last = now;
  };
  const base = decodeModel(input.base, limits);
  const baseHash = hashBytes(input.base);
  const layout = layoutOf(base);
  const invalid: Record<string, InvalidReason> = {};
  const valid: ValidContribution[] = [];
  for (const c of canonicalOrder(input.contributors)) {
    const v = validateUpdate(c.file, c.revealedHash, { roundId: input.roundId, baseHash, layout }, input.policy, limits);
    if (v.valid) valid.push({ address: c.address, update: v.update, stats: v.stats });
    else invalid[c.address] = v.reason;
  }
  stage("validate");
  const prepared = prepareRound({ roundId: input.roundId, policy: input.policy, base, baseHash, valid, invalid });
  stage("align");
  if (isOutcome(prepared)) return prepared;
  const session = await options.backend.open(prepared.round);
  try {
    const ranges = splitRange({ start: 0, end: prepared.round.size }, Math.max(1, Math.floor(options.shards ?? 1)));
    const distanceParts = needsDistances(prepared.policy) ? await Promise.all(ranges.map((r) => session.distances(r))) : [];
    const members = selectMembers(prepared, distanceParts);
    const plan = planFor(prepared.policy, prepared.round, members);
    const slices = await Promise.all(ranges.map((r) => session.aggregate(plan, r)));
    stage("kernel");
    const dotParts = await Promise.all(ranges.map((r, i) => session.scoreDots(members, slices[i] as Float64Array, r)));
    stage("scores");
    const outcome = assembleOutcome(prepared, members, slices, dotParts);
    stage("encode");
    return outcome;
  } finally {
    await session.close();
  }
}

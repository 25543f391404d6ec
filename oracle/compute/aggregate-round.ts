import { alignUpdates, type AlignedRound } from "../protocol/alignment.ts";
import { aggregateSha256 } from "../protocol/aggregate-hash.ts";
import { hashBytes, type Hash } from "../protocol/hash.ts";
import { selectKrum } from "../protocol/krum.ts";
import { decodeModel, encodeModel, newModelMetadata, type Model } from "../protocol/model-file.ts";
import { applyAggregate, baseIsFinite } from "../protocol/new-model.ts";
import { BPS_DENOMINATOR, type Policy } from "../protocol/policy.ts";
import { canonicalOrder, failedResult, finishResult, type RoundResult } from "../protocol/result.ts";
import type { RoundInput } from "../protocol/round-input.ts";
import { DEFAULT_LIMITS, elementCount, type SafetensorsLimits } from "../protocol/safetensors.ts";
import { cosineScore, splitRewards } from "../protocol/scores.ts";
import { validateUpdate, type InvalidReason } from "../protocol/validate.ts";
import type { Update } from "../protocol/update-file.ts";
import { combineAggregate, combineDistances, combineScoreDots, splitRange } from "./combine.ts";
import type { AggregatePlan, ComputeBackend, CoordinateRange, RoundSession } from "./types.ts";

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
};

/** A round's outcome: the fields of `expected.json` plus the new model file (null when failed). */
export type RoundOutcome = { result: RoundResult; model: Uint8Array | null };

type Validated = { address: string; update: Update };

/**
 * Computes one round per PROTOCOL.md §1-§5: validation, alignment, the policy's rule, the new model,
 * scores, rewards and the result document.
 * @throws {MalformedFileError} when the base model itself is not a canonical model file.
 */
export async function aggregateRound(input: RoundInput, options: AggregateOptions): Promise<RoundOutcome> {
  const limits = options.limits ?? DEFAULT_LIMITS;
  const base = decodeModel(input.base, limits);
  const baseHash = hashBytes(input.base);
  const layout = base.tensors.map((t) => ({ name: t.name, shape: t.shape, size: elementCount(t.shape) }));
  const invalid: Record<string, InvalidReason> = {};
  const valid: Validated[] = [];
  for (const c of canonicalOrder(input.contributors)) {
    const v = validateUpdate(c.file, c.revealedHash, { roundId: input.roundId, baseHash, layout }, input.policy, limits);
    if (v.valid) valid.push({ address: c.address, update: v.update });
    else invalid[c.address] = v.reason;
  }
  if (!roundCanRun(input.policy, valid.length) || !baseIsFinite(base.tensors)) return { result: failedResult(invalid), model: null };
  const round = alignUpdates(valid.map((v) => v.update), layout, input.policy);
  const session = await options.backend.open(round);
  try {
    const ranges = splitRange({ start: 0, end: round.size }, Math.max(1, Math.floor(options.shards ?? 1)));
    return await finishRound(input, { base, baseHash, round, session, ranges, invalid, addresses: valid.map((v) => v.address) });
  } finally {
    await session.close();
  }
}

function roundCanRun(policy: Policy, count: number): boolean {
  if (count < policy.minContributors) return false;
  if (policy.rule === "trimmed-mean") return count - 2 * trimCount(policy, count) >= 1;
  if (policy.rule === "multi-krum") return count >= 2 * policy.krumF + 3;
  return true;
}

function trimCount(policy: Policy, count: number): number {
  return Math.floor((count * policy.trimBps) / BPS_DENOMINATOR);
}

type RoundState = {
  base: Model;
  baseHash: Hash;
  round: AlignedRound;
  session: RoundSession;
  ranges: CoordinateRange[];
  invalid: Record<string, InvalidReason>;
  addresses: string[];
};

async function selectMembers(policy: Policy, s: RoundState): Promise<number[]> {
  const all = s.addresses.map((_, i) => i);
  if (policy.rule !== "multi-krum") return all;
  const parts = await Promise.all(s.ranges.map((r) => s.session.distances(r)));
  return selectKrum(combineDistances(parts, all.length), all.length, policy.krumF);
}

function planFor(policy: Policy, round: AlignedRound, members: number[]): AggregatePlan {
  if (policy.rule === "median") return { kind: "median", members };
  if (policy.rule === "trimmed-mean") return { kind: "trimmed-mean", members, trim: trimCount(policy, members.length) };
  return { kind: "weighted-mean", members, weights: members.map((i) => round.updates[i]?.weight ?? 0) };
}

async function finishRound(input: RoundInput, s: RoundState): Promise<RoundOutcome> {
  const { policy } = input;
  const members = await selectMembers(policy, s);
  const plan = planFor(policy, s.round, members);
  const slices = await Promise.all(s.ranges.map((r) => s.session.aggregate(plan, r)));
  const aggregate = combineAggregate(slices, s.round.size);
  const tensors = applyAggregate(s.base.tensors, s.round.tensors, aggregate);
  if (tensors === undefined) return { result: failedResult(s.invalid), model: null };
  const model = encodeModel(tensors, newModelMetadata(input.roundId, s.baseHash));
  const dotParts = await Promise.all(s.ranges.map((r, i) => s.session.scoreDots(members, slices[i] as Float64Array, r)));
  const dots = combineScoreDots(dotParts, members.length);
  const scores = s.addresses.map(() => 0);
  members.forEach((i, m) => {
    scores[i] = cosineScore(dots.qa[m] as bigint, dots.qq[m] as bigint, dots.aa);
  });
  const { rewards, dust } = splitRewards(policy.rewardPool, scores);
  const selected = new Set(members);
  const result = finishResult({
    E: Object.fromEntries(s.round.tensors.map((t) => [t.name, t.E])),
    aggregateSha256: aggregateSha256(aggregate),
    dust: String(dust),
    excluded: s.addresses.filter((_, i) => !selected.has(i)),
    invalid: s.invalid,
    modelHash: hashBytes(model),
    rewards: Object.fromEntries(s.addresses.map((a, i) => [a, String(rewards[i])])),
    scores: Object.fromEntries(s.addresses.map((a, i) => [a, String(scores[i])])),
    selected: s.addresses.filter((_, i) => selected.has(i)),
    status: "ok",
  });
  return { result, model };
}

import type { AlignedRound } from "../protocol/alignment.ts";
import { alignUpdates } from "../protocol/alignment.ts";
import { aggregateSha256 } from "../protocol/aggregate-hash.ts";
import { hashBytes, type Hash } from "../protocol/hash.ts";
import { selectKrum } from "../protocol/krum.ts";
import { encodeModel, newModelMetadata, type Model } from "../protocol/model-file.ts";
import { applyAggregate, baseIsFinite } from "../protocol/new-model.ts";
import { BPS_DENOMINATOR, type Policy } from "../protocol/policy.ts";
import { failedResult, finishResult, type RoundResult } from "../protocol/result.ts";
import { elementCount } from "../protocol/safetensors.ts";
import { cosineScore, splitRewards } from "../protocol/scores.ts";
import type { Update } from "../protocol/update-file.ts";
import type { InvalidReason } from "../protocol/validate.ts";
import { combineAggregate, combineDistances, combineScoreDots } from "./combine.ts";
import type { AggregatePlan, DistancePartial, ScorePartial } from "./types.ts";

/*
 * The stages of one round between validation and the result, as pure functions over plain data,
 * so that they can run in one process (`aggregateRound`) or spread over queue jobs and machines
 * (the operator): prepare -> [distances over ranges -> members] -> aggregate + score dots over
 * ranges -> assemble.
 */

/** A round's outcome: the fields of `expected.json` plus the new model file (null when failed). */
export type RoundOutcome = { result: RoundResult; model: Uint8Array | null };

/** A valid update and its contributor's address (lowercase). */
export type ValidContribution = { address: string; update: Update };

/** Everything the compute stages of a round that can run need. */
export type PreparedRound = {
  roundId: string;
  policy: Policy;
  base: Model;
  baseHash: Hash;
  /** Valid contributors in canonical order; index `i` of every stage refers to `addresses[i]`. */
  addresses: string[];
  invalid: Record<string, InvalidReason>;
  round: AlignedRound;
};

/** The base model's tensor layout, which every update must match. */
export function layoutOf(base: Model): { name: string; shape: number[]; size: number }[] {
  return base.tensors.map((t) => ({ name: t.name, shape: t.shape, size: elementCount(t.shape) }));
}

function trimCount(policy: Policy, count: number): number {
  return Math.floor((count * policy.trimBps) / BPS_DENOMINATOR);
}

/** Whether `count` valid updates let the policy's rule run (§3). */
export function ruleCanRun(policy: Policy, count: number): boolean {
  if (count < policy.minContributors) return false;
  if (policy.rule === "trimmed-mean") return count - 2 * trimCount(policy, count) >= 1;
  if (policy.rule === "multi-krum") return count >= 2 * policy.krumF + 3;
  return true;
}

/**
 * Aligns the valid updates, or returns the failed outcome when the round cannot run (too few valid
 * updates for the rule, or a non-finite base value).
 * @param valid valid contributions in canonical order.
 */
export function prepareRound(args: {
  roundId: string;
  policy: Policy;
  base: Model;
  baseHash: Hash;
  valid: readonly ValidContribution[];
  invalid: Record<string, InvalidReason>;
}): PreparedRound | RoundOutcome {
  const { policy, base, valid, invalid } = args;
  if (!ruleCanRun(policy, valid.length) || !baseIsFinite(base.tensors)) return { result: failedResult(invalid), model: null };
  const round = alignUpdates(valid.map((v) => v.update), layoutOf(base), policy);
  return { ...args, addresses: valid.map((v) => v.address), invalid, round };
}

/** Whether member selection needs the distance pass (multi-krum). */
export function needsDistances(policy: Policy): boolean {
  return policy.rule === "multi-krum";
}

/** The selected members: all valid updates, or multi-krum's choice from the combined distance partials. */
export function selectMembers(prepared: PreparedRound, distanceParts: readonly DistancePartial[] = []): number[] {
  const n = prepared.addresses.length;
  const all = prepared.addresses.map((_, i) => i);
  if (!needsDistances(prepared.policy)) return all;
  return selectKrum(combineDistances(distanceParts, n), n, prepared.policy.krumF);
}

/** The per-element aggregation plan of the policy's rule over `members`. */
export function planFor(prepared: PreparedRound, members: readonly number[]): AggregatePlan {
  const { policy, round } = prepared;
  if (policy.rule === "median") return { kind: "median", members: [...members] };
  if (policy.rule === "trimmed-mean") return { kind: "trimmed-mean", members: [...members], trim: trimCount(policy, members.length) };
  return { kind: "weighted-mean", members: [...members], weights: members.map((i) => round.updates[i]?.weight ?? 0) };
}

/**
 * The new model, scores, rewards and result document (§3-§5), from the aggregate slices and score
 * partials of consecutive coordinate ranges covering the whole model.
 */
export function assembleOutcome(prepared: PreparedRound, members: readonly number[], slices: readonly Float64Array[], dotParts: readonly ScorePartial[]): RoundOutcome {
  const { policy, round, addresses, invalid } = prepared;
  const aggregate = combineAggregate(slices, round.size);
  const tensors = applyAggregate(prepared.base.tensors, round.tensors, aggregate);
  if (tensors === undefined) return { result: failedResult(invalid), model: null };
  const model = encodeModel(tensors, newModelMetadata(prepared.roundId, prepared.baseHash));
  const dots = combineScoreDots(dotParts, members.length);
  const scores = addresses.map(() => 0);
  members.forEach((i, m) => {
    scores[i] = cosineScore(dots.qa[m] as bigint, dots.qq[m] as bigint, dots.aa);
  });
  const { rewards, dust } = splitRewards(policy.rewardPool, scores);
  const selected = new Set(members);
  const result = finishResult({
    E: Object.fromEntries(round.tensors.map((t) => [t.name, t.E])),
    aggregateSha256: aggregateSha256(aggregate),
    dust: String(dust),
    excluded: addresses.filter((_, i) => !selected.has(i)),
    invalid,
    modelHash: hashBytes(model),
    rewards: Object.fromEntries(addresses.map((a, i) => [a, String(rewards[i])])),
    scores: Object.fromEntries(addresses.map((a, i) => [a, String(scores[i])])),
    selected: addresses.filter((_, i) => selected.has(i)),
    status: "ok",
  });
  return { result, model };
}

/** True when `value` is a finished outcome rather than a prepared round. */
export function isOutcome(value: PreparedRound | RoundOutcome): value is RoundOutcome {
  return "result" in value;
}

import type { AlignedRound } from "../protocol/alignment.ts";
import { alignUpdates } from "../protocol/alignment.ts";
import { aggregateSha256 } from "../protocol/aggregate-hash.ts";
import { hashBytes, type Hash } from "../protocol/hash.ts";
import { selectKrum } from "../protocol/krum.ts";
import { allocateModel, newModelMetadata, type Model } from "../protocol/model-file.ts";
import { applyAggregate, baseIsFinite } from "../protocol/new-model.ts";
import { layoutOf } from "../protocol/layout.ts";
import type { Policy } from "../protocol/policy.ts";
import { failedResult, finishResult, type RoundResult } from "../protocol/result.ts";
import { needsDistances, ruleCanRun } from "../protocol/rules.ts";
import { cosineScore, splitRewards } from "../protocol/scores.ts";
import type { TensorStats } from "../protocol/int-kernels.ts";
import type { Update } from "../protocol/update-file.ts";
import type { InvalidReason } from "../protocol/validate.ts";
import { combineAggregate, combineDistances, combineScoreDots } from "./combine.ts";
import type { DistancePartial, ScorePartial } from "./types.ts";

/*
 * The stages of one round between validation and the result, as pure functions over plain data,
 * so that they can run in one process (`aggregateRound`) or spread over queue jobs and machines
 * (the operator): prepare -> [distances over ranges -> members] -> aggregate + score dots over
 * ranges -> assemble.
 */

/** A round's outcome: the fields of `expected.json` plus the new model file (null when failed). */
export type RoundOutcome = { result: RoundResult; model: Uint8Array | null };

/** A valid update and its contributor's address (lowercase); `stats` as validation computed them, when at hand. */
export type ValidContribution = { address: string; update: Update; stats?: readonly TensorStats[] };

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
  const round = alignUpdates(valid.map((v) => v.update), layoutOf(base), policy, valid.map((v) => v.stats));
  return { ...args, addresses: valid.map((v) => v.address), invalid, round };
}

/**
 * The selected members: all valid updates, or multi-krum's choice from the combined distance
 * partials (exact in either form; see {@link combineDistances} and {@link selectKrum}).
 */
export function selectMembers(prepared: PreparedRound, distanceParts: readonly DistancePartial[] = []): number[] {
  const n = prepared.addresses.length;
  const all = prepared.addresses.map((_, i) => i);
  if (!needsDistances(prepared.policy)) return all;
  return selectKrum(combineDistances(distanceParts, n), n, prepared.policy.krumF);
}

/**
 * The new model, scores, rewards and result document (§3-§5), from the aggregate slices and score
 * partials of consecutive coordinate ranges covering the whole model.
 */
export function assembleOutcome(prepared: PreparedRound, members: readonly number[], slices: readonly Float64Array[], dotParts: readonly ScorePartial[]): RoundOutcome {
  const { policy, round, addresses, invalid } = prepared;
  const aggregate = combineAggregate(slices, round.size);
  // The new values are written straight into the model file's bytes.
  const file = allocateModel(prepared.base.tensors, newModelMetadata(prepared.roundId, prepared.baseHash));
  if (applyAggregate(prepared.base.tensors, round.tensors, aggregate, file.tensors) === undefined) return { result: failedResult(invalid), model: null };
  const model = file.bytes;
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

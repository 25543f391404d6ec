import type { AlignedRound } from "./alignment.ts";
import { BPS_DENOMINATOR, type Policy } from "./policy.ts";

/*
 * The aggregation rule table of docs/protocol.md §3: which rule can run on how many updates, how
 * many values trimmed-mean drops, whether member selection needs the distance pass, and the
 * per-element plan every compute backend executes.
 */

/**
 * What the per-element rule computes (docs/protocol.md §3). `members` index the round's updates.
 * `weighted-mean`: `rhe(sum w_i Q_i, sum w_i)` over members (fedavg, multi-krum);
 * `median`; `trimmed-mean` dropping `trim` lowest and highest.
 */
export type AggregatePlan =
  | { kind: "weighted-mean"; members: number[]; weights: number[] }
  | { kind: "median"; members: number[] }
  | { kind: "trimmed-mean"; members: number[]; trim: number };

/** How many of `count` values trimmed-mean drops at each end. */
export function trimCount(policy: Policy, count: number): number {
  return Math.floor((count * policy.trimBps) / BPS_DENOMINATOR);
}

/** Whether `count` valid updates let the policy's rule run (§3). */
export function ruleCanRun(policy: Policy, count: number): boolean {
  if (count < policy.minContributors) return false;
  if (policy.rule === "trimmed-mean") return count - 2 * trimCount(policy, count) >= 1;
  if (policy.rule === "multi-krum") return count >= 2 * policy.krumF + 3;
  return true;
}

/** Whether member selection needs the distance pass (multi-krum). */
export function needsDistances(policy: Policy): boolean {
  return policy.rule === "multi-krum";
}

/** The per-element aggregation plan of the policy's rule over `members` of the aligned `round`. */
export function planFor(policy: Policy, round: AlignedRound, members: readonly number[]): AggregatePlan {
  if (policy.rule === "median") return { kind: "median", members: [...members] };
  if (policy.rule === "trimmed-mean") return { kind: "trimmed-mean", members: [...members], trim: trimCount(policy, members.length) };
  return { kind: "weighted-mean", members: [...members], weights: members.map((i) => round.updates[i]?.weight ?? 0) };
}

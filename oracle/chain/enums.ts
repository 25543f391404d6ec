// The chain's vocabulary: one table and one decoder per Solidity enum (contracts/interfaces/*.sol). A value is
// decoded here and nowhere else, so a name cannot drift between the CLI, the tasks, the demo and the operator.
import { ChainReadError } from "./errors.ts";

/** `IRounds.RoundStatus` by value. */
export const ROUND_STATUS = ["None", "Open", "Closed", "Finalized", "Failed", "Disputed"] as const;
export type RoundStatusName = (typeof ROUND_STATUS)[number];

/** `IModelPolicyRegistry.AggregationRule` by value (docs/protocol.md §3 names). */
export const AGGREGATION_RULES = ["fedavg", "median", "trimmed-mean", "multi-krum"] as const;
export type AggregationRuleName = (typeof AGGREGATION_RULES)[number];

/** `IModelPolicyRegistry.Weighting` by value. */
export const WEIGHTINGS = ["uniform", "samples"] as const;
export type WeightingName = (typeof WEIGHTINGS)[number];

/** `IModelPolicyRegistry.RemainderDestination` by value. */
export const REMAINDER_DESTINATIONS = ["treasury", "sponsor"] as const;
export type RemainderDestinationName = (typeof REMAINDER_DESTINATIONS)[number];

/** `IRounds.FailureReason` by value. */
export const FAILURE_REASONS = ["too-few-reveals", "no-quorum", "failed-result"] as const;
export type FailureReasonName = (typeof FAILURE_REASONS)[number];

/**
 * `ContributorSlashed.reason` by value: 0 for a commit never revealed, 1..4 the invalid-update reasons of the
 * result's invalid tree (docs/protocol.md §4).
 */
export const SLASH_REASONS = ["non-reveal", "unavailable", "hash-mismatch", "malformed", "norm"] as const;
export type SlashReasonName = (typeof SLASH_REASONS)[number];

/** OpenZeppelin `IGovernor.ProposalState` by value. */
export const PROPOSAL_STATES = ["Pending", "Active", "Canceled", "Defeated", "Succeeded", "Queued", "Expired", "Executed"] as const;
export type ProposalStateName = (typeof PROPOSAL_STATES)[number];

/** OpenZeppelin `GovernorCountingSimple.VoteType` by value. */
export const VOTE_SUPPORT = ["against", "for", "abstain"] as const;
export type VoteSupportName = (typeof VOTE_SUPPORT)[number];

/**
 * The name of `value` in `table`.
 * @param what The enum's name, for the error.
 * @throws {ChainReadError} when the chain answered a value the table does not know (a newer contract).
 */
export function decodeEnum<const T extends readonly string[]>(table: T, value: bigint | number, what: string): T[number] {
  const name = table[Number(value)];
  if (name === undefined) throw new ChainReadError(`unknown ${what} ${value} (known: ${table.join(", ")}); is this a newer contract?`);
  return name;
}

/** The value of `name` in `table`, as the contract takes it. @throws {ChainReadError} for an unknown name. */
export function encodeEnum<const T extends readonly string[]>(table: T, name: T[number], what: string): number {
  const index = table.indexOf(name);
  if (index < 0) throw new ChainReadError(`unknown ${what} ${name} (known: ${table.join(", ")})`);
  return index;
}

/** Decodes `IRounds.RoundStatus`. */
export const decodeRoundStatus = (value: bigint | number): RoundStatusName => decodeEnum(ROUND_STATUS, value, "round status");
/** Decodes `IModelPolicyRegistry.AggregationRule`. */
export const decodeRule = (value: bigint | number): AggregationRuleName => decodeEnum(AGGREGATION_RULES, value, "aggregation rule");
/** Decodes `IModelPolicyRegistry.Weighting`. */
export const decodeWeighting = (value: bigint | number): WeightingName => decodeEnum(WEIGHTINGS, value, "weighting");
/** Decodes `IModelPolicyRegistry.RemainderDestination`. */
export const decodeRemainderDestination = (value: bigint | number): RemainderDestinationName =>
  decodeEnum(REMAINDER_DESTINATIONS, value, "remainder destination");
/** Decodes `IRounds.FailureReason`. */
export const decodeFailureReason = (value: bigint | number): FailureReasonName => decodeEnum(FAILURE_REASONS, value, "failure reason");
/** Decodes `ContributorSlashed.reason`. */
export const decodeSlashReason = (value: bigint | number): SlashReasonName => decodeEnum(SLASH_REASONS, value, "slash reason");
/** Decodes `IGovernor.ProposalState`. */
export const decodeProposalState = (value: bigint | number): ProposalStateName => decodeEnum(PROPOSAL_STATES, value, "proposal state");
/** Decodes a vote's `support`. */
export const decodeVoteSupport = (value: bigint | number): VoteSupportName => decodeEnum(VOTE_SUPPORT, value, "vote support");

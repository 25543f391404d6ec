import { z } from "zod";

import { InvalidInputError } from "../errors.ts";

/*
 * The demo's `--json` summary: everything the HTML report renders, and nothing it has to look up.
 * Amounts are decimal strings of token base units (18 decimals), so no bigint is lost in JSON;
 * addresses are lowercase hex, so they compare as plain strings.
 */

/** Token base units as a non-negative decimal integer string (no sign, no exponent, no leading zeros). */
export const AmountSchema = z.string().regex(/^(0|[1-9][0-9]*)$/, "must be a non-negative integer string of token base units");

/** A lowercase 0x-prefixed 20-byte address. */
export const AddressSchema = z.string().regex(/^0x[0-9a-f]{40}$/, "must be a lowercase 0x address (40 hex digits)");

/** Aggregation rules the ModelPolicyRegistry can select. */
export const RULES = ["fedavg", "median", "trimmed-mean", "multi-krum"] as const;
export type Rule = (typeof RULES)[number];

/** What a demo contributor was scripted to do. */
export const ROLES = ["honest", "poisoner", "oversized", "non-revealer"] as const;
export type Role = (typeof ROLES)[number];

const FractionSchema = z.number().min(0).max(1);
const DurationMsSchema = z.number().nonnegative();

/** One round as the demo saw it end. */
export const RoundSummarySchema = z.object({
  roundId: z.string().min(1),
  rule: z.enum(RULES),
  policyVersion: z.number().int().nonnegative(),
  status: z.enum(["Finalized", "Failed"]),
  accuracy: FractionSchema.nullable().describe("test accuracy of the new model on the held-out split; null if the round failed"),
  modelHash: z.string().min(1).nullable(),
  selected: z.array(AddressSchema).describe("updates the rule kept"),
  excluded: z.array(AddressSchema).describe("valid updates the rule left out (e.g. by multi-krum)"),
  invalid: z.record(AddressSchema, z.string()).describe("updates rejected before aggregation, with the reason"),
  nonRevealers: z.array(AddressSchema),
  scores: z.record(AddressSchema, AmountSchema),
  rewards: z.record(AddressSchema, AmountSchema),
  slashes: z.array(z.object({ account: AddressSchema, amount: AmountSchema, reason: z.string() })),
  budget: AmountSchema,
  paid: AmountSchema.describe("rewards contributors claimed"),
  operatorsPaid: AmountSchema.default("0").describe("rewards the attesting operators claimed"),
  treasuryShare: AmountSchema.default("0").describe("the policy's treasury share of the budget (funded - contributors' pool - operators' pool)"),
  durationMs: DurationMsSchema,
  audit: z.object({ match: z.boolean() }).nullable().describe("`cw verify-round` against the on-chain hash; null if not audited"),
});
export type RoundSummary = z.infer<typeof RoundSummarySchema>;

/** One contributor over the whole demo. */
export const ContributorSummarySchema = z.object({
  address: AddressSchema,
  label: z.string().min(1),
  role: z.enum(ROLES),
  totalReward: AmountSchema,
  stakeHistory: z.array(z.object({ round: z.number().int().nonnegative().describe("0 = before round 1"), stake: AmountSchema })),
});
export type ContributorSummary = z.infer<typeof ContributorSummarySchema>;

/** One governance proposal (a rule change) and how far it got. */
export const ProposalSummarySchema = z.object({
  proposalId: z.string().min(1),
  description: z.string(),
  fromRule: z.enum(RULES),
  toRule: z.enum(RULES),
  proposedAtRound: z.number().int().nonnegative(),
  executedBeforeRound: z.number().int().positive().nullable(),
  state: z.string().min(1),
  votesFor: AmountSchema,
  votesAgainst: AmountSchema,
});
export type ProposalSummary = z.infer<typeof ProposalSummarySchema>;

/** The demo's `--json` output. */
export const DemoSummarySchema = z.object({
  generatedAt: z.iso.datetime({ offset: true }),
  config: z.object({
    rounds: z.number().int().positive(),
    contributors: z.number().int().positive(),
    operators: z.number().int().positive(),
    threshold: z.number().int().positive(),
    workers: z.number().int().nonnegative(),
    seed: z.union([z.number(), z.string()]),
    network: z.string().min(1),
    partition: z.enum(["iid", "shards", "dirichlet"]),
    backend: z.string().min(1),
  }),
  machine: z.object({
    cpus: z.number().int().positive(),
    cpuModel: z.string(),
    memoryGiB: z.number().nonnegative(),
    node: z.string(),
  }),
  baselineAccuracy: FractionSchema.describe("test accuracy of the genesis model"),
  rounds: z.array(RoundSummarySchema),
  contributors: z.array(ContributorSummarySchema),
  governance: z.array(ProposalSummarySchema),
  totals: z.object({ budget: AmountSchema, paid: AmountSchema, slashed: AmountSchema, durationMs: DurationMsSchema }),
});
export type DemoSummary = z.infer<typeof DemoSummarySchema>;

/**
 * Validates a parsed `--json` summary.
 * @throws InvalidInputError listing every problem as `path: message`.
 */
export function parseDemoSummary(value: unknown): DemoSummary {
  const parsed = DemoSummarySchema.safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "summary"}: ${i.message}`);
    throw new InvalidInputError(`invalid demo summary: ${problems.join("; ")}`, { cause: parsed.error });
  }
  return parsed.data;
}

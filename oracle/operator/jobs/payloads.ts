import { z } from "zod";

import { HashSchema } from "../../chain/hash-schema.ts";
import { INVALID_REASONS } from "../../protocol/validate.ts";

/*
 * Job payloads, validated with zod when enqueued and when processed. They carry only ids, small
 * numbers and content hashes: update files, manifests and partial results travel through the blob
 * store, so workers on other machines need nothing but Redis, the RPC endpoint and the store.
 */

const DECIMAL = z.string().regex(/^(0|[1-9][0-9]{0,77})$/, "must be a decimal integer");
const HASH = HashSchema;
const ADDRESS = z.string().regex(/^0x[0-9a-f]{40}$/, "must be a lowercase 20-byte hex address");

/** Where a round job is in its step machine (BullMQ re-runs it after each wave of children). */
export const ROUND_STEPS = ["collect", "prepare", "select", "assemble", "done"] as const;
export type RoundStep = (typeof ROUND_STEPS)[number];

const RoundBase = {
  chainId: DECIMAL,
  roundId: DECIMAL,
  /** The operator this round is computed for (its attestation is checked; its key stays elsewhere). */
  operator: ADDRESS,
};
/** Store hash of the round manifest (the fetched-and-validated inputs), once collected. */
const MANIFEST = HASH;
/** How many children the previous step queued: every one of them must have returned a parseable result. */
const CHILDREN = z.number().int().min(0);
const MEMBERS = z.array(z.number().int().min(0));

/**
 * A round job's data, one shape per step: each step carries exactly what it needs. A job without a
 * step (as enqueued) starts at `collect`.
 */
export const RoundJobSchema = z.preprocess(
  (value) => (typeof value === "object" && value !== null && !("step" in value) ? { ...value, step: "collect" } : value),
  z.discriminatedUnion("step", [
    z.object({ ...RoundBase, step: z.literal("collect") }),
    z.object({ ...RoundBase, step: z.literal("prepare"), manifest: MANIFEST, children: CHILDREN }),
    z.object({ ...RoundBase, step: z.literal("select"), manifest: MANIFEST, children: CHILDREN }),
    z.object({ ...RoundBase, step: z.literal("assemble"), manifest: MANIFEST, children: CHILDREN, members: MEMBERS }),
    z.object({ ...RoundBase, step: z.literal("done"), manifest: MANIFEST.optional() }),
  ]),
);
export type RoundJobData = z.infer<typeof RoundJobSchema>;
/** What the enqueuer puts in a new round job. */
export type NewRoundJobData = { readonly chainId: string; readonly roundId: string; readonly operator: string; readonly step: "collect" };

export const FetchJobSchema = z.object({
  chainId: DECIMAL,
  roundId: DECIMAL,
  contributor: ADDRESS,
  uri: z.string().max(4_096),
  revealedHash: HASH,
  baseHash: HASH,
  clipMantissa: z.number().int().min(1),
  clipExp: z.number().int(),
});
export type FetchJobData = z.infer<typeof FetchJobSchema>;

/** What a fetch job returns: the update is valid (and in the store under its hash), or why not. */
export const FetchResultSchema = z.union([
  z.object({ contributor: ADDRESS, valid: z.literal(true), hash: HASH }),
  z.object({ contributor: ADDRESS, valid: z.literal(false), reason: z.enum(INVALID_REASONS), detail: z.string() }),
]);
export type FetchResult = z.infer<typeof FetchResultSchema>;

export const SHARD_PASSES = ["distances", "aggregate"] as const;
export const ShardJobSchema = z.object({
  chainId: DECIMAL,
  roundId: DECIMAL,
  manifest: HASH,
  pass: z.enum(SHARD_PASSES),
  index: z.number().int().min(0),
  start: z.number().int().min(0),
  end: z.number().int().min(1),
  members: z.array(z.number().int().min(0)).optional(),
});
export type ShardJobData = z.infer<typeof ShardJobSchema>;

/** What a shard job returns: the store hash of its partial result. */
export const ShardResultSchema = z.object({ pass: z.enum(SHARD_PASSES), index: z.number().int().min(0), partial: HASH });
export type ShardResult = z.infer<typeof ShardResultSchema>;

export const SubmitJobSchema = z.object({ chainId: DECIMAL, roundId: DECIMAL, package: HASH });
export type SubmitJobData = z.infer<typeof SubmitJobSchema>;

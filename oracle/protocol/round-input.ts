import { z } from "zod";

import { InvalidInputError } from "../errors.ts";
import { HASH_PATTERN } from "./hash.ts";
import { PolicySchema, type Policy } from "./policy.ts";

/** A contributor who revealed: address (lowercase), revealed update hash, and the fetched file or `null`. */
export type Contributor = { address: string; revealedHash: string; file: Uint8Array | null };

/** Everything one round's aggregation reads. */
export type RoundInput = { roundId: string; policy: Policy; base: Uint8Array; contributors: Contributor[] };

/** `round.json` of a conformance case (docs/protocol.md §6); `file` names a file beside it or is null. */
export const RoundJsonSchema = z
  .object({
    roundId: z.string().regex(/^(0|[1-9][0-9]{0,77})$/, "must be a decimal integer"),
    policy: PolicySchema,
    contributors: z.array(
      z
        .object({
          address: z.string().regex(/^0x[0-9a-fA-F]{40}$/, "must be a 20-byte hex address").transform((a) => a.toLowerCase()),
          revealedHash: z.string().regex(HASH_PATTERN, "must be a 32-byte hex hash"),
          file: z.string().regex(/^[A-Za-z0-9_.-]{1,255}$/, "must be a plain file name").nullable(),
        })
        .strict(),
    ),
  })
  .strict()
  .refine((r) => new Set(r.contributors.map((c) => c.address)).size === r.contributors.length, "duplicate contributor address");

/** Parsed `round.json`. */
export type RoundJson = { roundId: string; policy: Policy; contributors: { address: string; revealedHash: string; file: string | null }[] };

/**
 * Parses `round.json` content.
 * @throws {InvalidInputError} listing every problem.
 */
export function parseRoundJson(value: unknown): RoundJson {
  const parsed = RoundJsonSchema.safeParse(value);
  if (!parsed.success) {
    throw new InvalidInputError(`invalid round.json: ${parsed.error.issues.map((i) => `${i.path.join(".") || "round"}: ${i.message}`).join("; ")}`);
  }
  return parsed.data;
}

import { z } from "zod";

import { InvalidInputError } from "../errors.ts";

/** The aggregation rules of docs/protocol.md §3. */
export const RULES = ["fedavg", "median", "trimmed-mean", "multi-krum"] as const;
export type Rule = (typeof RULES)[number];

/** Basis-point denominator of `trimBps`. */
export const BPS_DENOMINATOR = 10_000;
/** `C = clipMantissa * 2^clipExp` must not exceed 2^12 (§2); this is what bounds |Q| by 2^52. */
export const MAX_CLIP_LOG2 = 12;

const int = z.number().int().refine(Number.isSafeInteger, "must be a safe integer");

/** JSON form of a model policy (§2). Integers must be exact JSON integers; `rewardPool` a decimal string. */
export const PolicySchema = z
  .object({
    rule: z.enum(RULES),
    trimBps: int.min(0).max(BPS_DENOMINATOR / 2 - 1),
    krumF: int.min(0),
    weighting: z.enum(["uniform", "samples"]),
    maxSampleWeight: int.min(1),
    clipMantissa: int.min(1),
    // Bounded below so exact comparisons never build absurdly wide integers; 2^-1074 is binary64's floor.
    clipExp: int.min(-1074).max(MAX_CLIP_LOG2),
    minContributors: int.min(1),
    rewardPool: z.string().regex(/^(0|[1-9][0-9]{0,77})$/, "must be a decimal uint256").transform(BigInt),
  })
  .strict()
  .refine((p) => clipWithinLimit(p.clipMantissa, p.clipExp), "clip norm C = clipMantissa * 2^clipExp exceeds 2^12")
  .refine((p) => p.rewardPool < 2n ** 256n, "rewardPool exceeds uint256");

/** A parsed policy; `rewardPool` is exact. */
export type Policy = z.output<typeof PolicySchema>;

function clipWithinLimit(mantissa: number, exp: number): boolean {
  // C <= 2^12  <=>  mantissa <= 2^(12 - exp), compared exactly.
  const limitLog2 = MAX_CLIP_LOG2 - exp;
  return limitLog2 >= 0 && BigInt(mantissa) <= 2n ** BigInt(limitLog2);
}

/**
 * Parses a policy from its JSON form.
 * @throws {InvalidInputError} listing every problem.
 */
export function parsePolicy(value: unknown): Policy {
  const parsed = PolicySchema.safeParse(value);
  if (!parsed.success) {
    throw new InvalidInputError(`invalid policy: ${parsed.error.issues.map((i) => `${i.path.join(".") || "policy"}: ${i.message}`).join("; ")}`);
  }
  return parsed.data;
}

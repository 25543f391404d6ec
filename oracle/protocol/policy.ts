import { InvalidInputError } from "../errors.ts";
import { complete, DECIMAL_UINT, fieldPath, matching, oneOf, safeInteger, strictObject, type Problems } from "./json-fields.ts";

/** The aggregation rules of docs/protocol.md §3. */
export const RULES = ["fedavg", "median", "trimmed-mean", "multi-krum"] as const;
export type Rule = (typeof RULES)[number];

/** Basis-point denominator of `trimBps`. */
export const BPS_DENOMINATOR = 10_000;
/** `C = clipMantissa * 2^clipExp` must not exceed 2^12 (§2); this is what bounds |Q| by 2^52. */
export const MAX_CLIP_LOG2 = 12;

/** The weightings of docs/protocol.md §3. */
export const WEIGHTINGS = ["uniform", "samples"] as const;

/** A parsed policy (§2); `rewardPool` is exact. */
export type Policy = {
  rule: Rule;
  trimBps: number;
  krumF: number;
  weighting: (typeof WEIGHTINGS)[number];
  maxSampleWeight: number;
  clipMantissa: number;
  clipExp: number;
  minContributors: number;
  rewardPool: bigint;
};

const POLICY_KEYS = ["rule", "trimBps", "krumF", "weighting", "maxSampleWeight", "clipMantissa", "clipExp", "minContributors", "rewardPool"] as const;

/**
 * Checks the JSON form of a policy at `path` ("" for a policy on its own): integers must be exact JSON
 * integers, `rewardPool` a decimal string below 2^256. Appends each problem; the policy when there is none.
 */
export function checkPolicy(value: unknown, path: string, problems: Problems): Policy | undefined {
  const before = problems.length;
  const self = path === "" ? "policy" : path;
  const json = strictObject(value, self, POLICY_KEYS, problems);
  if (json === undefined) return undefined;
  const max = Number.MAX_SAFE_INTEGER;
  const field = (key: (typeof POLICY_KEYS)[number]): [unknown, string] => [json[key], fieldPath(path, key)];
  const rule = oneOf(...field("rule"), RULES, problems);
  const trimBps = safeInteger(...field("trimBps"), 0, BPS_DENOMINATOR / 2 - 1, problems);
  const krumF = safeInteger(...field("krumF"), 0, max, problems);
  const weighting = oneOf(...field("weighting"), WEIGHTINGS, problems);
  const maxSampleWeight = safeInteger(...field("maxSampleWeight"), 1, max, problems);
  const clipMantissa = safeInteger(...field("clipMantissa"), 1, max, problems);
  // Bounded below so exact comparisons never build absurdly wide integers; 2^-1074 is binary64's floor.
  const clipExp = safeInteger(...field("clipExp"), -1074, MAX_CLIP_LOG2, problems);
  const minContributors = safeInteger(...field("minContributors"), 1, max, problems);
  const pool = matching(...field("rewardPool"), DECIMAL_UINT, "must be a decimal uint256", problems);
  const rewardPool = pool === undefined ? undefined : BigInt(pool);
  if (rewardPool !== undefined && rewardPool >= 2n ** 256n) problems.push(`${fieldPath(path, "rewardPool")}: exceeds uint256`);
  if (clipMantissa !== undefined && clipExp !== undefined && !clipWithinLimit(clipMantissa, clipExp)) {
    problems.push(`${self}: clip norm C = clipMantissa * 2^clipExp exceeds 2^12`);
  }
  if (problems.length > before) return undefined;
  return complete<Policy>({ rule, trimBps, krumF, weighting, maxSampleWeight, clipMantissa, clipExp, minContributors, rewardPool });
}

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
  const problems: Problems = [];
  const policy = checkPolicy(value, "", problems);
  if (policy === undefined) throw new InvalidInputError(`invalid policy: ${problems.join("; ")}`);
  return policy;
}

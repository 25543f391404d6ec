// One conversion of the model policy: the contract's `IModelPolicyRegistry.Policy` struct <-> a plain record of
// bigints (what `setPolicy` and `checkPolicy` take back) -> the docs/protocol.md §2 policy the computation uses.
import { parsePolicy, type Policy } from "../protocol/policy.ts";
import { ChainReadError } from "./errors.ts";
import { decodeRule, decodeWeighting } from "./enums.ts";

/** Every field of `IModelPolicyRegistry.Policy`, in struct order. */
export const POLICY_FIELD_NAMES = [
  "rule", "trimBps", "krumF", "weighting", "maxSampleWeight", "clipMantissa", "clipExp", "minContributors",
  "commitWindowSeconds", "revealWindowSeconds", "attestWindowSeconds", "challengeWindowSeconds", "claimWindowSeconds",
  "minContributorStake", "minOperatorStake", "slashBps", "contributorsBps", "operatorsBps", "treasuryBps",
  "dpClipNormE6", "dpNoiseMultiplierE6", "dpDeltaE18", "remainderTo", "disputeBond", "wrongResultBps",
] as const;
export type PolicyFieldName = (typeof POLICY_FIELD_NAMES)[number];

/** A whole policy with every field as a bigint (enums by value): what the contract returns and takes. */
export type ChainPolicy = Record<PolicyFieldName, bigint>;

/**
 * The contract's answer (an ethers `Result` or any object with the struct's fields) as a {@link ChainPolicy}.
 * @throws {ChainReadError} when a field is missing or not an integer (an ABI that does not match).
 */
export function policyFromChain(struct: object): ChainPolicy {
  const fields = struct as Readonly<Record<string, unknown>>;
  const values = {} as ChainPolicy;
  for (const name of POLICY_FIELD_NAMES) {
    const value = fields[name];
    if (typeof value === "bigint") values[name] = value;
    else if (typeof value === "number" && Number.isSafeInteger(value)) values[name] = BigInt(value);
    else throw new ChainReadError(`policy field ${name} is missing from the contract's answer`);
  }
  return values;
}

/**
 * The docs/protocol.md §2 policy of a round: the aggregation fields of its policy snapshot and the round's
 * `rewardPool` (from its escrow, not the policy).
 * @throws {ChainReadError} on an unknown enum value; {@link parsePolicy}'s error when a field is out of range.
 */
export function aggregationPolicyOf(policy: ChainPolicy, rewardPool: bigint): Policy {
  return parsePolicy({
    rule: decodeRule(policy.rule),
    trimBps: Number(policy.trimBps),
    krumF: Number(policy.krumF),
    weighting: decodeWeighting(policy.weighting),
    maxSampleWeight: Number(policy.maxSampleWeight),
    clipMantissa: Number(policy.clipMantissa),
    clipExp: Number(policy.clipExp),
    minContributors: Number(policy.minContributors),
    rewardPool: rewardPool.toString(),
  });
}

import type { ModelPolicyRegistry } from "../../types/ethers-contracts/governance/ModelPolicyRegistry.ts";
import { policyFromChain } from "../../oracle/chain/policy-codec.ts";
import { BOUNDED_FIELDS, flagName, formatPolicyValue, type PolicyValues } from "./policy-flags.ts";
import { TaskInputError } from "./task-error.ts";
import { decodeRevert, describeRevert } from "./transactions.ts";

/** The contract's `Policy` struct as a plain object of bigints (oracle/chain/policy-codec.ts). */
export function toPolicyValues(struct: object): PolicyValues {
  try {
    return policyFromChain(struct);
  } catch (err) {
    throw new TaskInputError(err instanceof Error ? err.message : String(err), { cause: err });
  }
}

/** Policy `version` (1..currentVersion) of the registry. */
export async function readPolicy(registry: ModelPolicyRegistry, version: bigint): Promise<PolicyValues> {
  return toPolicyValues(await registry.policy(version));
}

/**
 * Checks `policy` against the registry's bounds with `checkPolicy`, a pure function called with eth_call: nothing is
 * sent, and the bounds are the deployed contract's, never a copy.
 * @throws {TaskInputError} naming the flag, its value and the allowed range.
 */
export async function checkPolicyBounds(registry: ModelPolicyRegistry, policy: PolicyValues): Promise<void> {
  try {
    await registry.checkPolicy(policy);
  } catch (err) {
    const decoded = decodeRevert(err, registry.interface);
    if (decoded === undefined) throw new TaskInputError(`cannot check the policy bounds: ${describeRevert(err)}`, { cause: err });
    const { name, args } = decoded;
    if (name === "PolicyFieldOutOfBounds") {
      const [fieldIndex, value, min, max] = args as unknown as [bigint, bigint, bigint, bigint];
      const field = BOUNDED_FIELDS[Number(fieldIndex)];
      if (field === undefined) throw new TaskInputError(`policy out of bounds: ${describeRevert(err)}`, { cause: err });
      const range = `${formatPolicyValue(field, min)}..${formatPolicyValue(field, max)}`;
      throw new TaskInputError(`${flagName(field)} ${formatPolicyValue(field, value)} is out of bounds: the policy registry allows ${range}`, { cause: err });
    }
    if (name === "PolicyRewardSplitInvalid") {
      const [sumBps] = args as unknown as [bigint];
      throw new TaskInputError(`--contributors-bps + --operators-bps + --treasury-bps = ${sumBps}; the reward split must sum to 10000`, { cause: err });
    }
    throw new TaskInputError(`the policy registry rejects this policy: ${describeRevert(err)}`, { cause: err });
  }
}

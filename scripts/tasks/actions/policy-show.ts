import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { formatPolicyValue, POLICY_FIELDS, type PolicyChange, type PolicyValues } from "../policy-flags.ts";
import { readPolicy } from "../policy-reader.ts";
import { openTaskContext, type CommonTaskArgs } from "../task-context.ts";

/** One policy version and what changed from the previous one. */
export interface PolicyVersion {
  readonly version: bigint;
  readonly policy: PolicyValues;
  readonly changes: PolicyChange[];
}

/** Shows the current policy in full and the history of versions (what each changed). */
export default async function showPolicy(args: CommonTaskArgs, hre: HardhatRuntimeEnvironment): Promise<{ currentVersion: bigint; history: PolicyVersion[] }> {
  const { contracts: { policy: registry } } = await openTaskContext(hre, args);
  const currentVersion = await registry.currentVersion();
  const history: PolicyVersion[] = [];
  let previous: PolicyValues | undefined;
  for (let version = 1n; version <= currentVersion; version++) {
    const policy = await readPolicy(registry, version);
    const changes = previous === undefined ? [] : diff(previous, policy);
    history.push({ version, policy, changes });
    previous = policy;
  }
  console.log(`current policy: version ${currentVersion}`);
  if (previous !== undefined) {
    for (const { name } of POLICY_FIELDS) console.log(`  ${name.padEnd(24)} ${formatPolicyValue(name, previous[name])}`);
  }
  console.log("history:");
  for (const h of history) {
    const what = h.version === 1n ? "genesis" : h.changes.map((c) => `${c.field} ${formatPolicyValue(c.field, c.from)} -> ${formatPolicyValue(c.field, c.to)}`).join("; ") || "no field changed";
    console.log(`  v${h.version}: ${what}`);
  }
  return { currentVersion, history };
}

function diff(from: PolicyValues, to: PolicyValues): PolicyChange[] {
  return POLICY_FIELDS.filter(({ name }) => from[name] !== to[name]).map(({ name }) => ({ field: name, from: from[name], to: to[name] }));
}

import { id } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { applyPolicyFlags, formatPolicyValue, POLICY_FIELDS, type PolicyChange, type PolicyFieldSpec, type PolicyFlags, type PolicyValues } from "../policy-flags.ts";
import { checkPolicyBounds, toPolicyValues } from "../policy-reader.ts";
import { openTaskContext, type CommonTaskArgs } from "../task-context.ts";
import { TaskInputError } from "../task-error.ts";
import { isoDate } from "../timestamps.ts";
import { formatTokenAmount } from "../token-amount.ts";
import { runAction } from "../transactions.ts";
import { proposePolicy as sendPolicyProposal } from "../../../oracle/governance/proposals.ts";

/** Options of `gov:propose-policy`: the common ones, one per policy field, a description and `--dry-run`. */
export type ProposePolicyArgs = CommonTaskArgs & PolicyFlags & { readonly description: string | undefined; readonly dryRun: boolean };

/** What was (or, with `--dry-run`, would be) proposed. */
export interface ProposePolicyResult {
  readonly proposalId: bigint;
  readonly description: string;
  readonly changes: PolicyChange[];
  readonly policy: PolicyValues;
  readonly target: string;
  readonly calldata: string;
  readonly sent: boolean;
}

/**
 * Proposes `ModelPolicyRegistry.setPolicy(current policy + the given flags)`. Every check runs before anything is
 * sent: flag syntax, the registry's bounds (`checkPolicy` by eth_call), the proposer's votes and duplicates.
 */
export default async function proposePolicy(args: ProposePolicyArgs, hre: HardhatRuntimeEnvironment): Promise<ProposePolicyResult> {
  const flags: PolicyFlags = {};
  for (const spec of POLICY_FIELDS as readonly PolicyFieldSpec[]) {
    const option = spec.option ?? spec.name;
    flags[option] = args[option];
  }
  const { contracts, signer } = await openTaskContext(hre, args);
  const { policy: registry, governor } = contracts;
  const current = toPolicyValues(await registry.currentPolicy());
  const { policy, changes } = applyPolicyFlags(current, flags);
  if (changes.length === 0) throw new TaskInputError("no policy field changes: pass at least one flag with a new value (see `npx hardhat gov:propose-policy --help`)");
  await checkPolicyBounds(registry, policy);

  const version = await registry.currentVersion();
  const summary = changes.map((c) => `${c.field} ${formatPolicyValue(c.field, c.from)} -> ${formatPolicyValue(c.field, c.to)}`).join("; ");
  const description = args.description?.trim() || `Model policy v${version + 1n}: ${summary}`;
  const target = await registry.getAddress();
  const calldata = registry.interface.encodeFunctionData("setPolicy", [policy]);
  const proposalId = await governor.hashProposal([target], [0n], [calldata], id(description));
  if ((await governor.proposalSnapshot(proposalId)) !== 0n) {
    throw new TaskInputError(`proposal ${proposalId} with this exact policy and description already exists; vote on it or change --description`);
  }
  const votes = await governor.getVotes(signer.address, (await governor.clock()) - 1n);
  const threshold = await governor.proposalThreshold();
  if (votes < threshold) {
    throw new TaskInputError(`${signer.address} has ${formatTokenAmount(votes)} of votes; proposing needs ${formatTokenAmount(threshold)} (delegate first: npx hardhat token:delegate)`);
  }

  console.log(`proposal: ${description}`);
  for (const c of changes) console.log(`  ${c.field}: ${formatPolicyValue(c.field, c.from)} -> ${formatPolicyValue(c.field, c.to)}`);
  console.log(`target ${target}, calldata ${calldata}`);
  if (args.dryRun) {
    console.log(`dry run: nothing sent; the proposal id would be ${proposalId}`);
    return { proposalId, description, changes, policy, target, calldata, sent: false };
  }
  const sent = await runAction(() => sendPolicyProposal(contracts, { policy, description }));
  console.log(`propose: ${sent.tx?.hash} (block ${sent.tx?.blockNumber})`);
  const [start, end] = [await governor.proposalSnapshot(proposalId), await governor.proposalDeadline(proposalId)];
  console.log(`proposal ${proposalId}: voting ${isoDate(start)} .. ${isoDate(end)}`);
  return { proposalId, description, changes, policy, target, calldata, sent: true };
}

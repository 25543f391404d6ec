import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { findProposal, parseProposalId, proposalState } from "../proposals.ts";
import { openTaskContext, type CommonTaskArgs } from "../task-context.ts";
import { TaskInputError } from "../task-error.ts";
import { isoDate } from "../timestamps.ts";
import { sendTransaction } from "../transactions.ts";

/** Options of `gov:queue`. */
export type QueueArgs = CommonTaskArgs & { readonly proposalId: string };

/** Queues a succeeded proposal in the timelock; prints when it can be executed. */
export default async function queue(args: QueueArgs, hre: HardhatRuntimeEnvironment): Promise<{ proposalId: bigint; eta: bigint }> {
  const proposalId = parseProposalId(args.proposalId);
  const { contracts: { governor }, deployment } = await openTaskContext(hre, args);
  const proposal = await findProposal(governor, deployment.deployedAtBlock, proposalId);
  const state = await proposalState(governor, proposalId);
  if (state !== "Succeeded") {
    throw new TaskInputError(`proposal ${proposalId} is ${state}; only a Succeeded proposal can be queued (voting ends ${isoDate(proposal.voteEnd)})`);
  }
  await sendTransaction("queue", () => governor.queue(proposal.targets, proposal.values, proposal.calldatas, proposal.descriptionHash));
  const eta = await governor.proposalEta(proposalId);
  console.log(`proposal ${proposalId} queued; executable from ${isoDate(eta)}`);
  return { proposalId, eta };
}

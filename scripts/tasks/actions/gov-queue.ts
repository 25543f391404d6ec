import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { findProposal, parseProposalId, proposalState } from "../proposals.ts";
import { openTaskContext, type CommonTaskArgs } from "../task-context.ts";
import { TaskInputError } from "../task-error.ts";
import { isoDate } from "../timestamps.ts";
import { runAction } from "../transactions.ts";
import { queueProposal } from "../../../oracle/governance/proposals.ts";

/** Options of `gov:queue`. */
export type QueueArgs = CommonTaskArgs & { readonly proposalId: string };

/** Queues a succeeded proposal in the timelock; prints when it can be executed. */
export default async function queue(args: QueueArgs, hre: HardhatRuntimeEnvironment): Promise<{ proposalId: bigint; eta: bigint }> {
  const proposalId = parseProposalId(args.proposalId);
  const { contracts, deployment } = await openTaskContext(hre, args);
  const { governor } = contracts;
  const proposal = await findProposal(governor, deployment.deployedAtBlock, proposalId);
  const state = await proposalState(governor, proposalId);
  if (state !== "Succeeded") {
    throw new TaskInputError(`proposal ${proposalId} is ${state}; only a Succeeded proposal can be queued (voting ends ${isoDate(proposal.voteEnd)})`);
  }
  const { eta, tx } = await runAction(() => queueProposal(contracts, proposal));
  console.log(`queue: ${tx.hash} (block ${tx.blockNumber})`);
  console.log(`proposal ${proposalId} queued; executable from ${isoDate(eta)}`);
  return { proposalId, eta };
}

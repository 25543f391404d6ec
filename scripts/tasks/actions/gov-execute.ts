import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { findProposal, parseProposalId, proposalState } from "../proposals.ts";
import { openTaskContext, type CommonTaskArgs } from "../task-context.ts";
import { TaskInputError } from "../task-error.ts";
import { isoDate } from "../timestamps.ts";
import { runAction } from "../transactions.ts";
import { executeProposal } from "../../../oracle/governance/proposals.ts";

/** Options of `gov:execute`. */
export type ExecuteArgs = CommonTaskArgs & { readonly proposalId: string };

/** Executes a queued proposal once its timelock delay has passed. */
export default async function execute(args: ExecuteArgs, hre: HardhatRuntimeEnvironment): Promise<{ proposalId: bigint; transactionHash: string }> {
  const proposalId = parseProposalId(args.proposalId);
  const { contracts, deployment, connection } = await openTaskContext(hre, args);
  const { governor } = contracts;
  const proposal = await findProposal(governor, deployment.deployedAtBlock, proposalId);
  const state = await proposalState(governor, proposalId);
  if (state !== "Queued") throw new TaskInputError(`proposal ${proposalId} is ${state}; only a Queued proposal can be executed (queue it with gov:queue)`);
  const eta = await governor.proposalEta(proposalId);
  const latest = await connection.ethers.provider.getBlock("latest");
  if (latest !== null && BigInt(latest.timestamp) < eta) {
    throw new TaskInputError(`proposal ${proposalId} is in the timelock until ${isoDate(eta)} (chain time ${isoDate(latest.timestamp)})`);
  }
  const receipt = await runAction(() => executeProposal(contracts, proposal));
  console.log(`execute: ${receipt.hash} (block ${receipt.blockNumber})`);
  console.log(`proposal ${proposalId} executed`);
  return { proposalId, transactionHash: receipt.hash };
}

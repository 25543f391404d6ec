import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { parseProposalId, parseSupport, proposalState, VOTE_SUPPORT, type VoteSupportName } from "../proposals.ts";
import { openTaskContext, type CommonTaskArgs } from "../task-context.ts";
import { TaskInputError } from "../task-error.ts";
import { isoDate } from "../timestamps.ts";
import { formatTokenAmount } from "../token-amount.ts";
import { runAction } from "../transactions.ts";
import { castVote } from "../../../oracle/governance/proposals.ts";

/** Options of `gov:vote`. */
export type VoteArgs = CommonTaskArgs & { readonly proposalId: string; readonly support: string | undefined; readonly reason?: string | undefined };

/** Casts the sender's vote (token votes plus stake votes at the proposal snapshot), with an optional reason. */
export default async function vote(args: VoteArgs, hre: HardhatRuntimeEnvironment): Promise<{ proposalId: bigint; support: VoteSupportName; weight: bigint }> {
  const proposalId = parseProposalId(args.proposalId);
  const support = parseSupport(args.support);
  const reason = args.reason ?? "";
  const { contracts, signer } = await openTaskContext(hre, args);
  const { governor } = contracts;
  const state = await proposalState(governor, proposalId).catch((err: unknown) => {
    throw new TaskInputError(`no proposal ${proposalId} (see \`npx hardhat gov:list\`)`, { cause: err });
  });
  if (state !== "Active") {
    const start = await governor.proposalSnapshot(proposalId);
    throw new TaskInputError(`proposal ${proposalId} is ${state}; votes are accepted while it is Active (${isoDate(start)} .. ${isoDate(await governor.proposalDeadline(proposalId))})`);
  }
  if (await governor.hasVoted(proposalId, signer.address)) throw new TaskInputError(`${signer.address} already voted on proposal ${proposalId}`);
  const weight = await governor.getVotes(signer.address, await governor.proposalSnapshot(proposalId));
  if (weight === 0n) console.warn(`warning: ${signer.address} had no votes at the snapshot; the vote counts 0 (delegate before a proposal's snapshot)`);
  const { tx } = await runAction(() => castVote(contracts, { proposalId, support, reason }));
  console.log(`vote ${support}: ${tx.hash} (block ${tx.blockNumber})`);
  console.log(`${signer.address} voted ${support} on ${proposalId} with ${formatTokenAmount(weight)} of votes`);
  return { proposalId, support, weight };
}

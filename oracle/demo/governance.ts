import type { Signer } from "ethers";
import type { NetworkConnection } from "hardhat/types/network";

import type { Contracts } from "../chain/contracts.ts";
import { AGGREGATION_RULES, decodeProposalState, decodeRule, encodeEnum, type AggregationRuleName as Rule } from "../chain/enums.ts";
import { policyFromChain } from "../chain/policy-codec.ts";
import { InvariantError } from "../errors.ts";
import { castVote, executeProposal, listProposals, proposePolicy, queueProposal } from "../governance/proposals.ts";

/** What happened to a proposal, in the report's terms. */
export interface RuleChangeOutcome {
  readonly proposalId: string;
  readonly description: string;
  readonly fromRule: Rule;
  readonly toRule: Rule;
  readonly state: string;
  readonly votesFor: bigint;
  readonly votesAgainst: bigint;
}

/**
 * Token holders change the aggregation rule through the DAO, as any holder would with a script or
 * a wallet: propose `policy.setPolicy(current with the new rule)`, wait the voting delay, vote with
 * a reason, wait the voting period, queue in the timelock, wait its delay, execute. Chain time is
 * advanced with Hardhat's time helpers, so the demo does not wait days.
 */
export async function changeRule(args: {
  connection: NetworkConnection;
  proposer: Contracts;
  voters: readonly { readonly contracts: Contracts; readonly reason: string }[];
  toRule: Rule;
  krumF: number;
  minContributors: number;
  onStep?: (step: string) => void;
}): Promise<RuleChangeOutcome> {
  const { proposer, connection } = args;
  const { governor, policy } = proposer;
  const time = connection.networkHelpers.time;
  const current = await policy.currentPolicy();
  const fromRule = decodeRule(current.rule);
  const next = { ...policyFromChain(current), rule: BigInt(encodeEnum(AGGREGATION_RULES, args.toRule, "aggregation rule")), krumF: BigInt(args.krumF), minContributors: BigInt(args.minContributors) };
  const description = `Switch aggregation from ${fromRule} to ${args.toRule} (f = ${args.krumF}) to exclude poisoned updates`;
  const { proposalId } = await proposePolicy(proposer, { policy: next, description });
  const [proposal] = (await listProposals(proposer, 0)).filter((p) => p.proposalId === proposalId);
  if (!proposal) throw new InvariantError(`proposal ${proposalId} not found after proposing it`);
  args.onStep?.(`proposed #${proposalId.toString().slice(0, 10)}…: ${description}`);
  await time.increaseTo(Number(await governor.proposalSnapshot(proposalId)) + 1);
  for (const voter of args.voters) await castVote(voter.contracts, { proposalId, support: "for", reason: voter.reason });
  args.onStep?.(`${args.voters.length} token holders voted for`);
  await time.increaseTo(Number(await governor.proposalDeadline(proposalId)) + 1);
  await queueProposal(proposer, proposal);
  args.onStep?.("queued in the timelock");
  await time.increaseTo(Number(await governor.proposalEta(proposalId)) + 1);
  await executeProposal(proposer, proposal);
  const [votesAgainst, votesFor] = await governor.proposalVotes(proposalId);
  const state = decodeProposalState(await governor.state(proposalId));
  args.onStep?.(`executed: the policy now says ${args.toRule}`);
  return { proposalId: proposalId.toString(), description, fromRule, toRule: args.toRule, state, votesFor, votesAgainst };
}

/** Self-delegation, so a holder's tokens count as votes from now on (ERC-5805). */
export async function delegateToSelf(contracts: Contracts, holder: Signer): Promise<void> {
  await (await contracts.token.delegate(await holder.getAddress())).wait();
}

import { id, type Signer } from "ethers";
import type { NetworkConnection } from "hardhat/types/network";

import type { Contracts } from "../chain/contracts.ts";
import { AGGREGATION_RULES, decodeProposalState, decodeRule, encodeEnum, VOTE_SUPPORT, type AggregationRuleName as Rule } from "../chain/enums.ts";
import { policyFromChain } from "../chain/policy-codec.ts";

/** GovernorCountingSimple's `support` value for a vote in favour. */
const VOTE_FOR = encodeEnum(VOTE_SUPPORT, "for", "vote support");

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
  const next = { ...policyFromChain(current), rule: BigInt(encodeEnum(AGGREGATION_RULES, args.toRule, "aggregation rule")), krumF: args.krumF, minContributors: args.minContributors };
  const description = `Switch aggregation from ${fromRule} to ${args.toRule} (f = ${args.krumF}) to exclude poisoned updates`;
  const targets = [await policy.getAddress()];
  const values = [0n];
  const calldatas = [policy.interface.encodeFunctionData("setPolicy", [next])];

  await (await governor.propose(targets, values, calldatas, description)).wait();
  const proposalId = await governor.hashProposal(targets, values, calldatas, id(description));
  args.onStep?.(`proposed #${proposalId.toString().slice(0, 10)}…: ${description}`);
  await time.increaseTo(Number(await governor.proposalSnapshot(proposalId)) + 1);
  for (const voter of args.voters) {
    await (await voter.contracts.governor.castVoteWithReason(proposalId, VOTE_FOR, voter.reason)).wait();
  }
  args.onStep?.(`${args.voters.length} token holders voted for`);
  await time.increaseTo(Number(await governor.proposalDeadline(proposalId)) + 1);
  await (await governor.queue(targets, values, calldatas, id(description))).wait();
  args.onStep?.("queued in the timelock");
  await time.increaseTo(Number(await governor.proposalEta(proposalId)) + 1);
  await (await governor.execute(targets, values, calldatas, id(description))).wait();
  const [votesAgainst, votesFor] = await governor.proposalVotes(proposalId);
  const state = decodeProposalState(await governor.state(proposalId));
  args.onStep?.(`executed: the policy now says ${args.toRule}`);
  return { proposalId: proposalId.toString(), description, fromRule, toRule: args.toRule, state, votesFor, votesAgainst };
}

/** Self-delegation, so a holder's tokens count as votes from now on (ERC-5805). */
export async function delegateToSelf(contracts: Contracts, holder: Signer): Promise<void> {
  await (await contracts.token.delegate(await holder.getAddress())).wait();
}

import { id, type Signer } from "ethers";
import type { NetworkConnection } from "hardhat/types/network";

import type { IModelPolicyRegistry } from "../../types/ethers-contracts/governance/ModelPolicyRegistry.ts";
import type { Contracts } from "../chain/contracts.ts";
import { RULES, type Rule } from "../protocol/policy.ts";

/** `IGovernor.ProposalState` names by number. */
const PROPOSAL_STATES = ["Pending", "Active", "Canceled", "Defeated", "Succeeded", "Queued", "Expired", "Executed"] as const;
/** GovernorCountingSimple's `support` value for a vote in favour. */
const VOTE_FOR = 1;

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
  const fromRule = RULES[Number(current.rule)] ?? "fedavg";
  const next = { ...policyStruct(current), rule: RULES.indexOf(args.toRule), krumF: args.krumF, minContributors: args.minContributors };
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
  const state = PROPOSAL_STATES[Number(await governor.state(proposalId))] ?? "Unknown";
  args.onStep?.(`executed: the policy now says ${args.toRule}`);
  return { proposalId: proposalId.toString(), description, fromRule, toRule: args.toRule, state, votesFor, votesAgainst };
}

/** A policy read from the chain, as the plain struct `setPolicy` takes. */
function policyStruct(p: Awaited<ReturnType<Contracts["policy"]["currentPolicy"]>>): IModelPolicyRegistry.PolicyStruct {
  return {
    rule: p.rule, trimBps: p.trimBps, krumF: p.krumF, weighting: p.weighting, maxSampleWeight: p.maxSampleWeight,
    clipMantissa: p.clipMantissa, clipExp: p.clipExp, minContributors: p.minContributors,
    commitWindowSeconds: p.commitWindowSeconds, revealWindowSeconds: p.revealWindowSeconds,
    attestWindowSeconds: p.attestWindowSeconds, challengeWindowSeconds: p.challengeWindowSeconds,
    claimWindowSeconds: p.claimWindowSeconds, minContributorStake: p.minContributorStake, minOperatorStake: p.minOperatorStake,
    slashBps: p.slashBps, contributorsBps: p.contributorsBps, operatorsBps: p.operatorsBps, treasuryBps: p.treasuryBps,
    dpClipNormE6: p.dpClipNormE6, dpNoiseMultiplierE6: p.dpNoiseMultiplierE6, dpDeltaE18: p.dpDeltaE18, remainderTo: p.remainderTo,
    disputeBond: p.disputeBond, wrongResultBps: p.wrongResultBps,
  };
}

/** Self-delegation, so a holder's tokens count as votes from now on (ERC-5805). */
export async function delegateToSelf(contracts: Contracts, holder: Signer): Promise<void> {
  await (await contracts.token.delegate(await holder.getAddress())).wait();
}

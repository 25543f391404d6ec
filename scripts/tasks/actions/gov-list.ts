import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { proposalState, readProposals, type ProposalStateName } from "../proposals.ts";
import { openTaskContext, type CommonTaskArgs } from "../task-context.ts";
import { isoDate } from "../timestamps.ts";
import { formatTokenAmount } from "../token-amount.ts";

/** One row of `gov:list`. Dates are ISO-8601 (the governor's clock is the block timestamp). */
export interface ProposalSummary {
  readonly proposalId: bigint;
  readonly state: ProposalStateName;
  readonly proposer: string;
  readonly title: string;
  readonly votingStarts: string;
  readonly votingEnds: string;
  readonly executableFrom: string;
  readonly forVotes: bigint;
  readonly againstVotes: bigint;
  readonly abstainVotes: bigint;
  /** Quorum at the snapshot (as of now while the proposal is pending). */
  readonly quorum: bigint;
}

/** Lists every proposal since the deployment with its state, deadlines and tally. */
export default async function listProposals(args: CommonTaskArgs, hre: HardhatRuntimeEnvironment): Promise<ProposalSummary[]> {
  const { contracts: { governor }, deployment } = await openTaskContext(hre, args);
  const summaries: ProposalSummary[] = [];
  const now = await governor.clock();
  for (const p of await readProposals(governor, deployment.deployedAtBlock)) {
    const [againstVotes, forVotes, abstainVotes] = await governor.proposalVotes(p.proposalId);
    summaries.push({
      proposalId: p.proposalId,
      state: await proposalState(governor, p.proposalId),
      proposer: p.proposer,
      title: p.description.split("\n")[0] ?? "",
      votingStarts: isoDate(p.voteStart),
      votingEnds: isoDate(p.voteEnd),
      executableFrom: isoDate(await governor.proposalEta(p.proposalId)),
      forVotes,
      againstVotes,
      abstainVotes,
      // A pending proposal's snapshot is in the future: show the quorum as of now until then.
      quorum: await governor.quorum(p.voteStart < now ? p.voteStart : now - 1n),
    });
  }
  if (summaries.length === 0) console.log("no proposals yet");
  for (const s of summaries) {
    console.log(`${s.proposalId}\n  ${s.state}: ${s.title}`);
    console.log(`  voting ${s.votingStarts} .. ${s.votingEnds}; executable from ${s.executableFrom}`);
    console.log(`  for ${formatTokenAmount(s.forVotes)}, against ${formatTokenAmount(s.againstVotes)}, abstain ${formatTokenAmount(s.abstainVotes)}; quorum ${formatTokenAmount(s.quorum)}`);
  }
  return summaries;
}

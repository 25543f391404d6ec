import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { parseEther } from "ethers";

import type { OpenedRound } from "../../scripts/tasks/actions/round-open.ts";
import type { RoundStatusReport } from "../../scripts/tasks/actions/round-status.ts";
import type { ProposalSummary } from "../../scripts/tasks/actions/gov-list.ts";
import type { ProposePolicyResult } from "../../scripts/tasks/actions/gov-propose-policy.ts";
import type { PolicyVersion } from "../../scripts/tasks/actions/policy-show.ts";
import { DEPLOYER_ALLOCATION, deployedByTasksFixture, runTask, tasksConnection, type DeployedByTasks } from "./task-fixtures.ts";

const dir = mkdtempSync(path.join(tmpdir(), "cw-task-gov-"));
const deployedFixture = deployedByTasksFixture(path.join(dir, "default.json"));
const { networkHelpers } = await tasksConnection();
const { loadFixture, time } = networkHelpers;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Deployed, the deployer (all CWT) delegated to itself and staked 10M CWT, and a policy change proposed. */
async function proposedFixture(): Promise<DeployedByTasks & { proposal: ProposePolicyResult }> {
  const deployed = await deployedFixture();
  const { manifest } = deployed;
  await runTask("token:delegate", { deployment: manifest });
  await runTask("stake", { deployment: manifest, amount: "10000000" });
  await time.increase(1);
  const proposal = await runTask<ProposePolicyResult>("gov:propose-policy", {
    deployment: manifest, rule: "trimmed-mean", trimBps: "2000", slashBps: "2500", description: "Trimmed mean 20%, halve slashing",
  });
  return { ...deployed, proposal };
}

describe("governance through the tasks", function () {
  after(async function () {
    await rm(dir, { recursive: true, force: true });
  });

  it("test_policyChange_proposeVoteQueueExecute_policyShowAndNewRoundUseIt", async function () {
    const { manifest, proposal, context: { contracts } } = await loadFixture(proposedFixture);
    const id = proposal.proposalId.toString();
    await time.increase(Number(await contracts.governor.votingDelay()) + 1);
    await runTask("gov:vote", { deployment: manifest, proposalId: id, support: "for", reason: "robust to outliers" });
    await time.increase(Number(await contracts.governor.votingPeriod()));
    await runTask("gov:queue", { deployment: manifest, proposalId: id });
    await time.increase(Number(await contracts.timelock.getMinDelay()));
    await runTask("gov:execute", { deployment: manifest, proposalId: id });

    const shown = await runTask<{ currentVersion: bigint; history: PolicyVersion[] }>("policy:show", { deployment: manifest });
    expect(shown.currentVersion).to.equal(2n);
    expect(shown.history[1]?.changes.map((c) => [c.field, c.to])).to.deep.equal([["rule", 2n], ["trimBps", 2000n], ["slashBps", 2500n]]);
    const opened = await runTask<OpenedRound>("round:open", { deployment: manifest, budget: "1000" });
    const status = await runTask<RoundStatusReport>("round:status", { deployment: manifest, roundId: opened.roundId.toString() });
    expect(status.policyVersion).to.equal(2n);
    expect(status.status).to.equal("Open");
    expect(status.phase).to.equal("commit");
    expect(status.funded).to.equal(parseEther("1000"));
  });

  it("test_govList_showsStateDeadlinesAsIsoDatesAndTally", async function () {
    const { manifest, proposal } = await loadFixture(proposedFixture);
    const [listed] = await runTask<ProposalSummary[]>("gov:list", { deployment: manifest });
    expect(listed?.proposalId).to.equal(proposal.proposalId);
    expect(listed?.state).to.equal("Pending");
    expect(listed?.title).to.equal("Trimmed mean 20%, halve slashing");
    expect(listed?.votingStarts).to.match(ISO_DATE);
    expect(listed?.votingEnds).to.match(ISO_DATE);
    expect(listed?.executableFrom).to.equal("-");
  });

  it("test_govVote_countsTokenAndStakeVotesAtTheSnapshot", async function () {
    const { manifest, proposal } = await loadFixture(proposedFixture);
    await time.increase(24 * 3600 + 1);
    const vote = await runTask<{ weight: bigint }>("gov:vote", { deployment: manifest, proposalId: proposal.proposalId.toString(), support: "against" });
    expect(vote.weight).to.equal(parseEther(DEPLOYER_ALLOCATION));
  });

  it("test_roundOpen_beforeExecution_snapshotsTheGenesisPolicy", async function () {
    const { manifest } = await loadFixture(proposedFixture);
    const opened = await runTask<OpenedRound>("round:open", { deployment: manifest, budget: "500" });
    expect(opened.policyVersion).to.equal(1n);
  });

  it("test_operatorRegister_afterStakingTheMinimum_registers", async function () {
    const { manifest, context: { contracts } } = await loadFixture(proposedFixture);
    const { operator } = await runTask<{ operator: string }>("operator:register", { deployment: manifest });
    expect(await contracts.oracleRegistry.isOperator(operator)).to.equal(true);
  });
});

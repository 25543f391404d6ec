import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";

import { TaskInputError } from "../../scripts/tasks/task-error.ts";
import { chainMark, deployedByTasksFixture, rejection, runTask, tasksConnection, type DeployedByTasks } from "./task-fixtures.ts";

const dir = mkdtempSync(path.join(tmpdir(), "cw-task-input-"));
const deployedFixture = deployedByTasksFixture(path.join(dir, "default.json"));
const connection = await tasksConnection();
const { loadFixture, time } = connection.networkHelpers;

/** Deployed and the deployer (all CWT) delegated, so it may propose: only the input can be wrong. */
async function delegatedFixture(): Promise<DeployedByTasks> {
  const deployed = await deployedFixture();
  await runTask("token:delegate", { deployment: deployed.manifest });
  await time.increase(1);
  return deployed;
}

/** Each case: a task, its arguments and the message it must fail with, before anything is sent. */
const REJECTED: ReadonlyArray<{ readonly name: string; readonly task: string; readonly args: Record<string, unknown>; readonly message: RegExp }> = [
  { name: "trimBpsAboveBound", task: "gov:propose-policy", args: { trimBps: "6000" }, message: /^--trim-bps 6000 is out of bounds: the policy registry allows 0\.\.4999$/ },
  { name: "commitWindowBelowBound", task: "gov:propose-policy", args: { commitWindowSeconds: "60" }, message: /^--commit-window-seconds 60 is out of bounds: the policy registry allows 600\.\.2592000$/ },
  { name: "minContributorStakeZero", task: "gov:propose-policy", args: { minContributorStake: "0" }, message: /^--min-contributor-stake 0 CWT is out of bounds/ },
  { name: "dpDeltaOne", task: "gov:propose-policy", args: { dpDelta: "1" }, message: /^--dp-delta 1\.0 is out of bounds: the policy registry allows 0\.000000000000000001\.\.0\.999999999999999999$/ },
  { name: "rewardSplitNot10000", task: "gov:propose-policy", args: { contributorsBps: "9000" }, message: /reward split must sum to 10000/ },
  { name: "unknownRule", task: "gov:propose-policy", args: { rule: "krum" }, message: /^--rule must be one of fedavg, median, trimmed-mean, multi-krum; got 'krum'$/ },
  { name: "nonIntegerTrimBps", task: "gov:propose-policy", args: { trimBps: "20%" }, message: /^--trim-bps must be an integer; got '20%'$/ },
  { name: "trimBpsOverflowsUint16", task: "gov:propose-policy", args: { trimBps: "70000" }, message: /^--trim-bps must be in 0\.\.65535; got '70000'$/ },
  { name: "negativeStake", task: "gov:propose-policy", args: { minOperatorStake: "-5" }, message: /^--min-operator-stake must be a CWT amount/ },
  { name: "noChange", task: "gov:propose-policy", args: { trimBps: "1000" }, message: /^no policy field changes/ },
  { name: "proposerWithoutVotes", task: "gov:propose-policy", args: { trimBps: "2000", from: "1" }, message: /has 0 CWT of votes; proposing needs 100000 CWT/ },
  { name: "voteSupportInvalid", task: "gov:vote", args: { proposalId: "1", support: "yes" }, message: /^--support must be one of for, against, abstain; got 'yes'$/ },
  { name: "voteProposalIdInvalid", task: "gov:vote", args: { proposalId: "abc", support: "for" }, message: /^the proposal id must be a decimal or 0x-hex number/ },
  { name: "voteUnknownProposal", task: "gov:vote", args: { proposalId: "12345", support: "for" }, message: /^no proposal 12345/ },
  { name: "queueUnknownProposal", task: "gov:queue", args: { proposalId: "12345" }, message: /^no proposal 12345/ },
  { name: "stakeAmountInvalid", task: "stake", args: { amount: "lots" }, message: /^--amount must be a token amount/ },
  { name: "roundOpenWithoutBudget", task: "round:open", args: {}, message: /^--budget is required/ },
  { name: "delegateToInvalidAddress", task: "token:delegate", args: { to: "0x1234" }, message: /^--to must be an address; got '0x1234'$/ },
  { name: "fromUnknownAccount", task: "stake", args: { amount: "1", from: "99" }, message: /^--from 99: network default has 40 account\(s\)/ },
  { name: "operatorWithoutTokens", task: "operator:register", args: { from: "5" }, message: /holds 0 CWT, needs 10000 CWT to stake$/ },
  { name: "roundStatusNoRounds", task: "round:status", args: { roundId: "" }, message: /^no rounds yet/ },
];

describe("task input validation", function () {
  after(async function () {
    await rm(dir, { recursive: true, force: true });
  });

  for (const c of REJECTED) {
    it(`test_${c.task.replace(":", "_")}_rejects_${c.name}_beforeSending`, async function () {
      const { manifest, context } = await loadFixture(delegatedFixture);
      const proposer = context.signer.address;
      const before = await chainMark(connection, proposer);
      const err = await rejection(runTask(c.task, { deployment: manifest, ...c.args }));
      expect(err).to.be.instanceOf(TaskInputError);
      expect(err.message).to.match(c.message);
      expect(await chainMark(connection, proposer)).to.deep.equal(before);
    });
  }

  it("test_govProposePolicy_rejectsAnUnknownFlag_beforeSending", async function () {
    const { manifest, context } = await loadFixture(delegatedFixture);
    const before = await chainMark(connection, context.signer.address);
    const err = await rejection(runTask("gov:propose-policy", { deployment: manifest, trimBp: "2000" }));
    expect(err.message).to.match(/trimBp/);
    expect(await chainMark(connection, context.signer.address)).to.deep.equal(before);
  });

  it("test_govProposePolicy_dryRun_validatesWithoutSending", async function () {
    const { manifest, context } = await loadFixture(delegatedFixture);
    const before = await chainMark(connection, context.signer.address);
    const result = await runTask<{ sent: boolean }>("gov:propose-policy", { deployment: manifest, trimBps: "2000", dryRun: true });
    expect(result.sent).to.equal(false);
    expect(await chainMark(connection, context.signer.address)).to.deep.equal(before);
  });

  it("test_tasks_rejectAMissingManifest", async function () {
    const err = await rejection(runTask("policy:show", { deployment: path.join(dir, "none.json") }));
    expect(err).to.be.instanceOf(TaskInputError);
    expect(err.message).to.match(/no deployment manifest at .*none\.json: run `npx hardhat deploy/);
  });
});

import { expect } from "chai";
import { ZeroHash, id, parseEther } from "ethers";
import { network } from "hardhat";
import type { NetworkConnection } from "hardhat/types/network";

import CommonweightModule, { GENESIS_POLICY } from "../../ignition/modules/Commonweight.ts";

const { networkHelpers } = await network.create();
const { loadFixture, time } = networkHelpers;
const DAY = 86_400;
const ProposalState = { Pending: 0n, Active: 1n, Succeeded: 4n, Queued: 5n, Executed: 7n } as const;

/** The Ignition deployment, plus a voter (alice) with 50M CWT, 10M of it staked, and a sponsor. */
async function deployedSuiteFixture({ ethers, ignition }: NetworkConnection) {
  const [deployer, alice, sponsor, flash] = await ethers.getSigners();
  if (!deployer || !alice || !sponsor || !flash) throw new Error("signers");
  const d = await ignition.deploy(CommonweightModule);
  const token = await ethers.getContractAt("CommonweightToken", await d.token.getAddress());
  const staking = await ethers.getContractAt("Staking", await d.staking.getAddress());
  const policies = await ethers.getContractAt("ModelPolicyRegistry", await d.policies.getAddress());
  const rounds = await ethers.getContractAt("Rounds", await d.rounds.getAddress());
  const governor = await ethers.getContractAt("CommonweightGovernor", await d.governor.getAddress());
  const timelock = await ethers.getContractAt("CommonweightTimelock", await d.timelock.getAddress());
  const models = await ethers.getContractAt("ModelRegistry", await d.models.getAddress());
  const oracles = await ethers.getContractAt("OracleRegistry", await d.oracles.getAddress());
  await token.transfer(alice.address, parseEther("50000000"));
  await token.transfer(sponsor.address, parseEther("10000"));
  await token.transfer(flash.address, parseEther("200000000"));
  await token.connect(alice).delegate(alice.address);
  await token.connect(alice).approve(staking, parseEther("10000000"));
  await staking.connect(alice).stake(parseEther("10000000"));
  await token.connect(sponsor).approve(rounds, ethers.MaxUint256);
  await time.increase(1);
  return { deployer, alice, sponsor, flash, token, staking, policies, rounds, governor, timelock, models, oracles };
}

describe("Governance end to end (Ignition deployment)", function () {
  it("test_deployment_handsEveryAdminRoleToTimelock", async function () {
    const { deployer, staking, models, oracles, timelock, policies, governor } = await loadFixture(deployedSuiteFixture);
    const tl = await timelock.getAddress();
    for (const c of [staking, models, oracles, timelock]) {
      expect(await c.hasRole(ZeroHash, deployer.address)).to.equal(false);
    }
    for (const c of [staking, models, oracles]) expect(await c.hasRole(ZeroHash, tl)).to.equal(true);
    expect(await policies.owner()).to.equal(tl);
    expect(await staking.treasury()).to.equal(tl);
    expect(await timelock.hasRole(id("PROPOSER_ROLE"), await governor.getAddress())).to.equal(true);
    expect(await governor.CLOCK_MODE()).to.equal("mode=timestamp");
    expect(await governor.timelock()).to.equal(tl);
  });

  it("test_governor_countsTokenAndStakeVotes", async function () {
    const { alice, governor } = await loadFixture(deployedSuiteFixture);
    const now = BigInt(await time.latest());
    expect(await governor.getVotes(alice.address, now - 1n)).to.equal(parseEther("50000000"));
  });

  it("test_policyChange_proposeVoteQueueExecute_newRoundsUseItRunningRoundKeepsSnapshot", async function () {
    const { alice, sponsor, flash, token, staking, policies, rounds, governor } = await loadFixture(deployedSuiteFixture);
    // A round opened before the vote snapshots policy version 1.
    await rounds.connect(sponsor).open(token, parseEther("1000"));
    const newPolicy = { ...GENESIS_POLICY, rule: 2, trimBps: 2000, slashBps: 2500 };
    const targets = [await policies.getAddress()];
    const calldatas = [policies.interface.encodeFunctionData("setPolicy", [newPolicy])];
    const description = "Switch to trimmed mean (20%) and halve slashing";
    await governor.connect(alice).propose(targets, [0n], calldatas, description);
    const proposalId = await governor.hashProposal(targets, [0n], calldatas, id(description));
    expect(await governor.state(proposalId)).to.equal(ProposalState.Pending);

    await time.increase(DAY + 1);
    // Flash-acquired votes: tokens and stake acquired after the snapshot carry no weight.
    await token.connect(flash).delegate(flash.address);
    await token.connect(flash).approve(staking, parseEther("1000"));
    await staking.connect(flash).stake(parseEther("1000"));
    const snapshot = await governor.proposalSnapshot(proposalId);
    expect(await governor.getVotes(flash.address, snapshot)).to.equal(0n);
    await expect(governor.connect(flash).castVote(proposalId, 1)).to.emit(governor, "VoteCast")
      .withArgs(flash.address, proposalId, 1n, 0n, "");
    await expect(governor.connect(alice).castVote(proposalId, 1)).to.emit(governor, "VoteCast")
      .withArgs(alice.address, proposalId, 1n, parseEther("50000000"), "");
    const [, forVotes] = await governor.proposalVotes(proposalId);
    expect(forVotes).to.equal(parseEther("50000000"));

    await time.increase(7 * DAY);
    expect(await governor.state(proposalId)).to.equal(ProposalState.Succeeded);
    await governor.queue(targets, [0n], calldatas, id(description));
    expect(await governor.state(proposalId)).to.equal(ProposalState.Queued);
    await time.increase(2 * DAY);
    await expect(governor.execute(targets, [0n], calldatas, id(description))).to.emit(policies, "ModelPolicyUpdated");
    expect(await governor.state(proposalId)).to.equal(ProposalState.Executed);

    expect(await policies.currentVersion()).to.equal(2n);
    expect((await rounds.round(1n)).policyVersion).to.equal(1n);
    expect((await rounds.round(1n)).slashBps).to.equal(5000n);
    await rounds.connect(sponsor).open(token, parseEther("1000"));
    expect((await rounds.round(2n)).policyVersion).to.equal(2n);
    expect((await rounds.round(2n)).slashBps).to.equal(2500n);
  });

  it("test_quorum_isFractionOfTokenSupply", async function () {
    const { governor, token } = await loadFixture(deployedSuiteFixture);
    const t = BigInt(await time.latest()) - 1n;
    expect(await governor.quorum(t)).to.equal((await token.totalSupply()) * 4n / 100n);
  });

  it("test_setPolicy_revertsWhenNotCalledThroughTimelock", async function () {
    const { alice, policies } = await loadFixture(deployedSuiteFixture);
    await expect(policies.connect(alice).setPolicy(GENESIS_POLICY))
      .to.be.revertedWithCustomError(policies, "OwnableUnauthorizedAccount").withArgs(alice.address);
  });
});

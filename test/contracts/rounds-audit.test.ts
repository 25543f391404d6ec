// Regression tests for the audit of commit 143429c (issue 13): F-1..F-5, equivocation and sweep. Each reproduces the
// attack as the audit described it and asserts the fixed behaviour.
import { expect } from "chai";
import { encodeBytes32String, parseEther } from "ethers";
import { network } from "hardhat";

import {
  DAY, MODEL_URI, OPERATOR_STAKE, ROUND_BUDGET, attestAll, closeRoundWithTwoReveals, defaultPolicy,
  deployProtocolFixture, makeResult, passChallengeWindow, signResult, signedResult, warpTo, type Protocol,
} from "./fixtures.ts";

const { ethers, networkHelpers } = await network.create();
const { loadFixture, time } = networkHelpers;
const MIN_OPERATOR_STAKE = parseEther("1000");

/** Five operators (k = 3): the fixture's three plus the spare and the outsider (staked here). */
async function fiveOperatorsFixture(connection: Parameters<typeof deployProtocolFixture>[0]) {
  const p = await deployProtocolFixture(connection);
  await p.staking.connect(p.outsider).stake(OPERATOR_STAKE);
  await p.oracles.setThreshold(3n);
  await p.oracles.connect(p.spareOperator).register();
  await p.oracles.connect(p.outsider).register();
  return { ...p, five: [...p.operators, p.spareOperator, p.outsider] };
}

async function setPolicy(p: Protocol, changes: Partial<ReturnType<typeof defaultPolicy>>): Promise<void> {
  await p.policies.connect(p.governance).setPolicy({ ...defaultPolicy(), ...changes });
}

describe("Audit regressions (issue 13)", function () {
  describe("F-1: lowering k while a round is Closed", function () {
    it("finalizes at the round's snapshotted k and pays at most the operator pool", async function () {
      const p = await loadFixture(fiveOperatorsFixture);
      const other = await closeRoundWithTwoReveals(p); // another sponsor's escrow that must stay whole
      const { roundId, revealsHash } = await closeRoundWithTwoReveals(p);
      const { result } = makeResult(roundId, revealsHash, { [p.alice.address]: parseEther("100") });
      const [a, b, c, d, e] = p.five;
      await attestAll(p, [a!, b!], result);
      // Two operators leave, governance lowers k to 2 (routine), then a third attests.
      await p.oracles.connect(d!).deregister();
      await p.oracles.connect(e!).deregister();
      await p.oracles.setThreshold(2n);
      await attestAll(p, [c!], result);
      const r = await p.rounds.round(roundId);
      expect(r.threshold).to.equal(3n);
      expect(r.attesterCount).to.equal(3n);
      await passChallengeWindow(p, roundId);
      for (const op of [a!, b!, c!]) await p.rounds.claimOperatorReward(roundId, op.address);
      const after = await p.rounds.round(roundId);
      expect(after.operatorClaimed).to.be.lte(after.operatorPool);
      expect(after.operatorClaimed).to.equal((after.operatorPool / 3n) * 3n);
      // The other round still refunds in full, and this round's sweep settles.
      await warpTo(p, (await p.rounds.round(other.roundId)).attestDeadline);
      await p.rounds.markFailed(other.roundId);
      await expect(p.rounds.sweep(other.roundId)).to.emit(p.rounds, "RoundSwept");
      await warpTo(p, after.claimEnd);
      await expect(p.rounds.sweep(roundId)).to.emit(p.rounds, "RoundSwept");
    });

    it("does not finalize with fewer attesters than the snapshotted k after k is lowered", async function () {
      const p = await loadFixture(fiveOperatorsFixture);
      const { roundId, revealsHash } = await closeRoundWithTwoReveals(p);
      const [a, b, , d, e] = p.five;
      await p.oracles.connect(d!).deregister();
      await p.oracles.connect(e!).deregister();
      await p.oracles.setThreshold(2n);
      const { result } = makeResult(roundId, revealsHash, {});
      await attestAll(p, [a!, b!], result);
      expect((await p.rounds.round(roundId)).status).to.equal(2n); // still Closed
    });
  });

  describe("F-2: the model URI", function () {
    it("refuses an attestation relayed with a URI its signer did not sign", async function () {
      const p = await loadFixture(deployProtocolFixture);
      const { roundId, revealsHash } = await closeRoundWithTwoReveals(p);
      const { result } = makeResult(roundId, revealsHash, {});
      const [op0, op1] = p.operators;
      await attestAll(p, [op0!], result);
      const signature = await signResult(p, op1!, result, "ipfs://honest");
      await expect(p.rounds.attest(result, signature, "https://front-runner.example/model")).to.be.revertedWithCustomError(
        p.rounds, "RoundsNotOperator",
      );
      await expect(p.rounds.attest(result, signature, "ipfs://honest"))
        .to.emit(p.models, "ModelVersionAppended")
        .withArgs(2n, result.modelHash, 1n, await p.models.modelVersion(1n).then((v) => v.modelHash), roundId, 1n,
          result.metricsHash, "ipfs://honest");
    });
  });

  describe("F-3: an operator slashed for equivocation", function () {
    it("does not count toward k", async function () {
      const p = await loadFixture(deployProtocolFixture);
      const { roundId, revealsHash } = await closeRoundWithTwoReveals(p);
      const a = makeResult(roundId, revealsHash, {}).result;
      const b = makeResult(roundId, revealsHash, { [p.bob.address]: 1n }).result;
      const [op0, op1, op2] = p.operators;
      await attestAll(p, [op0!], a);
      await p.rounds.reportEquivocation(await signedResult(p, op0!, a), await signedResult(p, op0!, b));
      expect(await p.rounds.attestationCount(roundId, await p.rounds.hashRoundResult(a))).to.equal(0n);
      await attestAll(p, [op1!], a);
      expect((await p.rounds.round(roundId)).status).to.equal(2n); // one valid attestation: still Closed
      await attestAll(p, [op2!], a);
      expect((await p.rounds.round(roundId)).status).to.equal(3n);
    });

    it("is not paid its operator share", async function () {
      const p = await loadFixture(deployProtocolFixture);
      const { roundId, revealsHash } = await closeRoundWithTwoReveals(p);
      const a = makeResult(roundId, revealsHash, {}).result;
      const b = makeResult(roundId, revealsHash, { [p.bob.address]: 1n }).result;
      const [op0, op1] = p.operators;
      await attestAll(p, [op0!, op1!], a);
      await p.rounds.reportEquivocation(await signedResult(p, op0!, a), await signedResult(p, op0!, b));
      await passChallengeWindow(p, roundId);
      await expect(p.rounds.claimOperatorReward(roundId, op0!.address))
        .to.be.revertedWithCustomError(p.rounds, "RoundsNoOperatorReward").withArgs(roundId, op0!.address);
      await expect(p.rounds.claimOperatorReward(roundId, op1!.address)).to.emit(p.rounds, "OperatorRewardClaimed");
    });
  });

  describe("F-4: raising k to admit an operator", function () {
    it("leaves rounds already open at their snapshotted k", async function () {
      const p = await loadFixture(deployProtocolFixture);
      const { roundId, revealsHash } = await closeRoundWithTwoReveals(p);
      await p.oracles.setThreshold(3n);
      await p.oracles.connect(p.spareOperator).register();
      const { result } = makeResult(roundId, revealsHash, {});
      await attestAll(p, p.operators.slice(0, 2), result);
      expect((await p.rounds.round(roundId)).status).to.equal(3n);
    });
  });

  describe("F-5: economic security", function () {
    it("refuses a budget whose pools exceed what the quorum would lose for a wrong result", async function () {
      const p = await loadFixture(deployProtocolFixture);
      // k = 2, minOperatorStake 1000, wrongResultBps 100%: coverage 2000; 90% of the budget is at risk.
      const budget = parseEther("2300");
      await expect(p.rounds.connect(p.sponsor).open(p.token, budget))
        .to.be.revertedWithCustomError(p.rounds, "RoundsBudgetNotCovered").withArgs(parseEther("2070"), parseEther("2000"));
      await expect(p.rounds.connect(p.sponsor).open(p.token, parseEther("2200"))).to.emit(p.rounds, "RoundOpened");
    });

    it("does not count an operator whose lock is below the round's snapshotted minimum stake", async function () {
      const p = await loadFixture(deployProtocolFixture);
      await setPolicy(p, { minOperatorStake: parseEther("1500") });
      const { roundId, revealsHash } = await closeRoundWithTwoReveals(p, parseEther("100"));
      const { result } = makeResult(roundId, revealsHash, {});
      const op0 = p.operators[0]!;
      await expect(p.rounds.attest(result, await signResult(p, op0, result), MODEL_URI))
        .to.be.revertedWithCustomError(p.rounds, "RoundsNotOperator").withArgs(roundId, op0.address);
    });
  });

  describe("equivocation", function () {
    it("slashes at the round's snapshotted rate, not the current policy's", async function () {
      const p = await loadFixture(deployProtocolFixture);
      const { roundId, revealsHash } = await closeRoundWithTwoReveals(p);
      await setPolicy(p, { slashBps: 1000 });
      const a = makeResult(roundId, revealsHash, {}).result;
      const b = makeResult(roundId, revealsHash, { [p.bob.address]: 1n }).result;
      const op = p.operators[2]!;
      await expect(p.rounds.connect(p.outsider).reportEquivocation(await signedResult(p, op, a), await signedResult(p, op, b)))
        .to.emit(p.oracles, "OperatorSlashed")
        .withArgs(op.address, roundId, MIN_OPERATOR_STAKE / 2n, encodeBytes32String("equivocation"), p.outsider.address,
          MIN_OPERATOR_STAKE / 4n);
    });

    it("stays slashable after the exit delay while a round it attested can still be challenged", async function () {
      const p = await loadFixture(deployProtocolFixture);
      await p.oracles.setExitDelay(DAY);
      await setPolicy(p, { challengeWindowSeconds: Number(3n * DAY) });
      const { roundId, revealsHash } = await closeRoundWithTwoReveals(p);
      const a = makeResult(roundId, revealsHash, {}).result;
      const b = makeResult(roundId, revealsHash, { [p.bob.address]: 1n }).result;
      const op = p.operators[0]!;
      await attestAll(p, [op], a);
      await p.oracles.connect(op).deregister();
      await time.increase(DAY + 1n);
      await expect(p.oracles.releaseStake(op.address)).to.be.revertedWithCustomError(p.oracles, "OracleStakeNotReleasable");
      await expect(p.rounds.reportEquivocation(await signedResult(p, op, a), await signedResult(p, op, b)))
        .to.emit(p.oracles, "OperatorSlashed");
    });
  });

  describe("sweep", function () {
    it("pays the part whose transfer succeeds and retries the failed one later", async function () {
      const p = await loadFixture(deployProtocolFixture);
      await setPolicy(p, { remainderTo: 1 });
      const token = await ethers.deployContract("BlocklistToken");
      await token.mint(p.sponsor.address, ROUND_BUDGET);
      await token.connect(p.sponsor).approve(p.rounds, ROUND_BUDGET);
      await p.rounds.connect(p.sponsor).open(token, ROUND_BUDGET);
      const roundId = await p.rounds.roundCount();
      const r = await p.rounds.round(roundId);
      await warpTo(p, r.revealEnd);
      await p.rounds.close(roundId); // no reveals: fails at once, refund to the sponsor
      await token.setBlocked(p.sponsor.address, true);
      await expect(p.rounds.sweep(roundId))
        .to.emit(p.rounds, "SweepTransferFailed").withArgs(roundId, p.sponsor.address, ROUND_BUDGET);
      await token.setBlocked(p.sponsor.address, false);
      await expect(p.rounds.sweep(roundId)).to.emit(token, "Transfer").withArgs(await p.rounds.getAddress(), p.sponsor.address, ROUND_BUDGET);
      await expect(p.rounds.sweep(roundId)).to.be.revertedWithCustomError(p.rounds, "RoundsAlreadySwept").withArgs(roundId);
    });

    it("pays the remainder even when the treasury transfer fails", async function () {
      const p = await loadFixture(deployProtocolFixture);
      await setPolicy(p, { remainderTo: 1 });
      const token = await ethers.deployContract("BlocklistToken");
      await token.mint(p.sponsor.address, ROUND_BUDGET);
      await token.connect(p.sponsor).approve(p.rounds, ROUND_BUDGET);
      await p.rounds.connect(p.sponsor).open(token, ROUND_BUDGET);
      const roundId = await p.rounds.roundCount();
      const round = await p.rounds.round(roundId);
      const updates = [p.alice, p.bob];
      for (const c of updates) {
        await p.rounds.connect(c).commit(roundId, await p.rounds.computeCommitment(roundId, c.address, ethers.id(c.address), ethers.id("s")));
      }
      await warpTo(p, round.commitEnd);
      for (const c of updates) await p.rounds.connect(c).reveal(roundId, ethers.id(c.address), ethers.id("s"), "u");
      await warpTo(p, round.revealEnd);
      await p.rounds.close(roundId);
      const { result } = makeResult(roundId, (await p.rounds.round(roundId)).revealsHash, {});
      await attestAll(p, p.operators.slice(0, 2), result);
      await warpTo(p, (await p.rounds.round(roundId)).claimEnd);
      await token.setBlocked(p.treasury.address, true);
      await expect(p.rounds.sweep(roundId))
        .to.emit(p.rounds, "SweepTransferFailed").withArgs(roundId, p.treasury.address, parseEther("100"))
        .and.to.emit(token, "Transfer").withArgs(await p.rounds.getAddress(), p.sponsor.address, parseEther("900"));
    });
  });
});

import { expect } from "chai";
import { id, parseEther } from "ethers";
import { network } from "hardhat";

import { revealsHash as revealsHashOf } from "../../oracle/protocol/commitments.ts";
import {
  GENESIS_MODEL_HASH, HOUR, ROUND_BUDGET, attestAll, closedRoundFixture, commitUpdate, deployProtocolFixture,
  MODEL_URI, fakeUpdate, makeResult, openRoundFixture, revealUpdate, signResult, signedResult, warpTo,
} from "./fixtures.ts";

const { ethers, networkHelpers } = await network.create();
const { loadFixture, time } = networkHelpers;
const STATUS = { None: 0n, Open: 1n, Closed: 2n, Finalized: 3n, Failed: 4n, Disputed: 5n } as const;
const bit = (s: bigint): string => ethers.toBeHex(1n << s, 32);

describe("Rounds: open, commit, reveal, close", function () {
  describe("open", function () {
    it("test_open_escrowsBudgetAndSnapshotsPolicyAndModel", async function () {
      const { rounds, token, sponsor } = await loadFixture(deployProtocolFixture);
      const now = BigInt(await time.latest()) + 1n;
      await expect(rounds.connect(sponsor).open(token, ROUND_BUDGET))
        .to.emit(rounds, "RoundOpened")
        .withArgs(1n, sponsor.address, await token.getAddress(), ROUND_BUDGET, parseEther("800"), 1n, 1n,
          GENESIS_MODEL_HASH, now + HOUR, now + 2n * HOUR, now + 3n * HOUR);
      const r = await rounds.round(1n);
      expect(r.status).to.equal(STATUS.Open);
      expect(r.funded).to.equal(ROUND_BUDGET);
      expect(r.operatorPool).to.equal(parseEther("100"));
      expect(r.contributorStake).to.equal(parseEther("100"));
      expect(await token.balanceOf(rounds)).to.equal(ROUND_BUDGET);
    });

    it("test_open_creditsWhatArrivedFromFeeOnTransferToken", async function () {
      const { rounds, sponsor } = await loadFixture(deployProtocolFixture);
      const fee = await ethers.deployContract("FeeOnTransferToken", [100n]);
      await fee.mint(sponsor.address, 1000n);
      await fee.connect(sponsor).approve(rounds, 1000n);
      await rounds.connect(sponsor).open(fee, 1000n);
      expect((await rounds.round(1n)).funded).to.equal(990n);
      expect(await fee.balanceOf(rounds)).to.equal(990n);
    });

    it("test_open_revertsWhenNothingArrives", async function () {
      const { rounds, token, sponsor } = await loadFixture(deployProtocolFixture);
      await expect(rounds.connect(sponsor).open(token, 0n)).to.be.revertedWithCustomError(rounds, "RoundsZeroBudget");
    });

    it("test_open_revertsWithoutBaseModel", async function () {
      const { rounds, staking, oracles, policies, token, sponsor } = await loadFixture(deployProtocolFixture);
      const emptyModels = await ethers.deployContract("ModelRegistry", [sponsor.address]);
      const r2 = await ethers.deployContract("Rounds", [staking, oracles, policies, emptyModels, sponsor.address]);
      await expect(r2.connect(sponsor).open(token, 1n)).to.be.revertedWithCustomError(rounds, "RoundsNoBaseModel");
    });
  });

  describe("commit", function () {
    it("test_commit_storesCommitmentAndLocksStake", async function () {
      const { rounds, staking, alice, roundId } = await loadFixture(openRoundFixture);
      const u = fakeUpdate(alice);
      const c = await rounds.computeCommitment(roundId, alice.address, u.updateHash, u.salt);
      await expect(rounds.connect(alice).commit(roundId, c))
        .to.emit(rounds, "Committed").withArgs(roundId, alice.address, c, parseEther("100"))
        .and.to.emit(staking, "StakeLocked").withArgs(alice.address, await rounds.getAddress(), parseEther("100"));
      expect(await rounds.contributionOf(roundId, alice)).to.equal(c);
      expect((await rounds.round(roundId)).commitCount).to.equal(1n);
    });

    it("test_commit_revertsOnReservedCommitment", async function () {
      const { rounds, alice, roundId } = await loadFixture(openRoundFixture);
      const reserved = ethers.toBeHex(2n, 32);
      await expect(rounds.connect(alice).commit(roundId, reserved))
        .to.be.revertedWithCustomError(rounds, "RoundsInvalidCommitment").withArgs(reserved);
    });

    it("test_commit_revertsWhenAlreadyCommitted", async function () {
      const p = await loadFixture(openRoundFixture);
      await commitUpdate(p, p.roundId, fakeUpdate(p.alice));
      await expect(commitUpdate(p, p.roundId, fakeUpdate(p.alice, "again")))
        .to.be.revertedWithCustomError(p.rounds, "RoundsAlreadyCommitted").withArgs(p.roundId, p.alice.address);
    });

    it("test_commit_revertsAfterCommitWindow", async function () {
      const p = await loadFixture(openRoundFixture);
      const r = await p.rounds.round(p.roundId);
      await warpTo(p, r.commitEnd);
      await expect(commitUpdate(p, p.roundId, fakeUpdate(p.alice)))
        .to.be.revertedWithCustomError(p.rounds, "RoundsOutsideWindow").withArgs(p.roundId, r.openedAt, r.commitEnd);
    });

    it("test_commit_revertsForUnknownRound", async function () {
      const { rounds, alice } = await loadFixture(openRoundFixture);
      await expect(rounds.connect(alice).commit(9n, id("c")))
        .to.be.revertedWithCustomError(rounds, "RoundsUnexpectedStatus").withArgs(9n, STATUS.None, bit(STATUS.Open));
    });

    it("test_commit_revertsWithoutFreeStake", async function () {
      const { rounds, staking, outsider, roundId } = await loadFixture(openRoundFixture);
      await expect(rounds.connect(outsider).commit(roundId, id("c")))
        .to.be.revertedWithCustomError(staking, "StakingInsufficientFreeStake").withArgs(outsider.address, 0n, parseEther("100"));
    });
  });

  describe("reveal", function () {
    async function committedFixture(connection: Parameters<typeof openRoundFixture>[0]) {
      const p = await openRoundFixture(connection);
      const u = fakeUpdate(p.alice);
      await commitUpdate(p, p.roundId, u);
      const r = await p.rounds.round(p.roundId);
      return { ...p, u, r };
    }

    it("test_reveal_emitsUriAndAccumulates", async function () {
      const p = await loadFixture(committedFixture);
      await warpTo(p, p.r.commitEnd);
      const acc = revealsHashOf([{ contributor: p.alice.address, updateHash: p.u.updateHash }]);
      await expect(p.rounds.connect(p.alice).reveal(p.roundId, p.u.updateHash, p.u.salt, p.u.uri))
        .to.emit(p.rounds, "Revealed").withArgs(p.roundId, p.alice.address, p.u.updateHash, p.u.uri, 1n, acc);
      expect((await p.rounds.round(p.roundId)).revealsHash).to.equal(acc);
      expect(await p.rounds.contributionOf(p.roundId, p.alice)).to.equal(ethers.toBeHex(1n, 32));
    });

    it("test_reveal_revertsDuringCommitPhase", async function () {
      const p = await loadFixture(committedFixture);
      await expect(revealUpdate(p, p.roundId, p.u))
        .to.be.revertedWithCustomError(p.rounds, "RoundsOutsideWindow").withArgs(p.roundId, p.r.commitEnd, p.r.revealEnd);
    });

    it("test_reveal_revertsOnMismatch", async function () {
      const p = await loadFixture(committedFixture);
      await warpTo(p, p.r.commitEnd);
      await expect(p.rounds.connect(p.alice).reveal(p.roundId, id("other"), p.u.salt, ""))
        .to.be.revertedWithCustomError(p.rounds, "RoundsCommitmentMismatch").withArgs(p.roundId, p.alice.address);
    });

    it("test_reveal_revertsWithoutCommitment", async function () {
      const p = await loadFixture(committedFixture);
      await warpTo(p, p.r.commitEnd);
      await expect(revealUpdate(p, p.roundId, fakeUpdate(p.bob)))
        .to.be.revertedWithCustomError(p.rounds, "RoundsNotCommitted").withArgs(p.roundId, p.bob.address);
      await revealUpdate(p, p.roundId, p.u);
      await expect(revealUpdate(p, p.roundId, p.u))
        .to.be.revertedWithCustomError(p.rounds, "RoundsNotCommitted").withArgs(p.roundId, p.alice.address);
    });
  });

  describe("close", function () {
    it("test_close_emitsAccumulator", async function () {
      const p = await loadFixture(openRoundFixture);
      const updates = [fakeUpdate(p.alice), fakeUpdate(p.bob)];
      for (const u of updates) await commitUpdate(p, p.roundId, u);
      const r = await p.rounds.round(p.roundId);
      await warpTo(p, r.commitEnd);
      for (const u of updates) await revealUpdate(p, p.roundId, u);
      await warpTo(p, r.revealEnd);
      const acc = revealsHashOf(updates.map((u) => ({ contributor: u.contributor.address, updateHash: u.updateHash })));
      await expect(p.rounds.close(p.roundId))
        .to.emit(p.rounds, "RoundClosed").withArgs(p.roundId, 2n, 2n, acc, r.revealEnd + 1n)
        .and.not.to.emit(p.rounds, "RoundFailed");
      expect((await p.rounds.round(p.roundId)).status).to.equal(STATUS.Closed);
    });

    it("test_close_failsRoundWithTooFewReveals", async function () {
      const p = await loadFixture(openRoundFixture);
      const r = await p.rounds.round(p.roundId);
      await warpTo(p, r.revealEnd);
      await expect(p.rounds.close(p.roundId)).to.emit(p.rounds, "RoundFailed").withArgs(p.roundId, 0n, ethers.ZeroHash);
      expect((await p.rounds.round(p.roundId)).status).to.equal(STATUS.Failed);
    });

    it("test_close_revertsBeforeRevealEnd", async function () {
      const p = await loadFixture(openRoundFixture);
      const r = await p.rounds.round(p.roundId);
      await expect(p.rounds.close(p.roundId))
        .to.be.revertedWithCustomError(p.rounds, "RoundsOutsideWindow").withArgs(p.roundId, r.revealEnd, 2n ** 48n - 1n);
    });
  });

  describe("markFailed", function () {
    it("test_markFailed_failsClosedRoundAfterDeadline", async function () {
      const p = await loadFixture(closedRoundFixture);
      const r = await p.rounds.round(p.roundId);
      await warpTo(p, r.attestDeadline);
      await expect(p.rounds.markFailed(p.roundId)).to.emit(p.rounds, "RoundFailed").withArgs(p.roundId, 1n, ethers.ZeroHash);
    });

    it("test_markFailed_revertsBeforeDeadline", async function () {
      const p = await loadFixture(closedRoundFixture);
      const r = await p.rounds.round(p.roundId);
      await expect(p.rounds.markFailed(p.roundId))
        .to.be.revertedWithCustomError(p.rounds, "RoundsOutsideWindow").withArgs(p.roundId, r.attestDeadline, 2n ** 48n - 1n);
    });

    it("test_markFailed_revertsWhenNotClosed", async function () {
      const p = await loadFixture(openRoundFixture);
      await expect(p.rounds.markFailed(p.roundId))
        .to.be.revertedWithCustomError(p.rounds, "RoundsUnexpectedStatus").withArgs(p.roundId, STATUS.Open, bit(STATUS.Closed));
    });
  });

  describe("attest", function () {
    it("test_attest_countsMatchingDigestsAndFinalizesAtThreshold", async function () {
      const p = await loadFixture(closedRoundFixture);
      const { result } = makeResult(p.roundId, p.revealsHash, { [p.alice.address]: parseEther("500") });
      const digest = await p.rounds.hashRoundResult(result);
      const [op0, op1] = p.operators;
      await expect(p.rounds.attest(result, await signResult(p, op0!, result), MODEL_URI))
        .to.emit(p.rounds, "Attested").withArgs(p.roundId, op0!.address, digest, 1n)
        .and.not.to.emit(p.rounds, "RoundFinalized");
      expect(await p.rounds.attestationOf(p.roundId, op0!)).to.equal(digest);
      expect(await p.rounds.attestationCount(p.roundId, digest)).to.equal(1n);
      await expect(p.rounds.attest(result, await signResult(p, op1!, result, "file://m"), "file://m"))
        .to.emit(p.rounds, "RoundFinalized")
        .withArgs(p.roundId, digest, 2n, result.modelHash, result.rewardsRoot, result.totalRewards, result.invalidRoot,
          result.metricsHash, BigInt(await time.latest()) + 1n + HOUR)
        .and.to.emit(p.models, "ModelVersionAppended")
        .withArgs(2n, result.modelHash, 1n, GENESIS_MODEL_HASH, p.roundId, 1n, result.metricsHash, "file://m");
      const r = await p.rounds.round(p.roundId);
      expect(r.status).to.equal(STATUS.Finalized);
      expect(r.resultDigest).to.equal(digest);
      expect(r.attesterCount).to.equal(2n);
    });

    it("test_attest_failsRoundOnSignedFailedResult", async function () {
      const p = await loadFixture(closedRoundFixture);
      const { result, invalidTree } = makeResult(p.roundId, p.revealsHash, {}, { [p.dave.address]: "malformed" }, ethers.ZeroHash);
      await attestAll(p, p.operators.slice(0, 1), result);
      await expect(p.rounds.attest(result, await signResult(p, p.operators[1]!, result), MODEL_URI))
        .to.emit(p.rounds, "RoundFailed").withArgs(p.roundId, 2n, invalidTree.root);
      expect((await p.rounds.round(p.roundId)).status).to.equal(STATUS.Failed);
    });

    it("test_attest_revertsOnSecondAttestationOfOperator", async function () {
      const p = await loadFixture(closedRoundFixture);
      const a = makeResult(p.roundId, p.revealsHash, {}).result;
      const b = makeResult(p.roundId, p.revealsHash, { [p.bob.address]: 1n }).result;
      const op = p.operators[0]!;
      await p.rounds.attest(a, await signResult(p, op, a), MODEL_URI);
      await expect(p.rounds.attest(b, await signResult(p, op, b), MODEL_URI))
        .to.be.revertedWithCustomError(p.rounds, "RoundsAlreadyAttested").withArgs(p.roundId, op.address);
    });

    it("test_attest_revertsForNonOperator", async function () {
      const p = await loadFixture(closedRoundFixture);
      const { result } = makeResult(p.roundId, p.revealsHash, {});
      await expect(p.rounds.attest(result, await signResult(p, p.outsider, result), MODEL_URI))
        .to.be.revertedWithCustomError(p.rounds, "RoundsNotOperator").withArgs(p.roundId, p.outsider.address);
    });

    it("test_attest_revertsForOperatorRegisteredAfterOpen", async function () {
      const p = await loadFixture(closedRoundFixture);
      await p.oracles.setThreshold(3n);
      await p.oracles.connect(p.spareOperator).register();
      const { result } = makeResult(p.roundId, p.revealsHash, {});
      await expect(p.rounds.attest(result, await signResult(p, p.spareOperator, result), MODEL_URI))
        .to.be.revertedWithCustomError(p.rounds, "RoundsNotOperator").withArgs(p.roundId, p.spareOperator.address);
    });

    it("test_attest_revertsOnRevealsMismatch", async function () {
      const p = await loadFixture(closedRoundFixture);
      const { result } = makeResult(p.roundId, id("stale"), {});
      await expect(p.rounds.attest(result, await signResult(p, p.operators[0]!, result), MODEL_URI))
        .to.be.revertedWithCustomError(p.rounds, "RoundsRevealsMismatch").withArgs(p.roundId, id("stale"), p.revealsHash);
    });

    it("test_attest_revertsWhenRewardsExceedPool", async function () {
      const p = await loadFixture(closedRoundFixture);
      const { result } = makeResult(p.roundId, p.revealsHash, { [p.alice.address]: parseEther("801") });
      await expect(p.rounds.attest(result, await signResult(p, p.operators[0]!, result), MODEL_URI))
        .to.be.revertedWithCustomError(p.rounds, "RoundsInvalidResult").withArgs(p.roundId, parseEther("801"), parseEther("800"));
    });

    it("test_attest_revertsOnFailedResultWithRewards", async function () {
      const p = await loadFixture(closedRoundFixture);
      const { result } = makeResult(p.roundId, p.revealsHash, { [p.alice.address]: 1n }, {}, ethers.ZeroHash);
      await expect(p.rounds.attest(result, await signResult(p, p.operators[0]!, result), MODEL_URI))
        .to.be.revertedWithCustomError(p.rounds, "RoundsInvalidResult").withArgs(p.roundId, 1n, parseEther("800"));
    });

    it("test_attest_revertsAfterDeadline", async function () {
      const p = await loadFixture(closedRoundFixture);
      const r = await p.rounds.round(p.roundId);
      await warpTo(p, r.attestDeadline);
      const { result } = makeResult(p.roundId, p.revealsHash, {});
      await expect(p.rounds.attest(result, await signResult(p, p.operators[0]!, result), MODEL_URI))
        .to.be.revertedWithCustomError(p.rounds, "RoundsOutsideWindow").withArgs(p.roundId, r.revealEnd, r.attestDeadline);
    });

    it("test_attest_revertsWhenNotClosed", async function () {
      const p = await loadFixture(openRoundFixture);
      const { result } = makeResult(p.roundId, ethers.ZeroHash, {});
      await expect(p.rounds.attest(result, await signResult(p, p.operators[0]!, result), MODEL_URI))
        .to.be.revertedWithCustomError(p.rounds, "RoundsUnexpectedStatus").withArgs(p.roundId, STATUS.Open, bit(STATUS.Closed));
    });
  });

  describe("reportEquivocation", function () {
    it("test_reportEquivocation_slashesOperator", async function () {
      const p = await loadFixture(closedRoundFixture);
      const a = makeResult(p.roundId, p.revealsHash, {}).result;
      const b = makeResult(p.roundId, p.revealsHash, { [p.bob.address]: 1n }).result;
      const op = p.operators[2]!;
      await expect(p.rounds.connect(p.outsider).reportEquivocation(await signedResult(p, op, a), await signedResult(p, op, b)))
        .to.emit(p.oracles, "OperatorSlashed")
        .withArgs(op.address, p.roundId, parseEther("500"), ethers.encodeBytes32String("equivocation"), p.outsider.address,
          parseEther("250"));
    });

    it("test_reportEquivocation_revertsOnSameDigest", async function () {
      const p = await loadFixture(closedRoundFixture);
      const a = makeResult(p.roundId, p.revealsHash, {}).result;
      const op = p.operators[0]!;
      const signed = await signedResult(p, op, a);
      await expect(p.rounds.reportEquivocation(signed, signed)).to.be.revertedWithCustomError(p.rounds, "RoundsNotEquivocation");
    });

    it("test_reportEquivocation_revertsOnDifferentRounds", async function () {
      const p = await loadFixture(closedRoundFixture);
      const a = makeResult(p.roundId, p.revealsHash, {}).result;
      const b = { ...a, roundId: p.roundId + 1n };
      const op = p.operators[0]!;
      await expect(p.rounds.reportEquivocation(await signedResult(p, op, a), await signedResult(p, op, b)))
        .to.be.revertedWithCustomError(p.rounds, "RoundsNotEquivocation");
    });

    it("test_reportEquivocation_revertsOnDifferentSigners", async function () {
      const p = await loadFixture(closedRoundFixture);
      const a = makeResult(p.roundId, p.revealsHash, {}).result;
      const b = makeResult(p.roundId, p.revealsHash, { [p.bob.address]: 1n }).result;
      const [op0, op1] = p.operators;
      await expect(p.rounds.reportEquivocation(await signedResult(p, op0!, a), await signedResult(p, op1!, b)))
        .to.be.revertedWithCustomError(p.rounds, "RoundsNotEquivocation");
    });
  });
});

import { expect } from "chai";
import { encodeBytes32String, parseEther } from "ethers";
import { network } from "hardhat";

import {
  attestAll, claimableRoundFixture, closedRoundFixture, commitUpdate, defaultPolicy, deployProtocolFixture, fakeUpdate,
  passChallengeWindow,
  makeResult, openRound, revealUpdate, warpTo,
} from "./fixtures.ts";

const { ethers, networkHelpers } = await network.create();
const { loadFixture } = networkHelpers;
const STATUS = { None: 0n, Open: 1n, Closed: 2n, Finalized: 3n, Failed: 4n } as const;
const bit = (s: bigint): string => ethers.toBeHex(1n << s, 32);
const ended = ethers.toBeHex((1n << STATUS.Finalized) | (1n << STATUS.Failed), 32);
const STAKE = parseEther("100");
const SLASHED = parseEther("50");

describe("Rounds: claims, payouts, slashing", function () {
  describe("claim", function () {
    it("test_claim_paysLeafOnce", async function () {
      const p = await loadFixture(claimableRoundFixture);
      const c = p.tree.claims.get(p.alice.address)!;
      await expect(p.rounds.connect(p.outsider).claim(p.roundId, c.account, c.amount, c.proof))
        .to.emit(p.rounds, "RewardClaimed").withArgs(p.roundId, p.alice.address, c.amount)
        .and.to.emit(p.token, "Transfer").withArgs(await p.rounds.getAddress(), p.alice.address, c.amount);
      expect(await p.rounds.isClaimed(p.roundId, p.alice)).to.equal(true);
      expect((await p.rounds.round(p.roundId)).claimedRewards).to.equal(c.amount);
      await expect(p.rounds.claim(p.roundId, c.account, c.amount, c.proof))
        .to.be.revertedWithCustomError(p.rounds, "RoundsAlreadyClaimed").withArgs(p.roundId, p.alice.address);
    });

    it("test_claim_revertsOnInvalidProof", async function () {
      const p = await loadFixture(claimableRoundFixture);
      const c = p.tree.claims.get(p.alice.address)!;
      await expect(p.rounds.claim(p.roundId, c.account, c.amount + 1n, c.proof))
        .to.be.revertedWithCustomError(p.rounds, "RoundsInvalidProof").withArgs(p.roundId, p.alice.address);
    });

    it("test_claim_revertsAfterClaimWindow", async function () {
      const p = await loadFixture(claimableRoundFixture);
      const r = await p.rounds.round(p.roundId);
      await warpTo(p, r.claimEnd);
      const c = p.tree.claims.get(p.alice.address)!;
      await expect(p.rounds.claim(p.roundId, c.account, c.amount, c.proof))
        .to.be.revertedWithCustomError(p.rounds, "RoundsOutsideWindow")
        .withArgs(p.roundId, r.claimEnd - r.claimWindowSeconds, r.claimEnd);
    });

    it("test_claim_revertsWhenNotFinalized", async function () {
      const p = await loadFixture(closedRoundFixture);
      await expect(p.rounds.claim(p.roundId, p.alice.address, 1n, []))
        .to.be.revertedWithCustomError(p.rounds, "RoundsUnexpectedStatus").withArgs(p.roundId, STATUS.Closed, bit(STATUS.Finalized));
    });

    it("test_claim_revertsWhenTreeOverpaysTotal", async function () {
      // k colluding operators sign a tree whose leaves sum above totalRewards: payouts stay capped.
      const p = await loadFixture(closedRoundFixture);
      const built = makeResult(p.roundId, p.revealsHash, { [p.alice.address]: parseEther("500"), [p.bob.address]: parseEther("300") });
      const result = { ...built.result, totalRewards: parseEther("600") };
      await attestAll(p, p.operators.slice(0, 2), result);
      await passChallengeWindow(p, p.roundId);
      const a = built.tree.claims.get(p.alice.address)!;
      const b = built.tree.claims.get(p.bob.address)!;
      await p.rounds.claim(p.roundId, a.account, a.amount, a.proof);
      await expect(p.rounds.claim(p.roundId, b.account, b.amount, b.proof))
        .to.be.revertedWithCustomError(p.rounds, "RoundsClaimExceedsTotal").withArgs(p.roundId, b.amount, parseEther("100"));
    });
  });

  describe("claimOperatorReward", function () {
    it("test_claimOperatorReward_paysAttesterShare", async function () {
      const p = await loadFixture(claimableRoundFixture);
      const op = p.operators[0]!;
      await expect(p.rounds.claimOperatorReward(p.roundId, op.address))
        .to.emit(p.rounds, "OperatorRewardClaimed").withArgs(p.roundId, op.address, parseEther("50"));
      await expect(p.rounds.claimOperatorReward(p.roundId, op.address))
        .to.be.revertedWithCustomError(p.rounds, "RoundsNoOperatorReward").withArgs(p.roundId, op.address);
    });

    it("test_claimOperatorReward_revertsForNonAttester", async function () {
      const p = await loadFixture(claimableRoundFixture);
      const op = p.operators[2]!;
      await expect(p.rounds.claimOperatorReward(p.roundId, op.address))
        .to.be.revertedWithCustomError(p.rounds, "RoundsNoOperatorReward").withArgs(p.roundId, op.address);
    });
  });

  describe("sweep", function () {
    it("test_sweep_sendsTreasuryShareAndRemainderAfterClaimWindow", async function () {
      const p = await loadFixture(claimableRoundFixture);
      const c = p.tree.claims.get(p.alice.address)!;
      await p.rounds.claim(p.roundId, c.account, c.amount, c.proof);
      await p.rounds.claimOperatorReward(p.roundId, p.operators[0]!.address);
      const r = await p.rounds.round(p.roundId);
      await warpTo(p, r.claimEnd);
      // funded 1000: treasury share 100; claimed 600 + 50; remainder 250 (bob's 150, dust 50, op1's 50).
      await expect(p.rounds.sweep(p.roundId))
        .to.emit(p.rounds, "RoundSwept")
        .withArgs(p.roundId, p.treasury.address, parseEther("100"), p.treasury.address, parseEther("250"));
      expect(await p.token.balanceOf(p.rounds)).to.equal(0n);
      await expect(p.rounds.sweep(p.roundId)).to.be.revertedWithCustomError(p.rounds, "RoundsAlreadySwept").withArgs(p.roundId);
    });

    it("test_sweep_sendsRemainderToSponsorWhenPolicySaysSo", async function () {
      const p = await loadFixture(deployProtocolFixture);
      await p.policies.connect(p.governance).setPolicy({ ...defaultPolicy(), remainderTo: 1, minContributors: 1 });
      const roundId = await openRound(p);
      const u = fakeUpdate(p.alice);
      await commitUpdate(p, roundId, u);
      let r = await p.rounds.round(roundId);
      await warpTo(p, r.commitEnd);
      await revealUpdate(p, roundId, u);
      await warpTo(p, r.revealEnd);
      r = await p.rounds.round(roundId);
      await p.rounds.close(roundId);
      const { result } = makeResult(roundId, r.revealsHash, {});
      await attestAll(p, p.operators.slice(0, 2), result);
      r = await p.rounds.round(roundId);
      await warpTo(p, r.claimEnd);
      await expect(p.rounds.sweep(roundId))
        .to.emit(p.rounds, "RoundSwept")
        .withArgs(roundId, p.treasury.address, parseEther("100"), p.sponsor.address, parseEther("900"));
    });

    it("test_sweep_refundsFailedRoundToSponsor", async function () {
      const p = await loadFixture(closedRoundFixture);
      await warpTo(p, (await p.rounds.round(p.roundId)).attestDeadline);
      await p.rounds.markFailed(p.roundId);
      await expect(p.rounds.sweep(p.roundId))
        .to.emit(p.rounds, "RoundSwept").withArgs(p.roundId, p.treasury.address, 0n, p.sponsor.address, parseEther("1000"))
        .and.to.emit(p.token, "Transfer").withArgs(await p.rounds.getAddress(), p.sponsor.address, parseEther("1000"));
    });

    it("test_sweep_revertsDuringClaimWindow", async function () {
      const p = await loadFixture(claimableRoundFixture);
      const r = await p.rounds.round(p.roundId);
      await expect(p.rounds.sweep(p.roundId))
        .to.be.revertedWithCustomError(p.rounds, "RoundsOutsideWindow").withArgs(p.roundId, r.claimEnd, 2n ** 48n - 1n);
    });

    it("test_sweep_revertsForRunningRound", async function () {
      const p = await loadFixture(closedRoundFixture);
      await expect(p.rounds.sweep(p.roundId))
        .to.be.revertedWithCustomError(p.rounds, "RoundsUnexpectedStatus").withArgs(p.roundId, STATUS.Closed, ended);
    });
  });

  describe("contributor settlement", function () {
    it("test_slashNonRevealer_slashesAndReleasesRest", async function () {
      const p = await loadFixture(closedRoundFixture);
      const tag = encodeBytes32String("non-reveal");
      await expect(p.rounds.connect(p.outsider).slashNonRevealer(p.roundId, p.carol.address))
        .to.emit(p.rounds, "ContributorSlashed").withArgs(p.roundId, p.carol.address, SLASHED, 0n)
        .and.to.emit(p.rounds, "ContributorStakeReleased").withArgs(p.roundId, p.carol.address, STAKE - SLASHED)
        .and.to.emit(p.staking, "Slashed").withArgs(p.carol.address, await p.rounds.getAddress(), SLASHED, tag, p.treasury.address);
      expect(await p.staking.lockedOf(p.carol)).to.equal(0n);
      await expect(p.rounds.slashNonRevealer(p.roundId, p.carol.address))
        .to.be.revertedWithCustomError(p.rounds, "RoundsContributionNotSettleable").withArgs(p.roundId, p.carol.address);
    });

    it("test_slashNonRevealer_revertsForRevealer", async function () {
      const p = await loadFixture(closedRoundFixture);
      await expect(p.rounds.slashNonRevealer(p.roundId, p.alice.address))
        .to.be.revertedWithCustomError(p.rounds, "RoundsContributionNotSettleable").withArgs(p.roundId, p.alice.address);
    });

    it("test_slashNonRevealer_revertsBeforeClose", async function () {
      const p = await loadFixture(deployProtocolFixture);
      const roundId = await openRound(p);
      const allowed = ethers.toBeHex((1n << STATUS.Closed) | (1n << STATUS.Finalized) | (1n << STATUS.Failed), 32);
      await expect(p.rounds.slashNonRevealer(roundId, p.carol.address))
        .to.be.revertedWithCustomError(p.rounds, "RoundsUnexpectedStatus").withArgs(roundId, STATUS.Open, allowed);
    });

    it("test_slashInvalid_slashesListedContributor", async function () {
      const p = await loadFixture(claimableRoundFixture);
      const { reason, proof } = p.invalidTree.proofs.get(p.dave.address)!;
      await expect(p.rounds.slashInvalid(p.roundId, p.dave.address, reason, proof))
        .to.emit(p.rounds, "ContributorSlashed").withArgs(p.roundId, p.dave.address, SLASHED, 4n);
      expect(await p.staking.lockedOf(p.dave)).to.equal(0n);
      expect(await p.staking.bondedOf(p.dave)).to.equal(parseEther("1000") - SLASHED);
    });

    it("test_slashInvalid_revertsOnWrongReasonOrProof", async function () {
      const p = await loadFixture(claimableRoundFixture);
      const { proof } = p.invalidTree.proofs.get(p.dave.address)!;
      await expect(p.rounds.slashInvalid(p.roundId, p.dave.address, 3, proof))
        .to.be.revertedWithCustomError(p.rounds, "RoundsInvalidProof").withArgs(p.roundId, p.dave.address);
      await expect(p.rounds.slashInvalid(p.roundId, p.dave.address, 0, proof))
        .to.be.revertedWithCustomError(p.rounds, "RoundsInvalidReason").withArgs(0);
      await expect(p.rounds.slashInvalid(p.roundId, p.dave.address, 5, proof))
        .to.be.revertedWithCustomError(p.rounds, "RoundsInvalidReason").withArgs(5);
    });

    it("test_slashInvalid_revertsWhenNotRevealed", async function () {
      const p = await loadFixture(claimableRoundFixture);
      await expect(p.rounds.slashInvalid(p.roundId, p.carol.address, 4, []))
        .to.be.revertedWithCustomError(p.rounds, "RoundsContributionNotSettleable").withArgs(p.roundId, p.carol.address);
    });

    it("test_releaseStake_unlocksRevealerOneWindowAfterChallengeWindow", async function () {
      // The result lists an invalid contributor, so revealers wait one more window (in which it can be slashed).
      const p = await loadFixture(claimableRoundFixture);
      const r = await p.rounds.round(p.roundId);
      const releaseAt = r.challengeEnd + r.challengeWindowSeconds;
      await expect(p.rounds.releaseStake(p.roundId, p.alice.address))
        .to.be.revertedWithCustomError(p.rounds, "RoundsOutsideWindow").withArgs(p.roundId, releaseAt, 2n ** 48n - 1n);
      await warpTo(p, releaseAt);
      await expect(p.rounds.releaseStake(p.roundId, p.alice.address))
        .to.emit(p.rounds, "ContributorStakeReleased").withArgs(p.roundId, p.alice.address, STAKE)
        .and.to.emit(p.staking, "StakeUnlocked").withArgs(p.alice.address, await p.rounds.getAddress(), STAKE);
      await expect(p.rounds.releaseStake(p.roundId, p.alice.address))
        .to.be.revertedWithCustomError(p.rounds, "RoundsContributionNotSettleable").withArgs(p.roundId, p.alice.address);
    });

    it("test_releaseStake_immediateAfterNoQuorumFailure", async function () {
      const p = await loadFixture(closedRoundFixture);
      await warpTo(p, (await p.rounds.round(p.roundId)).attestDeadline);
      await p.rounds.markFailed(p.roundId);
      await expect(p.rounds.releaseStake(p.roundId, p.alice.address)).to.emit(p.rounds, "ContributorStakeReleased");
    });

    it("test_releaseStake_revertsWhileRoundRuns", async function () {
      const p = await loadFixture(closedRoundFixture);
      await expect(p.rounds.releaseStake(p.roundId, p.alice.address))
        .to.be.revertedWithCustomError(p.rounds, "RoundsUnexpectedStatus").withArgs(p.roundId, STATUS.Closed, ended);
    });
  });
});

// The optimistic challenge window: disputes with a bond, frozen rounds, resolution by the resolver (the timelock in
// production, a signer here), upheld (void, slash, refund or re-finalize) and rejected (bond to the treasury).
import { expect } from "chai";
import { encodeBytes32String, parseEther } from "ethers";
import { network } from "hardhat";

import {
  ascending, attestAll, closeRoundWithTwoReveals, deployProtocolFixture, makeResult, passChallengeWindow,
  warpTo,
} from "./fixtures.ts";

const { ethers, networkHelpers } = await network.create();
const { loadFixture, time } = networkHelpers;
const STATUS = { Closed: 2n, Finalized: 3n, Failed: 4n, Disputed: 5n } as const;
const BOND = parseEther("100");
const OPERATOR_LOCK = parseEther("1000");
const WRONG_RESULT = encodeBytes32String("wrong-result");

/** A round finalized by operators 0 and 1 with a (wrong) result paying alice the whole pool; inside its window. */
async function wrongResultFixture(connection: Parameters<typeof deployProtocolFixture>[0]) {
  const p = await deployProtocolFixture(connection);
  const { roundId, revealsHash } = await closeRoundWithTwoReveals(p);
  const wrong = makeResult(roundId, revealsHash, { [p.alice.address]: parseEther("800") });
  const right = makeResult(roundId, revealsHash, { [p.alice.address]: parseEther("400"), [p.bob.address]: parseEther("400") });
  const signers = p.operators.slice(0, 2);
  await attestAll(p, signers, wrong.result);
  await p.token.connect(p.outsider).approve(p.rounds, ethers.MaxUint256);
  return { ...p, roundId, revealsHash, wrong, right, signers };
}

/** The wrong result disputed by the outsider. */
async function disputedFixture(connection: Parameters<typeof deployProtocolFixture>[0]) {
  const p = await wrongResultFixture(connection);
  await p.rounds.connect(p.outsider).dispute(p.roundId, ascending(p.signers));
  return p;
}

describe("Rounds: disputes", function () {
  describe("dispute", function () {
    it("freezes the round, the signers' stakes and takes the bond", async function () {
      const p = await loadFixture(wrongResultFixture);
      const digest = await p.rounds.hashRoundResult(p.wrong.result);
      await expect(p.rounds.connect(p.outsider).dispute(p.roundId, ascending(p.signers)))
        .to.emit(p.rounds, "RoundDisputed").withArgs(p.roundId, p.outsider.address, digest, BOND, ascending(p.signers))
        .and.to.emit(p.token, "Transfer").withArgs(p.outsider.address, await p.rounds.getAddress(), BOND);
      expect((await p.rounds.round(p.roundId)).status).to.equal(STATUS.Disputed);
      expect((await p.oracles.operatorInfo(p.signers[0]!)).frozen).to.equal(1n);
      const d = await p.rounds.disputeOf(p.roundId);
      expect([d.challenger, d.status, d.digest]).to.deep.equal([p.outsider.address, 1n, digest]);
    });

    it("blocks claims while the round is frozen", async function () {
      const p = await loadFixture(disputedFixture);
      await passChallengeWindow(p, p.roundId);
      const c = p.wrong.tree.claims.get(p.alice.address)!;
      await expect(p.rounds.claim(p.roundId, c.account, c.amount, c.proof))
        .to.be.revertedWithCustomError(p.rounds, "RoundsUnexpectedStatus");
      await expect(p.rounds.claimOperatorReward(p.roundId, p.signers[0]!.address))
        .to.be.revertedWithCustomError(p.rounds, "RoundsUnexpectedStatus");
    });

    it("refuses claims inside the challenge window", async function () {
      const p = await loadFixture(wrongResultFixture);
      const r = await p.rounds.round(p.roundId);
      const c = p.wrong.tree.claims.get(p.alice.address)!;
      await expect(p.rounds.claim(p.roundId, c.account, c.amount, c.proof))
        .to.be.revertedWithCustomError(p.rounds, "RoundsOutsideWindow").withArgs(p.roundId, r.challengeEnd, r.claimEnd);
    });

    it("refuses a dispute after the window", async function () {
      const p = await loadFixture(wrongResultFixture);
      const r = await p.rounds.round(p.roundId);
      await passChallengeWindow(p, p.roundId);
      await expect(p.rounds.connect(p.outsider).dispute(p.roundId, ascending(p.signers)))
        .to.be.revertedWithCustomError(p.rounds, "RoundsChallengeWindowClosed").withArgs(p.roundId, r.challengeEnd);
    });

    it("refuses a second dispute of the same result", async function () {
      const p = await loadFixture(disputedFixture);
      await expect(p.rounds.connect(p.outsider).dispute(p.roundId, ascending(p.signers)))
        .to.be.revertedWithCustomError(p.rounds, "RoundsUnexpectedStatus");
      await p.rounds.connect(p.governance).resolveDispute(p.roundId, false);
      await expect(p.rounds.connect(p.outsider).dispute(p.roundId, ascending(p.signers)))
        .to.be.revertedWithCustomError(p.rounds, "RoundsChallengeWindowClosed");
    });

    it("refuses a signer list that is not exactly the result's attesters, ascending", async function () {
      const p = await loadFixture(wrongResultFixture);
      const [lo, hi] = ascending(p.signers);
      for (const list of [[lo!], [hi!, lo!], [lo!, lo!], ascending([p.signers[0]!, p.operators[2]!])]) {
        await expect(p.rounds.connect(p.outsider).dispute(p.roundId, list))
          .to.be.revertedWithCustomError(p.rounds, "RoundsInvalidSigners").withArgs(p.roundId);
      }
    });

    it("refuses a round without a signed result", async function () {
      const p = await loadFixture(deployProtocolFixture);
      const { roundId } = await closeRoundWithTwoReveals(p);
      await warpTo(p, (await p.rounds.round(roundId)).attestDeadline);
      await p.rounds.markFailed(roundId);
      await expect(p.rounds.dispute(roundId, [])).to.be.revertedWithCustomError(p.rounds, "RoundsNothingToDispute").withArgs(roundId);
    });
  });

  describe("resolveDispute", function () {
    it("is refused to anyone but the resolver", async function () {
      const p = await loadFixture(disputedFixture);
      await expect(p.rounds.connect(p.outsider).resolveDispute(p.roundId, true))
        .to.be.revertedWithCustomError(p.rounds, "RoundsNotResolver").withArgs(p.outsider.address);
    });

    it("upheld: slashes every signer, pays the challenger, voids the model and reopens the round", async function () {
      const p = await loadFixture(disputedFixture);
      const before = await p.token.balanceOf(p.outsider.address);
      const now = BigInt(await time.latest()) + 1n;
      const tx = p.rounds.connect(p.governance).resolveDispute(p.roundId, true);
      await expect(tx).to.emit(p.rounds, "DisputeResolved")
        .withArgs(p.roundId, true, 2n * OPERATOR_LOCK, OPERATOR_LOCK, now + 7200n);
      for (const s of p.signers) {
        await expect(tx).to.emit(p.oracles, "OperatorSlashed")
          .withArgs(s.address, p.roundId, OPERATOR_LOCK, WRONG_RESULT, p.outsider.address, OPERATOR_LOCK / 2n);
      }
      await expect(tx).to.emit(p.models, "ModelVersionVoided").withArgs(2n, p.roundId);
      // Bond back plus half of what was slashed.
      expect(await p.token.balanceOf(p.outsider.address)).to.equal(before + BOND + OPERATOR_LOCK);
      expect(await p.models.latestVersion()).to.equal(1n);
      const r = await p.rounds.round(p.roundId);
      expect(r.status).to.equal(STATUS.Closed);
      expect(r.eligibleAt).to.equal(now + 3600n); // a registration period for the freed slots
      expect(r.attestDeadline).to.equal(now + 7200n);
      expect(await p.oracles.isOperator(p.signers[0]!)).to.equal(false);
    });

    it("upheld: the void result can never count again", async function () {
      const p = await loadFixture(disputedFixture);
      await p.rounds.connect(p.governance).resolveDispute(p.roundId, true);
      await warpTo(p, (await p.rounds.round(p.roundId)).eligibleAt);
      const digest = await p.rounds.hashRoundResult(p.wrong.result);
      await expect(attestAll(p, [p.operators[2]!], p.wrong.result))
        .to.be.revertedWithCustomError(p.rounds, "RoundsResultVoided").withArgs(p.roundId, digest);
    });

    it("upheld: a new quorum re-finalizes the round with the right result", async function () {
      const p = await loadFixture(disputedFixture);
      await p.rounds.connect(p.governance).resolveDispute(p.roundId, true);
      await p.oracles.connect(p.spareOperator).register(); // two slots are free after the slash
      await expect(attestAll(p, [p.operators[2]!], p.right.result)).to.be.revertedWithCustomError(p.rounds, "RoundsOutsideWindow");
      await warpTo(p, (await p.rounds.round(p.roundId)).eligibleAt);
      await attestAll(p, [p.operators[2]!, p.spareOperator], p.right.result);
      const r = await p.rounds.round(p.roundId);
      expect(r.status).to.equal(STATUS.Finalized);
      expect(r.resultDigest).to.equal(await p.rounds.hashRoundResult(p.right.result));
      await passChallengeWindow(p, p.roundId);
      const c = p.right.tree.claims.get(p.bob.address)!;
      await expect(p.rounds.claim(p.roundId, c.account, c.amount, c.proof)).to.emit(p.rounds, "RewardClaimed");
      await expect(p.rounds.claimOperatorReward(p.roundId, p.signers[0]!.address))
        .to.be.revertedWithCustomError(p.rounds, "RoundsNoOperatorReward");
    });

    it("upheld: without a new quorum the round fails and refunds the sponsor", async function () {
      const p = await loadFixture(disputedFixture);
      await p.rounds.connect(p.governance).resolveDispute(p.roundId, true);
      await warpTo(p, (await p.rounds.round(p.roundId)).attestDeadline);
      await p.rounds.markFailed(p.roundId);
      const r = await p.rounds.round(p.roundId);
      await expect(p.rounds.sweep(p.roundId))
        .to.emit(p.token, "Transfer").withArgs(await p.rounds.getAddress(), p.sponsor.address, r.funded);
    });

    it("rejected: the bond goes to the treasury and the result stands with its windows extended", async function () {
      const p = await loadFixture(disputedFixture);
      const before = await p.rounds.round(p.roundId);
      await time.increase(1800n);
      await expect(p.rounds.connect(p.governance).resolveDispute(p.roundId, false))
        .to.emit(p.rounds, "DisputeResolved").withArgs(p.roundId, false, 0n, 0n, 0n)
        .and.to.emit(p.token, "Transfer").withArgs(await p.rounds.getAddress(), p.treasury.address, BOND);
      const r = await p.rounds.round(p.roundId);
      expect(r.status).to.equal(STATUS.Finalized);
      expect(r.claimEnd).to.be.gt(before.claimEnd);
      expect((await p.oracles.operatorInfo(p.signers[0]!)).frozen).to.equal(0n);
      const c = p.wrong.tree.claims.get(p.alice.address)!;
      await expect(p.rounds.claim(p.roundId, c.account, c.amount, c.proof)).to.emit(p.rounds, "RewardClaimed");
    });

    it("upheld on a signed failed result: the round reopens instead of refunding", async function () {
      const p = await loadFixture(deployProtocolFixture);
      const { roundId, revealsHash } = await closeRoundWithTwoReveals(p);
      const failed = makeResult(roundId, revealsHash, {}, { [p.bob.address]: "norm" }, ethers.ZeroHash);
      await attestAll(p, p.operators.slice(0, 2), failed.result);
      expect((await p.rounds.round(roundId)).status).to.equal(STATUS.Failed);
      await expect(p.rounds.sweep(roundId)).to.be.revertedWithCustomError(p.rounds, "RoundsOutsideWindow");
      await p.token.connect(p.outsider).approve(p.rounds, ethers.MaxUint256);
      await p.rounds.connect(p.outsider).dispute(roundId, ascending(p.operators.slice(0, 2)));
      await p.rounds.connect(p.governance).resolveDispute(roundId, true);
      expect((await p.rounds.round(roundId)).status).to.equal(STATUS.Closed);
    });
  });
});

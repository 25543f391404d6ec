import { expect } from "chai";
import { encodeBytes32String, parseEther } from "ethers";
import { network } from "hardhat";

import { CONTRIBUTOR_STAKE, UNBONDING_SECONDS, deployProtocolFixture } from "./fixtures.ts";

const { ethers, networkHelpers } = await network.create();
const { loadFixture, time } = networkHelpers;

describe("Staking", function () {
  describe("stake", function () {
    it("test_stake_creditsBondedStakeAndVotes", async function () {
      const { staking, token, outsider } = await loadFixture(deployProtocolFixture);
      const amount = parseEther("50");
      await expect(staking.connect(outsider).stake(amount))
        .to.emit(staking, "Staked").withArgs(outsider.address, amount, amount);
      expect(await staking.bondedOf(outsider)).to.equal(amount);
      expect(await staking.stakeOf(outsider)).to.equal(amount);
      expect(await staking.getVotes(outsider)).to.equal(amount);
      expect(await staking.delegates(outsider)).to.equal(outsider.address);
      expect(await token.balanceOf(staking)).to.equal(await staking.totalStaked());
    });

    it("test_stake_followsTokenDelegateOnFirstStake", async function () {
      const { staking, token, outsider, alice } = await loadFixture(deployProtocolFixture);
      await token.connect(outsider).delegate(alice.address);
      await staking.connect(outsider).stake(parseEther("5"));
      expect(await staking.delegates(outsider)).to.equal(alice.address);
    });

    it("test_stake_revertsWhenZero", async function () {
      const { staking, outsider } = await loadFixture(deployProtocolFixture);
      await expect(staking.connect(outsider).stake(0n)).to.be.revertedWithCustomError(staking, "StakingZeroAmount");
    });
  });

  describe("requestUnstake and withdraw", function () {
    it("test_requestUnstake_movesFreeStakeToUnbonding", async function () {
      const { staking, alice } = await loadFixture(deployProtocolFixture);
      const amount = parseEther("10");
      const releaseAt = BigInt(await time.latest()) + 1n + UNBONDING_SECONDS;
      await expect(staking.connect(alice).requestUnstake(amount))
        .to.emit(staking, "UnstakeRequested").withArgs(alice.address, amount, releaseAt);
      expect(await staking.bondedOf(alice)).to.equal(CONTRIBUTOR_STAKE - amount);
      expect(await staking.stakeOf(alice)).to.equal(CONTRIBUTOR_STAKE);
      expect((await staking.unbondingOf(alice)).amount).to.equal(amount);
      expect(await staking.getVotes(alice)).to.equal(CONTRIBUTOR_STAKE);
    });

    it("test_requestUnstake_revertsWhenZero", async function () {
      const { staking, alice } = await loadFixture(deployProtocolFixture);
      await expect(staking.connect(alice).requestUnstake(0n)).to.be.revertedWithCustomError(staking, "StakingZeroAmount");
    });

    it("test_requestUnstake_revertsAboveFreeStake", async function () {
      const { staking, deployer, alice } = await loadFixture(deployProtocolFixture);
      await staking.grantRole(await staking.LOCKER_ROLE(), deployer);
      await staking.lock(alice.address, parseEther("600"));
      await expect(staking.connect(alice).requestUnstake(parseEther("500")))
        .to.be.revertedWithCustomError(staking, "StakingInsufficientFreeStake")
        .withArgs(alice.address, parseEther("400"), parseEther("500"));
    });

    it("test_withdraw_paysOutAfterDelay", async function () {
      const { staking, token, alice } = await loadFixture(deployProtocolFixture);
      const amount = parseEther("10");
      await staking.connect(alice).requestUnstake(amount);
      await time.increase(UNBONDING_SECONDS);
      const before = await token.balanceOf(alice);
      await expect(staking.connect(alice).withdraw()).to.emit(staking, "Withdrawn").withArgs(alice.address, amount);
      expect(await token.balanceOf(alice)).to.equal(before + amount);
      expect(await staking.stakeOf(alice)).to.equal(CONTRIBUTOR_STAKE - amount);
      expect(await staking.getVotes(alice)).to.equal(CONTRIBUTOR_STAKE - amount);
      expect(await staking.totalVotingUnits()).to.equal(await staking.totalStaked());
    });

    it("test_withdraw_revertsBeforeRelease", async function () {
      const { staking, alice } = await loadFixture(deployProtocolFixture);
      await staking.connect(alice).requestUnstake(1n);
      const { releaseAt } = await staking.unbondingOf(alice);
      await expect(staking.connect(alice).withdraw())
        .to.be.revertedWithCustomError(staking, "StakingUnbondingNotReleased")
        .withArgs(alice.address, releaseAt, releaseAt - UNBONDING_SECONDS + 1n);
    });

    it("test_withdraw_revertsWithoutRequest", async function () {
      const { staking, alice } = await loadFixture(deployProtocolFixture);
      await expect(staking.connect(alice).withdraw())
        .to.be.revertedWithCustomError(staking, "StakingNothingToWithdraw").withArgs(alice.address);
    });
  });

  describe("lock, unlock, slash", function () {
    async function lockerFixture(connection: Parameters<typeof deployProtocolFixture>[0]) {
      const p = await deployProtocolFixture(connection);
      await p.staking.grantRole(await p.staking.LOCKER_ROLE(), p.deployer);
      await p.staking.grantRole(await p.staking.SLASHER_ROLE(), p.deployer);
      await p.staking.lock(p.alice.address, parseEther("100"));
      return p;
    }

    it("test_lock_locksFreeStake", async function () {
      const { staking, deployer, bob } = await loadFixture(lockerFixture);
      await expect(staking.lock(bob.address, 5n)).to.emit(staking, "StakeLocked").withArgs(bob.address, deployer.address, 5n);
      expect(await staking.lockedOf(bob)).to.equal(5n);
      expect(await staking.freeStakeOf(bob)).to.equal(CONTRIBUTOR_STAKE - 5n);
    });

    it("test_lock_revertsAboveFreeStake", async function () {
      const { staking, alice } = await loadFixture(lockerFixture);
      await expect(staking.lock(alice.address, CONTRIBUTOR_STAKE))
        .to.be.revertedWithCustomError(staking, "StakingInsufficientFreeStake")
        .withArgs(alice.address, parseEther("900"), CONTRIBUTOR_STAKE);
    });

    it("test_lock_revertsWithoutRole", async function () {
      const { staking, outsider, alice } = await loadFixture(lockerFixture);
      await expect(staking.connect(outsider).lock(alice.address, 1n))
        .to.be.revertedWithCustomError(staking, "AccessControlUnauthorizedAccount")
        .withArgs(outsider.address, await staking.LOCKER_ROLE());
    });

    it("test_unlock_releasesLockedStake", async function () {
      const { staking, deployer, alice } = await loadFixture(lockerFixture);
      await expect(staking.unlock(alice.address, parseEther("40")))
        .to.emit(staking, "StakeUnlocked").withArgs(alice.address, deployer.address, parseEther("40"));
      expect(await staking.lockedOf(alice)).to.equal(parseEther("60"));
    });

    it("test_unlock_revertsAboveLocked", async function () {
      const { staking, alice } = await loadFixture(lockerFixture);
      await expect(staking.unlock(alice.address, parseEther("101")))
        .to.be.revertedWithCustomError(staking, "StakingInsufficientLockedStake")
        .withArgs(alice.address, parseEther("100"), parseEther("101"));
    });

    it("test_slash_sendsLockedStakeToTreasury", async function () {
      const { staking, token, deployer, alice, treasury } = await loadFixture(lockerFixture);
      const reason = encodeBytes32String("test");
      const amount = parseEther("30");
      await expect(staking.slash(alice.address, amount, reason))
        .to.emit(staking, "Slashed").withArgs(alice.address, deployer.address, amount, reason, treasury.address)
        .and.to.emit(token, "Transfer").withArgs(await staking.getAddress(), treasury.address, amount);
      expect(await staking.lockedOf(alice)).to.equal(parseEther("70"));
      expect(await staking.bondedOf(alice)).to.equal(CONTRIBUTOR_STAKE - amount);
      expect(await staking.getVotes(alice)).to.equal(CONTRIBUTOR_STAKE - amount);
      expect(await token.balanceOf(staking)).to.equal(await staking.totalStaked());
    });

    it("test_slash_acceptsZero", async function () {
      const { staking, alice } = await loadFixture(lockerFixture);
      await expect(staking.slash(alice.address, 0n, encodeBytes32String("x"))).to.emit(staking, "Slashed");
    });

    it("test_slash_revertsAboveLocked", async function () {
      const { staking, alice } = await loadFixture(lockerFixture);
      await expect(staking.slash(alice.address, parseEther("101"), encodeBytes32String("x")))
        .to.be.revertedWithCustomError(staking, "StakingInsufficientLockedStake")
        .withArgs(alice.address, parseEther("100"), parseEther("101"));
    });

    it("test_slash_revertsWithoutRole", async function () {
      const { staking, outsider, alice } = await loadFixture(lockerFixture);
      await expect(staking.connect(outsider).slash(alice.address, 1n, encodeBytes32String("x")))
        .to.be.revertedWithCustomError(staking, "AccessControlUnauthorizedAccount")
        .withArgs(outsider.address, await staking.SLASHER_ROLE());
    });
  });

  describe("governance", function () {
    it("test_setTreasury_emitsOldAndNew", async function () {
      const { staking, treasury, outsider } = await loadFixture(deployProtocolFixture);
      await expect(staking.setTreasury(outsider.address))
        .to.emit(staking, "TreasurySet").withArgs(treasury.address, outsider.address);
      expect(await staking.treasury()).to.equal(outsider.address);
    });

    it("test_setTreasury_revertsOnZero", async function () {
      const { staking } = await loadFixture(deployProtocolFixture);
      await expect(staking.setTreasury(ethers.ZeroAddress)).to.be.revertedWithCustomError(staking, "StakingZeroAddress");
    });

    it("test_setUnbondingDelay_emitsOldAndNew", async function () {
      const { staking } = await loadFixture(deployProtocolFixture);
      await expect(staking.setUnbondingDelay(86_400n))
        .to.emit(staking, "UnbondingDelaySet").withArgs(UNBONDING_SECONDS, 86_400n);
      expect(await staking.unbondingDelay()).to.equal(86_400n);
    });

    it("test_setUnbondingDelay_revertsOutOfBounds", async function () {
      const { staking } = await loadFixture(deployProtocolFixture);
      await expect(staking.setUnbondingDelay(60n))
        .to.be.revertedWithCustomError(staking, "StakingUnbondingDelayOutOfBounds").withArgs(60n, 86_400n, 90n * 86_400n);
    });

    it("test_setUnbondingDelay_revertsWithoutAdmin", async function () {
      const { staking, outsider } = await loadFixture(deployProtocolFixture);
      await expect(staking.connect(outsider).setUnbondingDelay(86_400n))
        .to.be.revertedWithCustomError(staking, "AccessControlUnauthorizedAccount")
        .withArgs(outsider.address, ethers.ZeroHash);
    });

    it("test_constructor_revertsOnZeroToken", async function () {
      const { staking, treasury, deployer } = await loadFixture(deployProtocolFixture);
      await expect(ethers.deployContract("Staking", [ethers.ZeroAddress, treasury.address, UNBONDING_SECONDS, deployer]))
        .to.be.revertedWithCustomError(staking, "StakingZeroAddress");
    });
  });

  describe("votes", function () {
    it("test_clock_isTimestamp", async function () {
      const { staking, token, alice } = await loadFixture(deployProtocolFixture);
      expect(await staking.CLOCK_MODE()).to.equal("mode=timestamp");
      expect(await token.CLOCK_MODE()).to.equal("mode=timestamp");
      expect(await staking.clock()).to.equal(BigInt(await time.latest()));
      expect(await token.clock()).to.equal(BigInt(await time.latest()));
      expect(await staking.token()).to.equal(await token.getAddress());
      expect(await token.nonces(alice)).to.equal(0n);
    });
  });
});

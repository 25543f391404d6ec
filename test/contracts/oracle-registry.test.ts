import { expect } from "chai";
import { network } from "hardhat";

import { EXIT_DELAY_SECONDS, OPERATOR_STAKE, deployProtocolFixture } from "./fixtures.ts";

const { ethers, networkHelpers } = await network.create();
const { loadFixture, time } = networkHelpers;
const MIN_OPERATOR_STAKE = ethers.parseEther("1000");

describe("OracleRegistry", function () {
  describe("register", function () {
    it("test_register_locksStakeAndAddsOperator", async function () {
      const { oracles, staking, governance, spareOperator } = await loadFixture(deployProtocolFixture);
      await oracles.connect(governance).threshold(); // views are open to anyone
      await oracles.setThreshold(3n);
      await expect(oracles.connect(spareOperator).register())
        .to.emit(oracles, "OperatorRegistered").withArgs(spareOperator.address, MIN_OPERATOR_STAKE, 4n)
        .and.to.emit(staking, "StakeLocked").withArgs(spareOperator.address, await oracles.getAddress(), MIN_OPERATOR_STAKE);
      expect(await oracles.operatorCount()).to.equal(4n);
      expect(await oracles.isOperator(spareOperator)).to.equal(true);
      expect(await staking.lockedOf(spareOperator)).to.equal(MIN_OPERATOR_STAKE);
      const info = await oracles.operatorInfo(spareOperator);
      expect(info.registeredAt).to.equal(BigInt(await time.latest()));
      expect(await oracles.canAttest(spareOperator, info.registeredAt)).to.equal(true);
      expect(await oracles.canAttest(spareOperator, info.registeredAt - 1n)).to.equal(false);
    });

    it("test_register_revertsWhenItWouldBreakMajorityThreshold", async function () {
      const { oracles, spareOperator } = await loadFixture(deployProtocolFixture);
      await expect(oracles.connect(spareOperator).register())
        .to.be.revertedWithCustomError(oracles, "OracleThresholdTooLow").withArgs(2n, 4n);
    });

    it("test_register_revertsWhenAlreadyRegistered", async function () {
      const { oracles, operators } = await loadFixture(deployProtocolFixture);
      const op = operators[0]!;
      await expect(oracles.connect(op).register())
        .to.be.revertedWithCustomError(oracles, "OracleAlreadyRegistered").withArgs(op.address);
    });

    it("test_register_revertsWithoutFreeStake", async function () {
      const { oracles, staking, outsider } = await loadFixture(deployProtocolFixture);
      await oracles.setThreshold(3n);
      await expect(oracles.connect(outsider).register())
        .to.be.revertedWithCustomError(staking, "StakingInsufficientFreeStake").withArgs(outsider.address, 0n, MIN_OPERATOR_STAKE);
    });
  });

  describe("deregister and releaseStake", function () {
    it("test_deregister_removesOperatorAndStartsExit", async function () {
      const { oracles, operators } = await loadFixture(deployProtocolFixture);
      const op = operators[0]!;
      const exitAt = BigInt(await time.latest()) + 1n + EXIT_DELAY_SECONDS;
      await expect(oracles.connect(op).deregister()).to.emit(oracles, "OperatorDeregistered").withArgs(op.address, exitAt, 2n);
      expect(await oracles.isOperator(op)).to.equal(false);
      await expect(oracles.connect(op).register()).to.be.revertedWithCustomError(oracles, "OracleAlreadyRegistered");
    });

    it("test_deregister_revertsForNonOperator", async function () {
      const { oracles, outsider } = await loadFixture(deployProtocolFixture);
      await expect(oracles.connect(outsider).deregister())
        .to.be.revertedWithCustomError(oracles, "OracleNotOperator").withArgs(outsider.address);
    });

    it("test_releaseStake_unlocksAfterExitDelay", async function () {
      const { oracles, staking, operators } = await loadFixture(deployProtocolFixture);
      const op = operators[0]!;
      await oracles.connect(op).deregister();
      await time.increase(EXIT_DELAY_SECONDS);
      await expect(oracles.releaseStake(op.address)).to.emit(oracles, "OperatorStakeReleased").withArgs(op.address, MIN_OPERATOR_STAKE);
      expect(await staking.lockedOf(op)).to.equal(0n);
      expect(await staking.freeStakeOf(op)).to.equal(OPERATOR_STAKE);
    });

    it("test_releaseStake_revertsBeforeExit", async function () {
      const { oracles, operators } = await loadFixture(deployProtocolFixture);
      const op = operators[0]!;
      await expect(oracles.releaseStake(op.address))
        .to.be.revertedWithCustomError(oracles, "OracleStakeNotReleasable").withArgs(op.address, 0n);
      await oracles.connect(op).deregister();
      const { exitAt } = await oracles.operatorInfo(op);
      await expect(oracles.releaseStake(op.address))
        .to.be.revertedWithCustomError(oracles, "OracleStakeNotReleasable").withArgs(op.address, exitAt);
    });
  });

  describe("slashForEquivocation", function () {
    async function slasherFixture(connection: Parameters<typeof deployProtocolFixture>[0]) {
      const p = await deployProtocolFixture(connection);
      await p.oracles.grantRole(await p.oracles.SLASHER_ROLE(), p.deployer);
      return p;
    }

    it("test_slashForEquivocation_slashesAndRemovesOperator", async function () {
      const { oracles, staking, operators, treasury, token } = await loadFixture(slasherFixture);
      const op = operators[0]!;
      const slashed = MIN_OPERATOR_STAKE / 2n;
      await expect(oracles.slashForEquivocation(op.address, 7n))
        .to.emit(oracles, "OperatorSlashed").withArgs(op.address, 7n, slashed)
        .and.to.emit(oracles, "OperatorDeregistered")
        .and.to.emit(token, "Transfer").withArgs(await staking.getAddress(), treasury.address, slashed);
      expect(await oracles.isOperator(op)).to.equal(false);
      expect((await oracles.operatorInfo(op)).lockedStake).to.equal(MIN_OPERATOR_STAKE - slashed);
      expect(await staking.lockedOf(op)).to.equal(MIN_OPERATOR_STAKE - slashed);
    });

    it("test_slashForEquivocation_slashesExitingOperatorWithoutDoubleRemoval", async function () {
      const { oracles, operators } = await loadFixture(slasherFixture);
      const op = operators[0]!;
      await oracles.connect(op).deregister();
      await expect(oracles.slashForEquivocation(op.address, 7n)).to.not.emit(oracles, "OperatorDeregistered");
      expect(await oracles.operatorCount()).to.equal(2n);
    });

    it("test_slashForEquivocation_revertsWhenAlreadySlashedForRound", async function () {
      const { oracles, operators } = await loadFixture(slasherFixture);
      const op = operators[0]!;
      await oracles.slashForEquivocation(op.address, 7n);
      await expect(oracles.slashForEquivocation(op.address, 7n))
        .to.be.revertedWithCustomError(oracles, "OracleEquivocationAlreadySlashed").withArgs(op.address, 7n);
    });

    it("test_slashForEquivocation_revertsForUnknownOperator", async function () {
      const { oracles, outsider } = await loadFixture(slasherFixture);
      await expect(oracles.slashForEquivocation(outsider.address, 7n))
        .to.be.revertedWithCustomError(oracles, "OracleNotOperator").withArgs(outsider.address);
    });

    it("test_slashForEquivocation_revertsWithoutRole", async function () {
      const { oracles, outsider, operators } = await loadFixture(deployProtocolFixture);
      await expect(oracles.connect(outsider).slashForEquivocation(operators[0]!.address, 1n))
        .to.be.revertedWithCustomError(oracles, "AccessControlUnauthorizedAccount")
        .withArgs(outsider.address, await oracles.SLASHER_ROLE());
    });
  });

  describe("governance", function () {
    it("test_setThreshold_emitsOldAndNew", async function () {
      const { oracles } = await loadFixture(deployProtocolFixture);
      await expect(oracles.setThreshold(3n)).to.emit(oracles, "ThresholdSet").withArgs(2n, 3n);
      expect(await oracles.threshold()).to.equal(3n);
    });

    it("test_setThreshold_revertsWhenNotMajority", async function () {
      const { oracles } = await loadFixture(deployProtocolFixture);
      await expect(oracles.setThreshold(1n)).to.be.revertedWithCustomError(oracles, "OracleThresholdTooLow").withArgs(1n, 3n);
    });

    it("test_setThreshold_revertsAboveMax", async function () {
      const { oracles } = await loadFixture(deployProtocolFixture);
      await expect(oracles.setThreshold(65n)).to.be.revertedWithCustomError(oracles, "OracleThresholdTooHigh").withArgs(65n, 64n);
    });

    it("test_setThreshold_revertsForNonAdmin", async function () {
      const { oracles, outsider } = await loadFixture(deployProtocolFixture);
      await expect(oracles.connect(outsider).setThreshold(3n))
        .to.be.revertedWithCustomError(oracles, "AccessControlUnauthorizedAccount").withArgs(outsider.address, ethers.ZeroHash);
    });

    it("test_setExitDelay_emitsOldAndNew", async function () {
      const { oracles } = await loadFixture(deployProtocolFixture);
      await expect(oracles.setExitDelay(86_400n)).to.emit(oracles, "ExitDelaySet").withArgs(EXIT_DELAY_SECONDS, 86_400n);
      expect(await oracles.exitDelay()).to.equal(86_400n);
    });

    it("test_setExitDelay_revertsOutOfBounds", async function () {
      const { oracles } = await loadFixture(deployProtocolFixture);
      await expect(oracles.setExitDelay(91n * 86_400n))
        .to.be.revertedWithCustomError(oracles, "OracleExitDelayOutOfBounds").withArgs(91n * 86_400n, 86_400n, 90n * 86_400n);
    });

    it("test_setExitDelay_revertsForNonAdmin", async function () {
      const { oracles, outsider } = await loadFixture(deployProtocolFixture);
      await expect(oracles.connect(outsider).setExitDelay(86_400n))
        .to.be.revertedWithCustomError(oracles, "AccessControlUnauthorizedAccount").withArgs(outsider.address, ethers.ZeroHash);
    });
  });
});

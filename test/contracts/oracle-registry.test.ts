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
      // Eligible for rounds snapshotted after its registration block, not in it (so n at the snapshot bounds it).
      expect(await oracles.canAttest(spareOperator, info.registeredAt + 1n)).to.equal(true);
      expect(await oracles.canAttest(spareOperator, info.registeredAt)).to.equal(false);
    });

    it("test_register_revertsWhenSlotsFullAndStakeNotLarger", async function () {
      const { oracles, spareOperator } = await loadFixture(deployProtocolFixture);
      await expect(oracles.connect(spareOperator).register())
        .to.be.revertedWithCustomError(oracles, "OracleSlotsFull").withArgs(MIN_OPERATOR_STAKE, MIN_OPERATOR_STAKE);
    });

    it("test_registerWithStake_evictsSmallestStakeWhenSlotsFull", async function () {
      const { oracles, operators, spareOperator } = await loadFixture(deployProtocolFixture);
      const stake = MIN_OPERATOR_STAKE + 1n;
      await expect(oracles.connect(spareOperator).registerWithStake(stake))
        .to.emit(oracles, "OperatorEvicted").withArgs(operators[0]!.address, spareOperator.address, MIN_OPERATOR_STAKE, stake)
        .and.to.emit(oracles, "OperatorRegistered").withArgs(spareOperator.address, stake, 3n);
      expect(await oracles.isOperator(operators[0]!)).to.equal(false);
      expect((await oracles.operatorInfo(operators[0]!)).exitAt).to.not.equal(0n);
      expect(await oracles.operatorCount()).to.equal(3n);
    });

    it("test_registerWithStake_revertsBelowMinimum", async function () {
      const { oracles, spareOperator } = await loadFixture(deployProtocolFixture);
      await oracles.setThreshold(3n);
      await expect(oracles.connect(spareOperator).registerWithStake(MIN_OPERATOR_STAKE - 1n))
        .to.be.revertedWithCustomError(oracles, "OracleStakeTooLow").withArgs(MIN_OPERATOR_STAKE - 1n, MIN_OPERATOR_STAKE);
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

  describe("slashOperator", function () {
    const EQUIVOCATION = ethers.encodeBytes32String("equivocation");
    async function slasherFixture(connection: Parameters<typeof deployProtocolFixture>[0]) {
      const p = await deployProtocolFixture(connection);
      await p.oracles.grantRole(await p.oracles.SLASHER_ROLE(), p.deployer);
      return p;
    }

    it("test_slashOperator_slashesPaysReporterAndRemovesOperator", async function () {
      const { oracles, staking, operators, treasury, token, outsider } = await loadFixture(slasherFixture);
      const op = operators[0]!;
      const slashed = MIN_OPERATOR_STAKE / 2n;
      await expect(oracles.slashOperator(op.address, 7n, EQUIVOCATION, 5000n, outsider.address, 5000n))
        .to.emit(oracles, "OperatorSlashed").withArgs(op.address, 7n, slashed, EQUIVOCATION, outsider.address, slashed / 2n)
        .and.to.emit(oracles, "OperatorDeregistered")
        .and.to.emit(token, "Transfer").withArgs(await staking.getAddress(), treasury.address, slashed / 2n)
        .and.to.emit(token, "Transfer").withArgs(await staking.getAddress(), outsider.address, slashed / 2n);
      expect(await oracles.isOperator(op)).to.equal(false);
      expect((await oracles.operatorInfo(op)).lockedStake).to.equal(MIN_OPERATOR_STAKE - slashed);
      expect((await oracles.operatorInfo(op)).slashed).to.equal(true);
      expect(await staking.lockedOf(op)).to.equal(MIN_OPERATOR_STAKE - slashed);
    });

    it("test_slashOperator_slashesExitingOperatorWithoutDoubleRemoval", async function () {
      const { oracles, operators, outsider } = await loadFixture(slasherFixture);
      const op = operators[0]!;
      await oracles.connect(op).deregister();
      await expect(oracles.slashOperator(op.address, 7n, EQUIVOCATION, 5000n, outsider.address, 0n))
        .to.not.emit(oracles, "OperatorDeregistered");
      expect(await oracles.operatorCount()).to.equal(2n);
    });

    it("test_slashOperator_revertsWhenAlreadySlashedForRoundAndReason", async function () {
      const { oracles, operators, outsider } = await loadFixture(slasherFixture);
      const op = operators[0]!;
      await oracles.slashOperator(op.address, 7n, EQUIVOCATION, 5000n, outsider.address, 0n);
      await expect(oracles.slashOperator(op.address, 7n, EQUIVOCATION, 5000n, outsider.address, 0n))
        .to.be.revertedWithCustomError(oracles, "OracleAlreadySlashed").withArgs(op.address, 7n, EQUIVOCATION);
    });

    it("test_slashOperator_revertsForUnknownOperator", async function () {
      const { oracles, outsider } = await loadFixture(slasherFixture);
      await expect(oracles.slashOperator(outsider.address, 7n, EQUIVOCATION, 5000n, outsider.address, 0n))
        .to.be.revertedWithCustomError(oracles, "OracleNotOperator").withArgs(outsider.address);
    });

    it("test_slashOperator_revertsWithoutRole", async function () {
      const { oracles, outsider, operators } = await loadFixture(deployProtocolFixture);
      await expect(oracles.connect(outsider).slashOperator(operators[0]!.address, 1n, EQUIVOCATION, 5000n, outsider.address, 0n))
        .to.be.revertedWithCustomError(oracles, "AccessControlUnauthorizedAccount")
        .withArgs(outsider.address, await oracles.SLASHER_ROLE());
    });

    it("test_releaseStake_revertsWhileHeldOrFrozen", async function () {
      const { oracles, operators, deployer } = await loadFixture(slasherFixture);
      const op = operators[0]!;
      const now = BigInt(await time.latest());
      await oracles.connect(deployer).holdForAttestation(op.address, now, 0n, now + 30n * 24n * 3600n);
      await oracles.connect(deployer).setFrozen(op.address, true);
      await oracles.connect(op).deregister();
      await time.increase(EXIT_DELAY_SECONDS);
      const { heldUntil } = await oracles.operatorInfo(op);
      await expect(oracles.releaseStake(op.address))
        .to.be.revertedWithCustomError(oracles, "OracleStakeNotReleasable").withArgs(op.address, heldUntil);
      await time.increaseTo(heldUntil);
      await expect(oracles.releaseStake(op.address)).to.be.revertedWithCustomError(oracles, "OracleStakeNotReleasable");
      await oracles.connect(deployer).setFrozen(op.address, false);
      await expect(oracles.releaseStake(op.address)).to.emit(oracles, "OperatorStakeReleased");
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

import { expect } from "chai";
import { id } from "ethers";
import { network } from "hardhat";

import { GENESIS_MODEL_HASH, deployProtocolFixture } from "./fixtures.ts";

const { ethers, networkHelpers } = await network.create();
const { loadFixture } = networkHelpers;

describe("ModelRegistry", function () {
  it("test_appendGenesis_appendsRootVersion", async function () {
    const { models } = await loadFixture(deployProtocolFixture);
    await expect(models.appendGenesis(id("g2"), "file://g2"))
      .to.emit(models, "ModelVersionAppended")
      .withArgs(2n, id("g2"), 0n, ethers.ZeroHash, 0n, 0n, ethers.ZeroHash, "file://g2");
    expect(await models.latestVersion()).to.equal(2n);
    expect((await models.modelVersion(1n)).modelHash).to.equal(GENESIS_MODEL_HASH);
  });

  it("test_appendGenesis_revertsForNonAdmin", async function () {
    const { models, outsider } = await loadFixture(deployProtocolFixture);
    await expect(models.connect(outsider).appendGenesis(id("x"), ""))
      .to.be.revertedWithCustomError(models, "AccessControlUnauthorizedAccount").withArgs(outsider.address, ethers.ZeroHash);
  });

  it("test_appendGenesis_revertsOnZeroHash", async function () {
    const { models } = await loadFixture(deployProtocolFixture);
    await expect(models.appendGenesis(ethers.ZeroHash, "")).to.be.revertedWithCustomError(models, "ModelRegistryZeroHash");
  });

  it("test_appendVersion_recordsLineage", async function () {
    const { models, deployer } = await loadFixture(deployProtocolFixture);
    await models.grantRole(await models.APPENDER_ROLE(), deployer);
    await expect(models.appendVersion(id("m2"), 1n, 7n, 3n, id("metrics"), "file://m2"))
      .to.emit(models, "ModelVersionAppended")
      .withArgs(2n, id("m2"), 1n, GENESIS_MODEL_HASH, 7n, 3n, id("metrics"), "file://m2");
    const v = await models.modelVersion(2n);
    expect([v.modelHash, v.metricsHash, v.roundId, v.parentVersion, v.policyVersion]).to.deep.equal([
      id("m2"), id("metrics"), 7n, 1n, 3n,
    ]);
  });

  it("test_appendVersion_revertsOnUnknownParent", async function () {
    const { models, deployer } = await loadFixture(deployProtocolFixture);
    await models.grantRole(await models.APPENDER_ROLE(), deployer);
    await expect(models.appendVersion(id("m2"), 5n, 7n, 3n, id("metrics"), ""))
      .to.be.revertedWithCustomError(models, "ModelRegistryUnknownVersion").withArgs(5n, 1n);
  });

  it("test_appendVersion_revertsForNonAppender", async function () {
    const { models, outsider } = await loadFixture(deployProtocolFixture);
    await expect(models.connect(outsider).appendVersion(id("m2"), 1n, 7n, 3n, id("metrics"), ""))
      .to.be.revertedWithCustomError(models, "AccessControlUnauthorizedAccount")
      .withArgs(outsider.address, await models.APPENDER_ROLE());
  });

  it("test_modelVersion_revertsOnZero", async function () {
    const { models } = await loadFixture(deployProtocolFixture);
    await expect(models.modelVersion(0n)).to.be.revertedWithCustomError(models, "ModelRegistryUnknownVersion").withArgs(0n, 1n);
  });
});

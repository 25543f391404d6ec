import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";

import { readDeployment } from "../../oracle/chain/deployment.ts";
import { TaskInputError } from "../../scripts/tasks/task-error.ts";
import { chainMark, deployedByTasksFixture, rejection, runTask, tasksConnection } from "./task-fixtures.ts";

const dir = mkdtempSync(path.join(tmpdir(), "cw-task-deploy-"));
const deployedFixture = deployedByTasksFixture(path.join(dir, "default.json"));
const { ethers, networkHelpers } = await tasksConnection();

describe("deploy task", function () {
  after(async function () {
    await rm(dir, { recursive: true, force: true });
  });

  it("test_deploy_writesManifestThatParsesWithDeploymentSchema", async function () {
    const { manifest, deployment } = await networkHelpers.loadFixture(deployedFixture);
    const read = await readDeployment(manifest);
    expect(read).to.deep.equal(deployment);
    expect(read.network).to.equal("default");
    expect(read.chainId).to.equal(31337n);
  });

  it("test_deploy_recordsTheBlockBeforeDeploying", async function () {
    const { deployment } = await networkHelpers.loadFixture(deployedFixture);
    const tokenCreation = await ethers.provider.getCode(deployment.contracts.token, deployment.deployedAtBlock);
    expect(tokenCreation).to.equal("0x");
    for (const address of Object.values(deployment.contracts)) expect(await ethers.provider.getCode(address)).to.not.equal("0x");
  });

  it("test_deploy_rejectsAMissingParametersFileBeforeSending", async function () {
    const [deployer] = await ethers.getSigners();
    const before = await chainMark(await tasksConnection(), deployer?.address ?? "");
    const run = runTask("deploy", { deployment: path.join(dir, "unused.json"), parameters: path.join(dir, "missing.json") });
    const err = await rejection(run);
    expect(err).to.be.instanceOf(TaskInputError);
    expect(err.message).to.match(/^--parameters: no such file/);
    expect(await chainMark(await tasksConnection(), deployer?.address ?? "")).to.deep.equal(before);
  });
});

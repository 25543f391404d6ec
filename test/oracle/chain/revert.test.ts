import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { parseEther } from "ethers";

import { decodeRevert } from "../../../oracle/chain/revert.ts";
import { describeFailure } from "../../../oracle/cli/failure.ts";
import { deployedByTasksFixture, rejection, tasksConnection } from "../../tasks/task-fixtures.ts";

const dir = mkdtempSync(path.join(tmpdir(), "cw-revert-"));
const deployedFixture = deployedByTasksFixture(path.join(dir, "default.json"));
const { networkHelpers } = await tasksConnection();

describe("decodeRevert", function () {
  after(async function () {
    await rm(dir, { recursive: true, force: true });
  });

  it("names the custom error of a reverted call and shows its token amounts in CWT", async function () {
    const { context } = await networkHelpers.loadFixture(deployedFixture);
    const err = await rejection(context.contracts.staking.stake(parseEther("5")));
    const decoded = decodeRevert(err);
    expect(decoded?.name).to.equal("ERC20InsufficientAllowance");
    expect(decoded?.text).to.equal(`ERC20InsufficientAllowance(spender=${await context.contracts.staking.getAddress()}, allowance=0 CWT, needed=5 CWT)`);
  });

  it("turns a reverted call into one line naming the error, exit 1", async function () {
    const { context } = await networkHelpers.loadFixture(deployedFixture);
    const err = await rejection(context.contracts.staking.stake(parseEther("5")));
    const failure = await describeFailure(err);
    expect(failure.line).to.equal(`transaction reverted: ERC20InsufficientAllowance(spender=${await context.contracts.staking.getAddress()}, allowance=0 CWT, needed=5 CWT)`);
    expect(failure.exitCode).to.equal(1);
  });

  it("returns undefined for an error without revert data", function () {
    expect(decodeRevert(new Error("boom"))).to.equal(undefined);
  });
});

// `gov:propose-resolution` refuses, with one clear line and nothing sent, a round that is not Disputed or an id that
// is not a round id. (The upheld path, a real dispute resolved through the governor, is in test/e2e/auditor-dispute.)
import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";

import type { OpenedRound } from "../../scripts/tasks/actions/round-open.ts";
import { TaskInputError } from "../../scripts/tasks/task-error.ts";
import { chainMark, deployedByTasksFixture, rejection, runTask, tasksConnection } from "./task-fixtures.ts";

const dir = mkdtempSync(path.join(tmpdir(), "cw-task-resolution-"));
const deployedFixture = deployedByTasksFixture(path.join(dir, "default.json"));
const connection = await tasksConnection();

describe("gov:propose-resolution", function () {
  after(async function () {
    await rm(dir, { recursive: true, force: true });
  });

  it("refuses a round that is not Disputed, sending nothing", async function () {
    const { manifest, context } = await connection.networkHelpers.loadFixture(deployedFixture);
    const opened = await runTask<OpenedRound>("round:open", { deployment: manifest, budget: "1000" });
    const before = await chainMark(connection, context.signer.address);

    const err = await rejection(runTask("gov:propose-resolution", { deployment: manifest, roundId: opened.roundId.toString(), backend: "cpu", dryRun: false }));

    expect(err).to.be.instanceOf(TaskInputError);
    expect(err.message).to.equal(`round ${opened.roundId} is Open, not Disputed: nothing to resolve`);
    expect(await chainMark(connection, context.signer.address)).to.deep.equal(before);
  });

  it("refuses a round id that is not a positive integer", async function () {
    const { manifest } = await connection.networkHelpers.loadFixture(deployedFixture);

    const err = await rejection(runTask("gov:propose-resolution", { deployment: manifest, roundId: "0x1", backend: "cpu", dryRun: false }));

    expect(err).to.be.instanceOf(TaskInputError);
    expect(err.message).to.match(/round id must be a positive integer, got "0x1"/);
  });
});

import { mkdtempSync } from "node:fs";
import { rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";

import { expect } from "chai";
import { Wallet, parseEther } from "ethers";
import hre from "hardhat";

import { DEFAULT_INITIAL_SUPPLY } from "../../ignition/modules/Commonweight.ts";
import { genesisModelFile } from "../../oracle/contributor/genesis.ts";
import { hashBytes } from "../../oracle/protocol/hash.ts";
import { fetchBlob } from "../../oracle/storage/fetch-blob.ts";
import { TaskInputError } from "../../scripts/tasks/task-error.ts";
import { openTaskContext } from "../../scripts/tasks/task-context.ts";
import type { DeployedByTasks } from "./task-fixtures.ts";
import { chainMark, rejection, runTask, tasksConnection } from "./task-fixtures.ts";

const dir = mkdtempSync(path.join(tmpdir(), "cw-task-genesis-"));
const { ethers, networkHelpers } = await tasksConnection();
const LIMITS = { maxBytes: 2 ** 24, timeoutMs: 10_000 };

/** `deploy` with no parameters: the seeded genesis model in a fresh store, no allocations. */
async function deployedWithDefaults(): Promise<DeployedByTasks & { store: string }> {
  const manifest = path.join(dir, "defaults.json");
  const store = path.join(dir, "store-defaults");
  const deployment = await runTask<DeployedByTasks["deployment"]>("deploy", { deployment: manifest, store });
  return { manifest, deployment, context: await openTaskContext(hre, { deployment: manifest }), store };
}

/** `deploy` allocating 250,000 CWT to account 1 and 1,000 CWT to the deployer. */
async function deployedWithAllocations(): Promise<DeployedByTasks> {
  const [deployer, alice] = await ethers.getSigners();
  const parameters = path.join(dir, "alloc-params.json");
  await writeFile(parameters, JSON.stringify({ Commonweight: { allocations: [{ to: alice?.address, amount: "250000" }, { to: deployer?.address, amount: "1000" }] } }));
  const manifest = path.join(dir, "alloc.json");
  const deployment = await runTask<DeployedByTasks["deployment"]>("deploy", { deployment: manifest, parameters, store: path.join(dir, "store-alloc") });
  return { manifest, deployment, context: await openTaskContext(hre, { deployment: manifest }) };
}

async function deployer(): Promise<string> {
  const [first] = await ethers.getSigners();
  return first?.address ?? "";
}

describe("deploy: genesis model and token distribution", function () {
  after(async function () {
    await rm(dir, { recursive: true, force: true });
  });

  it("registers the seeded genesis model under an absolute file URI whose bytes hash to the registered hash", async function () {
    const { context } = await networkHelpers.loadFixture(deployedWithDefaults);
    const registry = context.contracts.modelRegistry;
    const version = await registry.modelVersion(1n);
    const [appended] = await registry.queryFilter(registry.filters.ModelVersionAppended(1n));
    const uri = appended?.args.uri ?? "";
    expect(version.modelHash).to.equal(hashBytes(genesisModelFile()));
    expect(uri).to.match(/^file:\/\/\//);
    const fetched = await fetchBlob(uri, version.modelHash, LIMITS);
    expect(fetched.ok).to.equal(true);
  });

  it("without allocations sends the whole supply to the timelock treasury and leaves the deployer none", async function () {
    const { context } = await networkHelpers.loadFixture(deployedWithDefaults);
    const { token, timelock } = context.contracts;
    expect(await token.balanceOf(await deployer())).to.equal(0n);
    expect(await token.balanceOf(await timelock.getAddress())).to.equal(DEFAULT_INITIAL_SUPPLY);
  });

  it("transfers each allocation, lets the deployer keep its own, and sends the rest to the treasury", async function () {
    const { context } = await networkHelpers.loadFixture(deployedWithAllocations);
    const { token, timelock } = context.contracts;
    const [, alice] = await ethers.getSigners();
    expect(await token.balanceOf(alice?.address ?? "")).to.equal(parseEther("250000"));
    expect(await token.balanceOf(await deployer())).to.equal(parseEther("1000"));
    expect(await token.balanceOf(await timelock.getAddress())).to.equal(DEFAULT_INITIAL_SUPPLY - parseEther("251000"));
  });

  it("refuses a genesis model file that is not a canonical model file, before sending anything", async function () {
    const before = await chainMark(await tasksConnection(), await deployer());
    const notAModel = path.join(dir, "README.md");
    await writeFile(notAModel, "# not a model\n");
    const err = await rejection(runTask("deploy", { deployment: path.join(dir, "unused.json"), genesisModel: notAModel, store: path.join(dir, "s1") }));
    expect(err).to.be.instanceOf(TaskInputError);
    expect(err.message).to.equal(`--genesis-model ${notAModel} is not a canonical model file: header length exceeds the cap`);
    expect(await chainMark(await tasksConnection(), await deployer())).to.deep.equal(before);
  });

  it("refuses a genesis URI whose bytes do not hash to the given model file, before sending anything", async function () {
    const before = await chainMark(await tasksConnection(), await deployer());
    const model = path.join(dir, "mine.safetensors");
    const other = path.join(dir, "other.safetensors");
    await writeFile(model, genesisModelFile("mine"));
    await writeFile(other, genesisModelFile("other"));
    const uri = pathToFileURL(other).href;
    const err = await rejection(runTask("deploy", { deployment: path.join(dir, "unused.json"), genesisModel: model, genesisUri: uri }));
    expect(err).to.be.instanceOf(TaskInputError);
    expect(err.message).to.equal(`--genesis-uri: the bytes at ${uri} hash to ${hashBytes(genesisModelFile("other"))}, not ${hashBytes(genesisModelFile("mine"))}`);
    expect(await chainMark(await tasksConnection(), await deployer())).to.deep.equal(before);
  });

  it("refuses a parameters file whose genesisModelUri serves other bytes than genesisModelHash", async function () {
    const other = path.join(dir, "other2.safetensors");
    await writeFile(other, genesisModelFile("other"));
    const parameters = path.join(dir, "bad-genesis.json");
    const wanted = hashBytes(genesisModelFile());
    await writeFile(parameters, JSON.stringify({ Commonweight: { genesisModelHash: wanted, genesisModelUri: pathToFileURL(other).href } }));
    const err = await rejection(runTask("deploy", { deployment: path.join(dir, "unused.json"), parameters }));
    expect(err.message).to.equal(`parameters: genesisModelUri: the bytes at ${pathToFileURL(other).href} hash to ${hashBytes(genesisModelFile("other"))}, not ${wanted}`);
  });

  it("token:transfer sends CWT to an address", async function () {
    const { manifest } = await networkHelpers.loadFixture(deployedWithAllocations);
    const to = Wallet.createRandom().address;
    const sent = await runTask<{ balance: bigint }>("token:transfer", { deployment: manifest, to, amount: "12.5" });
    expect(sent.balance).to.equal(parseEther("12.5"));
  });

  it("token:transfer refuses more than the sender holds, in tokens, before sending", async function () {
    const { manifest } = await networkHelpers.loadFixture(deployedWithAllocations);
    const err = await rejection(runTask("token:transfer", { deployment: manifest, to: Wallet.createRandom().address, amount: "1000.5" }));
    expect(err.message).to.equal(`${await deployer()} holds 1000 CWT, less than --amount 1000.5 CWT`);
  });

  it("token:faucet funds any address from the treasury on a local chain, with gas money", async function () {
    const { manifest, context } = await networkHelpers.loadFixture(deployedWithDefaults);
    const to = Wallet.createRandom().address;
    const funded = await runTask<{ balance: bigint }>("token:faucet", { deployment: manifest, to, amount: "5000" });
    expect(funded.balance).to.equal(parseEther("5000"));
    expect(await ethers.provider.getBalance(to)).to.equal(parseEther("10"));
    expect(await context.contracts.token.balanceOf(await context.contracts.timelock.getAddress())).to.equal(DEFAULT_INITIAL_SUPPLY - parseEther("5000"));
  });
});

// What governance front ends (Tally and other OpenZeppelin-Governor UIs) and wallets rely on: IGovernor via ERC-165,
// the ERC-6372 clock, and ERC-5805 votes on the token and the staking contract.
import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { Interface, parseEther, toBeHex, type InterfaceAbi } from "ethers";

import { DEPLOYER_ALLOCATION, deployedByTasksFixture, runTask, tasksConnection, type DeployedByTasks } from "./task-fixtures.ts";

const require = createRequire(import.meta.url);
const dir = mkdtempSync(path.join(tmpdir(), "cw-task-wallet-"));
const deployedFixture = deployedByTasksFixture(path.join(dir, "default.json"));
const { networkHelpers } = await tasksConnection();
const { loadFixture, time } = networkHelpers;

/**
 * `type(I).interfaceId` computed from OpenZeppelin's shipped ABI: the XOR of the selectors of the functions `I`
 * declares itself (inherited ones excluded, as Solidity does).
 */
function interfaceId(name: string, inherited: readonly string[]): string {
  const abiOf = (n: string) => new Interface((require(`@openzeppelin/contracts/build/contracts/${n}.json`) as { abi: InterfaceAbi }).abi);
  const excluded = new Set(inherited.flatMap((n) => abiOf(n).fragments.filter((f) => f.type === "function").map((f) => f.format("sighash"))));
  let id = 0n;
  abiOf(name).forEachFunction((f) => {
    if (!excluded.has(f.format("sighash"))) id ^= BigInt(f.selector);
  });
  return toBeHex(id, 4);
}

/** Deployed; the deployer delegated to itself and staked 1M CWT, then time moved on. */
async function delegatedAndStakedFixture(): Promise<DeployedByTasks> {
  const deployed = await deployedFixture();
  await runTask("token:delegate", { deployment: deployed.manifest });
  await runTask("stake", { deployment: deployed.manifest, amount: "1000000" });
  await time.increase(10);
  return deployed;
}

describe("governor and votes interfaces for wallets", function () {
  after(async function () {
    await rm(dir, { recursive: true, force: true });
  });

  it("test_governor_supportsIGovernorInterface", async function () {
    const { context: { contracts: { governor } } } = await loadFixture(deployedFixture);
    const iGovernor = interfaceId("IGovernor", ["IERC165", "IERC6372"]);
    expect(await governor.supportsInterface(iGovernor)).to.equal(true);
    expect(await governor.supportsInterface("0x01ffc9a7")).to.equal(true); // ERC-165 itself
    expect(await governor.supportsInterface("0xdeadbeef")).to.equal(false);
  });

  it("test_clockMode_isTimestampOnGovernorTokenAndStaking", async function () {
    const { context: { contracts: { governor, token, staking } } } = await loadFixture(deployedFixture);
    for (const c of [governor, token, staking]) expect(await c.CLOCK_MODE()).to.equal("mode=timestamp");
  });

  it("test_clock_equalsLatestBlockTimestamp", async function () {
    const { context: { contracts: { governor, token, staking } } } = await loadFixture(deployedFixture);
    await networkHelpers.mine();
    const latest = BigInt(await time.latest());
    for (const c of [governor, token, staking]) expect(await c.clock()).to.equal(latest);
  });

  it("test_votes_followErc5805_delegatesAndPastVotesOfTokenAndStake", async function () {
    const { context: { contracts: { governor, token, staking }, signer } } = await loadFixture(delegatedAndStakedFixture);
    const past = BigInt(await time.latest()) - 1n;
    expect(await token.delegates(signer.address)).to.equal(signer.address);
    expect(await staking.delegates(signer.address)).to.equal(signer.address);
    expect(await token.getPastVotes(signer.address, past)).to.equal(parseEther(DEPLOYER_ALLOCATION) - parseEther("1000000"));
    expect(await staking.getPastVotes(signer.address, past)).to.equal(parseEther("1000000"));
    expect(await governor.getVotes(signer.address, past)).to.equal(parseEther(DEPLOYER_ALLOCATION));
  });
});

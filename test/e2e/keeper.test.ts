// Two `cw keeper run` processes at once take rounds from the end of their reveal window to the end, with real
// operators, a real chain (the devnet behind its HTTP bridge) and no other upkeep sender.
import { randomBytes } from "node:crypto";
import type { ChildProcess } from "node:child_process";

import { expect } from "chai";

import { devAccountKey, type Devnet } from "../../oracle/devnet/devnet.ts";
import { hashBytes } from "../../oracle/protocol/hash.ts";
import { requestUnstake, withdrawStake } from "../../oracle/staking/stake.ts";
import { openRound } from "../../oracle/sponsor/index.ts";
import { spawnCw } from "../oracle/contributor/chain-support.ts";
import { contribution, startTestDevnet, startTestOperator, syntheticUpdate, tempDir, waitForSettlement, type Contribution, type TestOperator } from "./support.ts";

const TOKEN = 10n ** 18n;
const BUDGET = 1_000n * TOKEN;

/** A keeper process and everything it printed. */
interface KeeperProcess {
  readonly child: ChildProcess;
  output(): string;
}

function startKeeperProcess(devnet: Devnet, keyIndex: number): KeeperProcess {
  const child = spawnCw(["keeper", "run"], {
    RPC_URL: devnet.bridge.url,
    DEPLOYMENT: devnet.manifestPath,
    KEEPER_PRIVATE_KEY: devAccountKey(keyIndex),
    POLL_INTERVAL_MS: "200",
    METRICS_PORT: "0",
    FETCH_TIMEOUT_MS: "5000",
    LOG_LEVEL: "info",
  });
  let out = "";
  child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (out += d.toString()));
  return { child, output: () => out };
}

function stopProcess(p: KeeperProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (p.child.exitCode !== null) return resolve(p.child.exitCode);
    p.child.once("close", (code) => resolve(code));
    p.child.kill("SIGTERM");
  });
}

/** Polls `check` (mining a block each time, so chain time and confirmations move) until it holds. */
async function eventually(devnet: Devnet, what: string, check: () => Promise<boolean>, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await devnet.connection.networkHelpers.mine(1);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Opens a round, commits `commits`, reveals `reveals` (a subset), warps to the end of the reveal window; never closes. */
async function roundToRevealEnd(devnet: Devnet, build: (roundId: bigint, baseHash: string) => Promise<{ commits: Contribution[]; reveals: Contribution[] }>): Promise<bigint> {
  const sponsor = devnet.as(devnet.sponsor);
  const { roundId } = await openRound(sponsor, { budget: BUDGET });
  const round = await sponsor.rounds.round(roundId);
  const base = await sponsor.modelRegistry.modelVersion(round.baseModelVersion);
  const { commits, reveals } = await build(roundId, base.modelHash);
  for (const c of commits) await (await devnet.as(c.contributor).rounds.commit(roundId, await sponsor.rounds.computeCommitment(roundId, c.contributor.address, c.hash, c.salt))).wait();
  await devnet.connection.networkHelpers.time.increaseTo(Number(round.commitEnd));
  for (const c of reveals) await (await devnet.as(c.contributor).rounds.reveal(roundId, c.hash, c.salt, c.uri)).wait();
  await devnet.connection.networkHelpers.time.increaseTo(Number(round.revealEnd));
  return roundId;
}

describe("e2e: two keepers at once do every round's upkeep", function () {
  this.timeout(300_000);
  let work: Awaited<ReturnType<typeof tempDir>>;
  let devnet: Devnet;
  let operators: TestOperator[] = [];
  let keepers: KeeperProcess[] = [];

  before(async function () {
    work = await tempDir("cw-e2e-keeper-");
    devnet = await startTestDevnet(work.dir, 5);
    // Keys beyond the deployer, sponsor, operators and contributors: keepers only pay gas.
    const firstFree = 2 + devnet.operators.length + devnet.contributors.length;
    keepers = [startKeeperProcess(devnet, firstFree), startKeeperProcess(devnet, firstFree + 1)];
  });

  after(async function () {
    for (const k of keepers) await stopProcess(k);
    for (const op of operators) await op.stop();
    await devnet?.close();
    await work?.remove();
  });

  it("closes once, slashes the non-revealer and the invalid update once each, pays both operators and releases every lock", async function () {
    const [a, b, c, malformed, silent] = devnet.contributors;
    if (!a || !b || !c || !malformed || !silent) throw new Error("contributors");
    const roundId = await roundToRevealEnd(devnet, async (id, baseHash) => {
      const valid = await Promise.all([a, b, c].map(async (signer, i) => {
        const u = syntheticUpdate(`keeper-${i}`, id, baseHash);
        return contribution(work.dir, signer, u.bytes, u.hash);
      }));
      const garbage = new Uint8Array(randomBytes(4096));
      const bad = await contribution(work.dir, malformed, garbage, hashBytes(garbage));
      const u = syntheticUpdate("silent", id, baseHash);
      const never = await contribution(work.dir, silent, u.bytes, u.hash);
      return { commits: [...valid, bad, never], reveals: [...valid, bad] };
    });
    operators = [await startTestOperator(devnet, 0, work.dir), await startTestOperator(devnet, 1, work.dir)];
    const { rounds, staking } = devnet.as(devnet.sponsor);

    expect(await waitForSettlement(devnet, roundId)).to.equal("Finalized");
    const round = await rounds.round(roundId);
    // Inside the challenge window only the non-revealer can be slashed; the result's payouts wait for its end.
    await eventually(devnet, "the non-revealer's slash", async () => (await rounds.queryFilter(rounds.filters.ContributorSlashed(roundId))).length === 1);
    expect(await rounds.queryFilter(rounds.filters.OperatorRewardClaimed(roundId))).to.have.length(0);
    await devnet.connection.networkHelpers.time.increaseTo(Number(round.challengeEnd));
    await eventually(devnet, "the invalid slash and operator shares", async () =>
      (await rounds.queryFilter(rounds.filters.ContributorSlashed(roundId))).length === 2 && (await rounds.queryFilter(rounds.filters.OperatorRewardClaimed(roundId))).length === 2);
    // The result lists an invalid contributor: the other locks are released one challenge window later.
    await devnet.connection.networkHelpers.time.increaseTo(Number(round.challengeEnd + round.challengeWindowSeconds));
    await eventually(devnet, "releases", async () => (await rounds.queryFilter(rounds.filters.ContributorStakeReleased(roundId))).length === 5);
    await devnet.connection.networkHelpers.time.increaseTo(Number((await rounds.round(roundId)).claimEnd));
    await eventually(devnet, "sweep", async () => (await rounds.round(roundId)).swept);

    const slashes = (await rounds.queryFilter(rounds.filters.ContributorSlashed(roundId))).map((e) => [e.args.account, Number(e.args.reason)]);
    expect(slashes).to.have.deep.members([[silent.address, 0], [malformed.address, 3]]);
    expect(await rounds.queryFilter(rounds.filters.RoundClosed(roundId))).to.have.length(1);
    expect(await rounds.queryFilter(rounds.filters.RoundSwept(roundId))).to.have.length(1);
    const paid = (await rounds.queryFilter(rounds.filters.OperatorRewardClaimed(roundId))).map((e) => e.args.operator);
    expect(paid).to.have.members(devnet.operators.map((o) => o.signer.address));
    for (const contributor of devnet.contributors) expect(await staking.lockedOf(contributor.address)).to.equal(0n);
  });

  it("leaves every released stake withdrawable after the unbonding delay", async function () {
    const [a] = devnet.contributors;
    if (!a) throw new Error("contributor");
    const contracts = devnet.as(a);
    const before = await contracts.token.balanceOf(a.address);

    const request = await requestUnstake(contracts);
    await devnet.connection.networkHelpers.time.increaseTo(Number(request.releaseAt));
    const done = await withdrawStake(contracts);

    expect(await contracts.token.balanceOf(a.address)).to.equal(before + done.amount);
    expect(done.amount).to.equal(request.amount);
  });

  it("marks a round without quorum failed at its attestation deadline and refunds the sponsor in full", async function () {
    for (const op of operators) await op.stop();
    operators = [];
    const [, b, c] = devnet.contributors;
    if (!b || !c) throw new Error("contributors");
    const { rounds, token } = devnet.as(devnet.sponsor);
    const balanceBefore = await token.balanceOf(devnet.sponsor.address);
    const roundId = await roundToRevealEnd(devnet, async (id, baseHash) => {
      const updates = await Promise.all([b, c].map(async (signer, i) => {
        const u = syntheticUpdate(`failed-${i}`, id, baseHash);
        return contribution(work.dir, signer, u.bytes, u.hash);
      }));
      return { commits: updates, reveals: updates };
    });
    await eventually(devnet, "close", async () => Number((await rounds.round(roundId)).status) === 2);
    await devnet.connection.networkHelpers.time.increaseTo(Number((await rounds.round(roundId)).attestDeadline));

    await eventually(devnet, "failed and swept", async () => (await rounds.round(roundId)).swept);

    expect(Number((await rounds.round(roundId)).status)).to.equal(4);
    expect(await token.balanceOf(devnet.sponsor.address)).to.equal(balanceBefore);
    await eventually(devnet, "locks released", async () => (await rounds.queryFilter(rounds.filters.ContributorStakeReleased(roundId))).length === 2);
  });

  it("stops both keepers cleanly on SIGTERM", async function () {
    const codes = await Promise.all(keepers.map(stopProcess));

    expect(codes).to.deep.equal([0, 0]);
    for (const k of keepers) expect(k.output()).to.include("keeper stopped");
  });
});

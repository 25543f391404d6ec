// `cw auditor watch` as a real process with its own key and bond, against a devnet behind its HTTP bridge: an
// honest round (real operators) passes its challenge window undisputed; a round two operators sign wrongly is
// disputed inside its window, and the governance resolution (propose, vote, queue, execute through the timelock)
// slashes both signers, pays the challenger its bond and a share, and reopens the round, which then fails and refunds.
import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";

import { expect } from "chai";
import { hexlify, id, parseEther, Wallet, ZeroAddress, ZeroHash } from "ethers";

import { decodeRoundStatus } from "../../oracle/chain/enums.ts";
import { devAccountKey, type Devnet } from "../../oracle/devnet/devnet.ts";
import { roundResultDomain, signAttestation, type AttestedResult } from "../../oracle/protocol/signed-result.ts";
import { markRoundFailed, sweepRound } from "../../oracle/sponsor/index.ts";
import { spawnCw } from "../oracle/contributor/chain-support.ts";
import {
  contribution,
  passChallengeWindow,
  runRoundToClose,
  startTestDevnet,
  startTestOperator,
  syntheticUpdate,
  tempDir,
  waitForSettlement,
  type TestOperator,
} from "./support.ts";

const BPS = 10_000n;
/** The challenger's share of each wrong-result slash (`RoundAttestations._REPORTER_SHARE_BPS`). */
const REPORTER_SHARE_BPS = 5_000n;

/** The watcher process and its JSON log lines. */
interface Watcher {
  readonly child: ChildProcess;
  readonly address: string;
  lines(): { msg?: string; roundId?: string }[];
  output(): string;
}

function startWatcher(devnet: Devnet, keyIndex: number): Watcher {
  const key = devAccountKey(keyIndex);
  const child = spawnCw(["auditor", "watch", "--backend", "cpu"], {
    RPC_URL: devnet.bridge.url,
    DEPLOYMENT: devnet.manifestPath,
    AUDITOR_PRIVATE_KEY: key,
    AUDITOR_POLL_MS: "200",
    AUDITOR_HTTP_PORT: "0",
    FETCH_TIMEOUT_MS: "5000",
    LOG_LEVEL: "info",
  });
  let out = "";
  child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (out += d.toString()));
  return {
    child,
    address: new Wallet(key).address,
    output: () => out,
    lines: () => out.split("\n").flatMap((l) => {
      try {
        return [JSON.parse(l) as { msg?: string; roundId?: string }];
      } catch {
        return [];
      }
    }),
  };
}

function stopWatcher(w: Watcher): Promise<number | null> {
  return new Promise((resolve) => {
    if (w.child.exitCode !== null) return resolve(w.child.exitCode);
    w.child.once("close", (code) => resolve(code));
    w.child.kill("SIGTERM");
  });
}

/** Polls `check` (mining a block each time, so the watcher sees new chain time) until it holds. */
async function eventually(devnet: Devnet, what: string, check: () => Promise<boolean> | boolean, log?: Watcher, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}${log ? `; the watcher said:\n${log.output().slice(-3000)}` : ""}`);
    await devnet.connection.networkHelpers.mine(1);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe("e2e: cw auditor watch disputes a wrongly signed round, governance upholds it", function () {
  this.timeout(300_000);
  let work: Awaited<ReturnType<typeof tempDir>>;
  let devnet: Devnet;
  let watcher: Watcher;
  let operators: TestOperator[] = [];
  let tamperedRound: bigint;
  let sponsorBalanceBeforeTampered: bigint;

  before(async function () {
    work = await tempDir("cw-e2e-auditor-");
    devnet = await startTestDevnet(work.dir, 3);
    // The auditor: a key beyond the deployer, sponsor, operators and contributors, holding tokens for its bond.
    const auditorIndex = 2 + devnet.operators.length + devnet.contributors.length;
    const { token } = devnet.as(devnet.deployer);
    await (await token.transfer(new Wallet(devAccountKey(auditorIndex)).address, parseEther("1000"))).wait();
    // Governance votes: the deployer delegates its tokens to itself now, before any proposal's snapshot.
    await (await token.delegate(devnet.deployer.address)).wait();
    watcher = startWatcher(devnet, auditorIndex);
    await eventually(devnet, "auditor watching", () => watcher.lines().some((l) => l.msg === "auditor watching"), undefined, 60_000);
  });

  after(async function () {
    if (watcher) await stopWatcher(watcher);
    for (const op of operators) await op.stop();
    await devnet?.close();
    await work?.remove();
  });

  it("lets an honest round pass its challenge window undisputed while watching", async function () {
    const { roundId } = await runRoundToClose(devnet, async (rid, baseHash) =>
      Promise.all(devnet.contributors.map(async (signer, i) => {
        const u = syntheticUpdate(`auditor-honest-${i}`, rid, baseHash);
        return contribution(work.dir, signer, u.bytes, u.hash);
      })));
    operators = [await startTestOperator(devnet, 0, work.dir), await startTestOperator(devnet, 1, work.dir)];
    expect(await waitForSettlement(devnet, roundId)).to.equal("Finalized");
    await eventually(devnet, "the watcher recomputed the honest round", () =>
      watcher.lines().some((l) => l.roundId === String(roundId) && l.msg === "round recomputed: matches the chain"), watcher);
    for (const op of operators) await op.stop();
    operators = [];

    await passChallengeWindow(devnet, roundId);
    await devnet.connection.networkHelpers.mine(1);

    const { rounds } = devnet.as(devnet.sponsor);
    expect(decodeRoundStatus((await rounds.round(roundId)).status)).to.equal("Finalized");
    expect(await rounds.queryFilter(rounds.filters.RoundDisputed(roundId))).to.have.length(0);
    expect((await rounds.disputeOf(roundId)).challenger).to.equal(ZeroAddress);
  });

  it("disputes a result two operators signed wrongly, inside its window, with the auditor's own bond", async function () {
    const { rounds, token } = devnet.as(devnet.sponsor);
    sponsorBalanceBeforeTampered = await token.balanceOf(devnet.sponsor.address);
    ({ roundId: tamperedRound } = await runRoundToClose(devnet, async (rid, baseHash) =>
      Promise.all(devnet.contributors.map(async (signer, i) => {
        const u = syntheticUpdate(`auditor-tampered-${i}`, rid, baseHash);
        return contribution(work.dir, signer, u.bytes, u.hash);
      }))));
    const round = await rounds.round(tamperedRound);
    // Not what the updates aggregate to: an invented model and the whole reward pool to an invented rewards tree.
    const wrong: AttestedResult = {
      roundId: tamperedRound,
      modelHash: hexlify(randomBytes(32)),
      rewardsRoot: hexlify(randomBytes(32)),
      totalRewards: round.rewardPool,
      invalidRoot: ZeroHash,
      metricsHash: hexlify(randomBytes(32)),
      revealsHash: round.revealsHash,
    };
    const domain = roundResultDomain(devnet.deployment.chainId, devnet.deployment.contracts.rounds);
    const bondBefore = await token.balanceOf(watcher.address);
    for (const op of devnet.operators) {
      const uri = "file:///tampered-model.safetensors";
      const signature = await signAttestation(new Wallet(op.privateKey), domain, wrong, uri);
      await (await devnet.as(op.signer).rounds.attest(wrong, signature, uri)).wait();
    }
    const finalized = await rounds.round(tamperedRound);
    expect(decodeRoundStatus(finalized.status)).to.equal("Finalized");

    await eventually(devnet, "the watcher's dispute", async () => (await rounds.queryFilter(rounds.filters.RoundDisputed(tamperedRound))).length > 0, watcher);

    const [event] = await rounds.queryFilter(rounds.filters.RoundDisputed(tamperedRound));
    expect(event?.args.challenger).to.equal(watcher.address);
    expect(event?.args.digest).to.equal(finalized.resultDigest);
    expect([...(event?.args.signers ?? [])].sort()).to.deep.equal(devnet.operators.map((o) => o.signer.address).sort());
    expect(BigInt((await devnet.connection.ethers.provider.getBlock(event?.blockNumber ?? 0))?.timestamp ?? 0)).to.be.lessThan(finalized.challengeEnd);
    expect(decodeRoundStatus((await rounds.round(tamperedRound)).status)).to.equal("Disputed");
    expect(await token.balanceOf(watcher.address)).to.equal(bondBefore - finalized.disputeBond);
    // The watcher logs its report once its dispute transaction is confirmed, which can be just after the event is visible here.
    await eventually(devnet, "the watcher's mismatch report", () => watcher.lines().some((l) => l.roundId === String(tamperedRound) && l.msg === "round recomputed: MISMATCH, disputed"), watcher);
  });

  it("upholds the dispute through governance: signers slashed, challenger paid, round reopened", async function () {
    const { rounds, token, governor, oracleRegistry } = devnet.as(devnet.deployer);
    const round = await rounds.round(tamperedRound);
    const dispute = await rounds.disputeOf(tamperedRound);
    const signers = devnet.operators.map((o) => o.signer.address);
    const lockedBefore = await Promise.all(signers.map(async (a) => (await oracleRegistry.operatorInfo(a)).lockedStake));
    const challengerBefore = await token.balanceOf(watcher.address);
    const time = devnet.connection.networkHelpers.time;
    const target = await rounds.getAddress();
    const calldata = rounds.interface.encodeFunctionData("resolveDispute", [tamperedRound, true]);
    const description = `Uphold the dispute of round ${tamperedRound}: cw verify-round differs from the signed result`;
    await (await governor.propose([target], [0n], [calldata], description)).wait();
    const proposalId = await governor.hashProposal([target], [0n], [calldata], id(description));
    await time.increaseTo(Number(await governor.proposalSnapshot(proposalId)) + 1);
    await (await governor.castVote(proposalId, 1)).wait();
    await time.increaseTo(Number(await governor.proposalDeadline(proposalId)) + 1);
    await (await governor.queue([target], [0n], [calldata], id(description))).wait();
    await time.increaseTo(Number(await governor.proposalEta(proposalId)) + 1);

    await (await governor.execute([target], [0n], [calldata], id(description))).wait();

    const [resolved] = await rounds.queryFilter(rounds.filters.DisputeResolved(tamperedRound));
    const expected = lockedBefore.map((locked) => (locked * BigInt(round.wrongResultBps)) / BPS);
    const slashed = expected.reduce((a, b) => a + b, 0n);
    const reward = expected.reduce((a, b) => a + (b * REPORTER_SHARE_BPS) / BPS, 0n);
    expect(slashed).to.be.greaterThan(0n);
    expect(resolved?.args.upheld).to.equal(true);
    expect(resolved?.args.slashed).to.equal(slashed);
    expect(resolved?.args.challengerReward).to.equal(reward);
    for (const [i, a] of signers.entries()) expect((await oracleRegistry.operatorInfo(a)).lockedStake).to.equal((lockedBefore[i] ?? 0n) - (expected[i] ?? 0n));
    expect(await token.balanceOf(watcher.address)).to.equal(challengerBefore + dispute.bond + reward);
    const reopened = await rounds.round(tamperedRound);
    expect(decodeRoundStatus(reopened.status)).to.equal("Closed");
    expect(reopened.resultDigest).to.equal(ZeroHash);
    expect(reopened.attestDeadline).to.equal(resolved?.args.attestDeadline);
  });

  it("fails the reopened round at its new deadline (the slashed signers cannot attest again) and refunds the sponsor", async function () {
    const sponsor = devnet.as(devnet.sponsor);
    const { rounds, token } = sponsor;
    const round = await rounds.round(tamperedRound);
    await devnet.connection.networkHelpers.time.increaseTo(Number(round.attestDeadline));

    await markRoundFailed(sponsor, tamperedRound);
    await sweepRound(sponsor, tamperedRound);

    expect(decodeRoundStatus((await rounds.round(tamperedRound)).status)).to.equal("Failed");
    expect(await token.balanceOf(devnet.sponsor.address)).to.equal(sponsorBalanceBeforeTampered);
  });

  it("stops the watcher cleanly on SIGTERM", async function () {
    expect(await stopWatcher(watcher), watcher.output().slice(-2000)).to.equal(0);
  });
});

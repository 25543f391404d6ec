import { expect } from "chai";
import { access, readFile } from "node:fs/promises";

import { parseEther } from "ethers";

import { claimReward } from "../../oracle/contributor/claim.ts";
import { statePath } from "../../oracle/contributor/commit-state.ts";
import { commitUpdate, revealUpdate } from "../../oracle/contributor/commit-reveal.ts";
import type { ContributorSession } from "../../oracle/contributor/session.ts";
import { stake } from "../../oracle/contributor/staking.ts";
import type { Devnet } from "../../oracle/devnet/devnet.ts";
import { contributorEnv, contributorKey, contributorSession, runCw, spawnCw } from "../oracle/contributor/chain-support.ts";
import { closeRound, passChallengeWindow, startTestDevnet, startTestOperator, syntheticUpdate, tempDir, waitForSettlement, type TestOperator } from "./support.ts";

const POLL_MS = 20;

describe("e2e: a contributor's full cycle through the client (stake, train, commit, crash, reveal, claim)", function () {
  this.timeout(240_000);
  let work: Awaited<ReturnType<typeof tempDir>>;
  let devnet: Devnet;
  let operators: TestOperator[] = [];
  let alice: ContributorSession;
  let roundId: bigint;
  let trained: { status: number | null; stdout: string; stderr: string };
  let killedAfterCommit = false;

  before(async function () {
    work = await tempDir("cw-contributor-");
    devnet = await startTestDevnet(work.dir, 3);
    alice = await contributorSession(devnet, work.dir, 0);
    const sponsor = devnet.as(devnet.sponsor);
    await (await sponsor.rounds.open(devnet.deployment.contracts.token, parseEther("1000"))).wait();
    roundId = await sponsor.rounds.roundCount();
  });

  after(async function () {
    for (const op of operators) await op.stop();
    alice?.close();
    await devnet?.close();
    await work?.remove();
  });

  it("stake adds the tokens to the contributor's bonded stake", async function () {
    const account = alice.wallet?.address ?? "";
    await (await devnet.as(devnet.deployer).token.transfer(account, parseEther("50"))).wait();
    const before = await alice.contracts.staking.bondedOf(account);

    await stake(alice, parseEther("50"));

    expect(await alice.contracts.staking.bondedOf(account)).to.equal(before + parseEther("50"));
  });

  it("commit writes the salt to the state file and commits its commitment", async function () {
    // The round's other update is trained (3,000 MNIST examples, DP noise: it differs each run), and a
    // fedavg score is the cosine with the sample-weighted mean. At the default scale and 100 samples this
    // update's score was about 0.009 ± 0.003 (5 runs), at times 0: no reward, and the claim failed. With
    // a larger delta and 1,000 samples the scores are about 0.21 and 0.98, each within ±0.01 over runs.
    const { hash, bytes } = syntheticUpdate("alice", roundId, devnet.genesis.hash, 0.3, 1_000);
    const stored = await devnet.store.put(bytes);

    const done = await commitUpdate(alice, { roundId, updateHash: hash, uri: stored.uri });

    const saved = JSON.parse(await readFile(done.statePath, "utf8")) as { attempts: { commitment: string }[] };
    expect(saved.attempts[0]?.commitment).to.equal(done.commitment);
    expect(await alice.contracts.rounds.contributionOf(roundId, done.account)).to.equal(done.commitment);
  });

  it("cw contributor train fetches the base, trains 1 epoch on a real MNIST partition and uploads a valid update", async function () {
    trained = await runCw(
      ["contributor", "train", "--round", String(roundId), "--contributor", "2", "--contributors", "20", "--scheme", "iid", "--epochs", "1", "--json"],
      contributorEnv(devnet, work.dir),
    );
    const report = JSON.parse(trained.stdout) as { update: { hash: string; uri: string }; training: { lossBefore: number; lossAfter: number }; dp: { epsilon: number; finalNorm: number; boundNorm: number } };

    expect(trained.status, trained.stderr).to.equal(0);
    expect(trained.stderr).to.match(/epoch 1\/1 \[#+\]/);
    expect(report.training.lossAfter).to.be.below(report.training.lossBefore);
    expect(report.dp.finalNorm).to.be.at.most(report.dp.boundNorm);
    expect(report.dp.epsilon).to.be.greaterThan(0);
    expect(await devnet.store.has(report.update.hash)).to.equal(true);
  });

  it("a commit process killed with SIGKILL right after its transaction is mined can still reveal from the saved salt", async function () {
    const report = JSON.parse(trained.stdout) as { update: { hash: string; uri: string } };
    const env = contributorEnv(devnet, work.dir, contributorKey(devnet, 2));
    const account = devnet.contributors[2]?.address ?? "";
    const child = spawnCw(["contributor", "commit", "--round", String(roundId), "--hash", report.update.hash, "--uri", report.update.uri], env);
    const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
    for (let polls = 0; (await alice.contracts.rounds.contributionOf(roundId, account)) === "0x".padEnd(66, "0"); polls += 1) {
      if (polls > 30_000 / POLL_MS) throw new Error("the commit was never mined");
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    killedAfterCommit = child.kill("SIGKILL");
    await exited;
    const salts = statePath(env.CONTRIBUTOR_STATE_DIR ?? "", { chainId: devnet.deployment.chainId, rounds: devnet.deployment.contracts.rounds, roundId, account });
    await access(salts);
    await devnet.connection.networkHelpers.time.increaseTo(Number((await alice.contracts.rounds.round(roundId)).commitEnd));

    const revealed = await runCw(["contributor", "reveal", "--round", String(roundId)], env);

    expect(killedAfterCommit, "the commit process was still running when its commit was mined").to.equal(true);
    expect(revealed.status, revealed.stderr).to.equal(0);
    expect(revealed.stdout).to.match(/^revealed 0x[0-9a-f]{64}/);
    expect(await alice.contracts.rounds.contributionOf(roundId, account)).to.equal(`0x${"0".repeat(63)}1`);
  });

  it("operators finalize the round once the client revealed, and claim pays the reward (recomputed proof)", async function () {
    await revealUpdate(alice, { roundId });
    const round = await alice.contracts.rounds.round(roundId);
    await devnet.connection.networkHelpers.time.increaseTo(Number(round.revealEnd));
    await closeRound(devnet.as(devnet.sponsor), roundId);
    operators = [await startTestOperator(devnet, 0, work.dir), await startTestOperator(devnet, 1, work.dir)];
    expect(await waitForSettlement(devnet, roundId)).to.equal("Finalized");
    await passChallengeWindow(devnet, roundId);
    const account = alice.wallet?.address ?? "";
    const before = await alice.contracts.token.balanceOf(account);

    const done = await claimReward(alice, { roundId });

    expect(done.amount).to.be.greaterThan(0n);
    expect(done.source).to.equal("recomputed");
    expect(await alice.contracts.token.balanceOf(account)).to.equal(before + done.amount);
  });

  it("cw contributor claim --package takes the proof from an operator's result package", async function () {
    const jobs = await operators[0]?.running.runtime.queues.submit.getJobs(["completed"]);
    const packageHash = jobs?.find((j) => j.data.roundId === String(roundId))?.data.package as string;
    const uri = operators[0]?.running.runtime.store.uriOf(packageHash) ?? "";
    const env = contributorEnv(devnet, work.dir, contributorKey(devnet, 2));
    const account = devnet.contributors[2]?.address ?? "";
    const before = await alice.contracts.token.balanceOf(account);

    const claimed = await runCw(["contributor", "claim", "--round", String(roundId), "--package", uri, "--json"], env);

    expect(claimed.status, claimed.stderr).to.equal(0);
    const done = JSON.parse(claimed.stdout) as { amount: string; source: string };
    expect(done.source).to.equal("package");
    expect(await alice.contracts.token.balanceOf(account)).to.equal(before + BigInt(done.amount));
  });

  it("a second claim sends nothing and reports the reward as already claimed", async function () {
    const done = await claimReward(alice, { roundId });

    expect(done.alreadyClaimed).to.equal(true);
  });
});

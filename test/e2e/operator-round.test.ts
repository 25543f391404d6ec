import { expect } from "chai";
import { randomBytes } from "node:crypto";
import { spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

import { ZeroHash } from "ethers";

import type { Devnet } from "../../oracle/devnet/devnet.ts";
import { getResultPackage } from "../../oracle/storage/result-package-store.ts";
import { hashBytes } from "../../oracle/protocol/hash.ts";
import {
  contribution,
  runRoundToClose,
  startTestDevnet,
  startTestOperator,
  syntheticUpdate,
  tempDir,
  passChallengeWindow, waitForSettlement,
  type Contribution,
  type TestOperator,
  slashInvalid,
} from "./support.ts";

const CW = fileURLToPath(new URL("../../bin/cw.js", import.meta.url));

/** Runs `cw` in a child process and returns its exit status and output. */
function cw(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CW, ...args], { stdio: ["ignore", "pipe", "pipe"], env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

describe("e2e: two operators (k = 2) finalize a round with bad updates in it", function () {
  this.timeout(180_000);
  let work: Awaited<ReturnType<typeof tempDir>>;
  let devnet: Devnet;
  let operators: TestOperator[] = [];
  let roundId: bigint;
  let contributions: Contribution[];

  before(async function () {
    work = await tempDir("cw-e2e-");
    devnet = await startTestDevnet(work.dir, 8);
    const [a, b, c, d, malformed, oversized, unreachable, mismatched] = devnet.contributors;
    if (!a || !b || !c || !d || !malformed || !oversized || !unreachable || !mismatched) throw new Error("contributors");
    ({ roundId, contributions } = await runRoundToClose(devnet, async (id, baseHash) => {
      const valid = await Promise.all([a, b, c, d].map(async (signer, i) => {
        const u = syntheticUpdate(`valid-${i}`, id, baseHash);
        return contribution(work.dir, signer, u.bytes, u.hash);
      }));
      const garbage = new Uint8Array(randomBytes(4096));
      const huge = new Uint8Array(500_000);
      const honest = syntheticUpdate("mismatch", id, baseHash);
      return [
        ...valid,
        await contribution(work.dir, malformed, garbage, hashBytes(garbage)),
        await contribution(work.dir, oversized, huge, hashBytes(huge)),
        await contribution(work.dir, unreachable, honest.bytes, honest.hash, "http://127.0.0.1:9/never"),
        await contribution(work.dir, mismatched, honest.bytes, hashBytes(new TextEncoder().encode("something else"))),
      ];
    }));
    operators = [await startTestOperator(devnet, 0, work.dir), await startTestOperator(devnet, 1, work.dir)];
    await waitForSettlement(devnet, roundId);
    await passChallengeWindow(devnet, roundId);
  });

  after(async function () {
    for (const op of operators) await op.stop();
    await devnet?.close();
    await work?.remove();
  });

  it("finalizes the round with both operators' identical digest", async function () {
    const { rounds } = devnet.as(devnet.sponsor);
    const round = await rounds.round(roundId);
    const digests = await Promise.all(devnet.operators.map((o) => rounds.attestationOf(roundId, o.signer.address)));

    expect(Number(round.status)).to.equal(3);
    expect(digests[0]).to.not.equal(ZeroHash);
    expect(digests[1]).to.equal(digests[0]);
    expect(round.resultDigest).to.equal(digests[0]);
  });

  it("records each bad update as invalid with its protocol reason", async function () {
    const pkg = await latestPackage(operators[0], roundId);
    const address = (i: number): string => (devnet.contributors[i]?.address ?? "").toLowerCase();

    expect(pkg.result.invalid).to.deep.equal(
      Object.fromEntries(
        [[address(4), "malformed"], [address(5), "unavailable"], [address(6), "unavailable"], [address(7), "hash-mismatch"]].sort(([x], [y]) => ((x as string) < (y as string) ? -1 : 1)),
      ),
    );
    expect(pkg.result.selected).to.have.length(4);
  });

  it("exposes stage durations and rejection reasons as Prometheus metrics", async function () {
    const text = await (operators[0] as TestOperator).running.metrics.registry.metrics();

    for (const stage of ["fetch", "aggregate", "assemble", "submit"]) {
      expect(text).to.match(new RegExp(`cw_operator_stage_seconds_count\\{stage="${stage}"\\} [1-9]`));
    }
    expect(text).to.match(/cw_operator_failures_total\{reason="unavailable"\} 2/);
    expect(text).to.match(/cw_operator_failures_total\{reason="malformed"\} 1/);
    expect(text).to.match(/cw_operator_rounds_total\{outcome="attested"\} 1/);
  });

  it("cw operator status prints the queues, the computed round and the operator set", async function () {
    const op = operators[0] as TestOperator;
    const env = { ...process.env, REDIS_URL: op.redis.url, RPC_URL: devnet.bridge.url, DEPLOYMENT: devnet.manifestPath, QUEUE_PREFIX: op.config.QUEUE_PREFIX, STORE_DIR: op.config.STORE_DIR };

    const { status, stdout, stderr } = await cw(["operator", "status"], env);

    expect(status, stderr).to.equal(0);
    const report = JSON.parse(stdout) as { queues: Record<string, Record<string, number>>; rounds: { round: string; state: string }[]; chain: { threshold: string; operators: string } };
    expect(report.queues["fetch-update"]?.completed).to.equal(8);
    expect(report.rounds.find((r) => r.round === String(roundId))?.state).to.equal("done");
    expect(report.chain).to.deep.equal({ threshold: "2", operators: "2" });
  });

  it("pays every valid contributor its reward through a Merkle claim", async function () {
    const pkg = await latestPackage(operators[0], roundId);
    expect(pkg.claims.length).to.be.greaterThan(0);
    for (const claim of pkg.claims) {
      const signer = devnet.contributors.find((c) => c.address === claim.account);
      if (!signer) throw new Error(`no contributor ${claim.account}`);
      const { token, rounds } = devnet.as(signer);
      const before = await token.balanceOf(signer.address);

      await (await rounds.claim(roundId, signer.address, claim.amount, [...claim.proof])).wait();

      expect(await token.balanceOf(signer.address)).to.equal(before + BigInt(claim.amount));
    }
  });

  it("lets anyone slash an invalid contributor with the published proof", async function () {
    const pkg = await latestPackage(operators[0], roundId);
    const proof = pkg.invalidProofs[0];
    if (!proof) throw new Error("no invalid proof");
    const { staking } = devnet.as(devnet.sponsor);
    const before = await staking.stakeOf(proof.account);

    await slashInvalid(devnet.as(devnet.sponsor), roundId, proof.account, proof.reason, proof.proof);

    expect(await staking.stakeOf(proof.account)).to.be.lessThan(before);
  });

  it("cw verify-round agrees with the chain, then detects a tampered update file", async function () {
    const args = ["verify-round", String(roundId), "--rpc-url", devnet.bridge.url, "--deployment", devnet.manifestPath, "--backend", "cpu"];
    const agrees = await cw(args);
    const valid = contributions[0];
    if (!valid) throw new Error("no contribution");
    const tampered = new Uint8Array(valid.bytes);
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] ?? 0) ^ 1;
    await writeFile(fileURLToPath(valid.uri), tampered);

    const detects = await cw(args);

    expect(agrees.status, agrees.stderr).to.equal(0);
    expect(JSON.parse(agrees.stdout), agrees.stdout.slice(0, 1500)).to.include({ match: true, status: "Finalized" });
    expect(detects.status).to.equal(1);
    expect(JSON.parse(detects.stdout).match).to.equal(false);
  });
});

async function latestPackage(operator: TestOperator | undefined, roundId: bigint) {
  if (!operator) throw new Error("no operator");
  const jobs = await operator.running.runtime.queues.submit.getJobs(["completed"]);
  const job = jobs.find((j) => j.data.roundId === String(roundId));
  if (!job) throw new Error(`no submission for round ${roundId}`);
  return getResultPackage(operator.running.runtime.store, job.data.package as string);
}

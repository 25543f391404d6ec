import { expect } from "chai";

import { ZeroHash } from "ethers";
import { Redis } from "ioredis";

import type { Devnet } from "../../oracle/devnet/devnet.ts";
import { startRedisServer } from "../../oracle/operator/redis-server.ts";
import {
  contribution,
  runRoundToClose,
  startTestDevnet,
  startTestOperator,
  syntheticUpdate,
  tempDir,
  waitForSettlement,
  type TestOperator,
} from "./support.ts";

/** A round of `n` valid synthetic updates, closed and waiting for the operators. */
async function closedRound(devnet: Devnet, dir: string, n: number): Promise<bigint> {
  const { roundId } = await runRoundToClose(devnet, (id, baseHash) =>
    Promise.all(devnet.contributors.slice(0, n).map(async (signer, i) => {
      const u = syntheticUpdate(`resilience-${id}-${i}`, id, baseHash);
      return contribution(dir, signer, u.bytes, u.hash);
    })),
  );
  return roundId;
}

async function attestations(devnet: Devnet, roundId: bigint): Promise<string[]> {
  const { rounds } = devnet.as(devnet.sponsor);
  return Promise.all(devnet.operators.map((o) => rounds.attestationOf(roundId, o.signer.address)));
}

async function finalizedEvents(devnet: Devnet, roundId: bigint): Promise<number> {
  const { rounds } = devnet.as(devnet.sponsor);
  return (await rounds.queryFilter(rounds.filters.RoundFinalized(roundId))).length;
}

async function until(condition: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("e2e: operators survive crashes, Redis loss and RPC outages", function () {
  this.timeout(240_000);
  let work: Awaited<ReturnType<typeof tempDir>>;
  let devnet: Devnet;
  const running: TestOperator[] = [];

  beforeEach(async function () {
    work = await tempDir("cw-resilience-");
    devnet = await startTestDevnet(work.dir, 4);
  });

  afterEach(async function () {
    for (const op of running.splice(0)) await op.stop();
    await devnet?.close();
    await work?.remove();
  });

  it("finishes a round when a worker is killed with SIGKILL mid-aggregation, finalizing once with one digest", async function () {
    const roundId = await closedRound(devnet, work.dir, 4);
    const a = await startTestOperator(devnet, 0, work.dir, { WORKERS: "2", SHARD_SIZE: "1024", LOCK_DURATION_MS: "2000" });
    running.push(a);
    let victim: number | undefined;
    await until(async () => {
      const active = await a.running.runtime.queues.shards.getJobs(["active"]);
      const holder = active.find((job) => job.processedBy?.startsWith("pid-"))?.processedBy;
      victim = holder === undefined ? undefined : Number(holder.slice(4));
      return victim !== undefined && a.running.workerPids().includes(victim);
    }, 60_000, "an active shard job");
    process.kill(victim as number, "SIGKILL");
    running.push(await startTestOperator(devnet, 1, work.dir));

    const status = await waitForSettlement(devnet, roundId);

    const [first, second] = await attestations(devnet, roundId);
    expect(status).to.equal("Finalized");
    expect(first).to.not.equal(ZeroHash);
    expect(second).to.equal(first);
    expect(await finalizedEvents(devnet, roundId)).to.equal(1);
    await until(async () => a.running.workerPids().length === 2 && !a.running.workerPids().includes(victim as number), 30_000, "the worker restart");
  });

  it("reconciles from the chain after its Redis is wiped (FLUSHALL) mid-round", async function () {
    const roundId = await closedRound(devnet, work.dir, 4);
    const a = await startTestOperator(devnet, 0, work.dir);
    running.push(a);
    await until(async () => ((await a.running.runtime.queues.fetch.getJobCounts("completed")).completed ?? 0) > 0, 60_000, "fetch jobs");
    const client = new Redis(a.redis.url);
    await client.flushall();
    client.disconnect();
    running.push(await startTestOperator(devnet, 1, work.dir));

    const status = await waitForSettlement(devnet, roundId);

    const [first, second] = await attestations(devnet, roundId);
    expect(status).to.equal("Finalized");
    expect(second).to.equal(first);
  });

  it("carries on after its Redis restarts mid-round", async function () {
    const roundId = await closedRound(devnet, work.dir, 4);
    const a = await startTestOperator(devnet, 0, work.dir);
    running.push(a);
    await until(async () => ((await a.running.runtime.queues.fetch.getJobCounts("completed")).completed ?? 0) > 0, 60_000, "fetch jobs");
    const { port, dir, process: server } = a.redis;
    const exited = new Promise((resolve) => server.once("exit", resolve));
    server.kill("SIGTERM");
    await exited;
    const restarted = await startRedisServer({ port, dir });
    running.splice(running.indexOf(a), 1, { ...a, stop: async () => { await a.running.stop(); await restarted.stop(); await a.redis.stop(); } });
    running.push(await startTestOperator(devnet, 1, work.dir));

    const status = await waitForSettlement(devnet, roundId);

    expect(status).to.equal("Finalized");
    const [first, second] = await attestations(devnet, roundId);
    expect(second).to.equal(first);
  });

  it("retries through an RPC outage and sends each attestation exactly once", async function () {
    const roundId = await closedRound(devnet, work.dir, 4);
    devnet.bridge.failing = true;
    const starting = Promise.all([startTestOperator(devnet, 0, work.dir), startTestOperator(devnet, 1, work.dir)]);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    devnet.bridge.failing = false;
    running.push(...(await starting));

    const status = await waitForSettlement(devnet, roundId);

    expect(status).to.equal("Finalized");
    expect(devnet.bridge.counts.get("eth_sendRawTransaction")).to.equal(2);
  });
});

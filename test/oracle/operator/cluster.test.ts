import { expect } from "chai";
import { join } from "node:path";

import { Job, Queue } from "bullmq";

import { OperatorConfigSchema, type OperatorConfig } from "../../../oracle/config.ts";
import type { Devnet } from "../../../oracle/devnet/devnet.ts";
import { createLogger } from "../../../oracle/logger.ts";
import { QUEUES, roundJobId } from "../../../oracle/operator/queues.ts";
import { bullmqConnection, closeBullmqConnection, parseRedisTarget } from "../../../oracle/operator/redis-connection.ts";
import { startOperator, type RunningOperator } from "../../../oracle/operator/service.ts";
import { contribution, runRoundToClose, startTestDevnet, syntheticUpdate, tempDir, waitForSettlement } from "../../e2e/support.ts";
import { startRedisCluster, type TestRedisCluster } from "../../support/redis-cluster.ts";

const PREFIX = "{cw}";

function operatorConfig(devnet: Devnet, dir: string, redisUrl: string): OperatorConfig {
  const operator = devnet.operators[0];
  if (!operator) throw new Error("no operator");
  return OperatorConfigSchema.parse({
    REDIS_URL: redisUrl,
    RPC_URL: devnet.bridge.url,
    DEPLOYMENT: devnet.manifestPath,
    ORACLE_PRIVATE_KEY: operator.privateKey,
    CONFIRMATIONS: "1",
    POLL_INTERVAL_MS: "200",
    WORKERS: "1",
    BACKEND: "cpu",
    SHARD_SIZE: "16384",
    STORE_DIR: devnet.store.root,
    WORK_DIR: join(dir, "operator"),
    FETCH_TIMEOUT_MS: "5000",
    METRICS_PORT: "0",
    LOCK_DURATION_MS: "5000",
    LOG_LEVEL: "warn",
    QUEUE_PREFIX: PREFIX,
  });
}

/** Closes a round with three valid synthetic updates. */
function closeRound(devnet: Devnet, dir: string): Promise<{ roundId: bigint }> {
  return runRoundToClose(devnet, (id, baseHash) =>
    Promise.all(devnet.contributors.slice(0, 3).map((signer, i) => {
      const u = syntheticUpdate(`cluster-${id}-${i}`, id, baseHash);
      return contribution(dir, signer, u.bytes, u.hash);
    })),
  );
}

describe("Redis Cluster URLs", function () {
  it("parses a redis+cluster URL into its seed nodes and credentials", function () {
    const target = parseRedisTarget("redis+cluster://user:p%40ss@10.0.0.1:7000,10.0.0.2:7001,[::1]:7002");
    expect(target).to.deep.equal({
      kind: "cluster",
      nodes: [{ host: "10.0.0.1", port: 7000 }, { host: "10.0.0.2", port: 7001 }, { host: "::1", port: 7002 }],
      username: "user",
      password: "p@ss",
      tls: false,
    });
  });

  it("refuses a cluster URL with a node that has no port", function () {
    expect(() => parseRedisTarget("redis+cluster://10.0.0.1:7000,10.0.0.2")).to.throw(/cluster node "10.0.0.2" is not host:port/);
  });

  it("accepts a cluster URL in the operator settings", function () {
    const config = OperatorConfigSchema.parse({ REDIS_URL: "redis+cluster://127.0.0.1:7000,127.0.0.1:7001" });
    expect(config.REDIS_URL).to.equal("redis+cluster://127.0.0.1:7000,127.0.0.1:7001");
  });
});

describe("an operator on a real 3-master Redis Cluster", function () {
  this.timeout(240_000);
  let work: Awaited<ReturnType<typeof tempDir>>;
  let cluster: TestRedisCluster;
  let devnet: Devnet;
  let operator: RunningOperator | undefined;
  let slot: number;

  before(async function () {
    work = await tempDir("cw-cluster-e2e-");
    cluster = await startRedisCluster();
    slot = await cluster.slotOf(PREFIX);
    devnet = await startTestDevnet(work.dir, 3, 1);
  });

  afterEach(async function () {
    await operator?.stopAndPurge();
    operator = undefined;
  });

  after(async function () {
    await devnet?.close();
    await cluster?.stop();
    await work?.remove();
  });

  it("finalizes a round when its URL names only a node that does not own the {cw} slot", async function () {
    // Prepare
    const owner = await cluster.ownerOf(slot);
    const other = cluster.nodes.findIndex((n) => n.id !== owner.id);
    const url = cluster.urlVia(other);
    const { roundId } = await closeRound(devnet, work.dir);
    // Execute
    operator = await startOperator(operatorConfig(devnet, work.dir, url), url, createLogger({ LOG_LEVEL: "warn" }));
    // Assert
    expect(await waitForSettlement(devnet, roundId, 120_000)).to.equal("Finalized");
  });

  it("finalizes a round while the {cw} slot migrates to another master mid-round", async function () {
    // Prepare
    const from = await cluster.ownerOf(slot);
    const to = cluster.nodes.find((n) => n.id !== from.id);
    if (!to) throw new Error("no second master");
    const url = cluster.urlVia(cluster.nodes.indexOf(from));
    const { roundId } = await closeRound(devnet, work.dir);
    operator = await startOperator(operatorConfig(devnet, work.dir, url), url, createLogger({ LOG_LEVEL: "warn" }));
    const connection = bullmqConnection(url);
    const rounds = new Queue(QUEUES.rounds, { connection, prefix: PREFIX });
    try {
      const jobId = roundJobId(devnet.deployment.chainId, roundId);
      for (let job: Job | undefined; !job; job = await rounds.getJob(jobId)) await new Promise((resolve) => setTimeout(resolve, 50));
      // Execute: the round's job exists; move every key of the slot while the operator works on it.
      const moved = await cluster.migrateSlot(slot, to, 100);
      // Assert
      expect(moved).to.be.greaterThan(0);
      expect((await cluster.ownerOf(slot)).id).to.equal(to.id);
      expect(await waitForSettlement(devnet, roundId, 120_000)).to.equal("Finalized");
    } finally {
      await rounds.close();
      await closeBullmqConnection(connection);
    }
  });
});

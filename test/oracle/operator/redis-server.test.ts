import { expect } from "chai";
import { Job, Queue, QueueEvents, Worker } from "bullmq";

import { RedisUnavailableError } from "../../../oracle/errors.ts";
import { pingRedis, redactUrl, startRedisServer } from "../../../oracle/operator/redis-server.ts";
import { sharedRedis } from "../../support/redis.ts";

describe("toolchain: BullMQ on a real Redis", function () {
  it("enqueues a job and a worker processes it with its result", async function () {
    const { url } = await sharedRedis();
    const prefix = `{cw-smoke-${process.pid}-${Date.now()}}`;
    const connection = { url, maxRetriesPerRequest: null };
    const queue = new Queue("smoke", { connection, prefix });
    const events = new QueueEvents("smoke", { connection, prefix });
    const worker = new Worker("smoke", async (job: Job<{ a: number; b: number }>) => job.data.a + job.data.b, { connection, prefix });
    try {
      await events.waitUntilReady();
      const job = await queue.add("sum", { a: 2, b: 40 }, { jobId: "smoke-sum-1" });
      const duplicate = await queue.add("sum", { a: 0, b: 0 }, { jobId: "smoke-sum-1" });

      const result: unknown = await job.waitUntilFinished(events, 30_000);

      expect(result).to.equal(42);
      expect(duplicate.id).to.equal(job.id);
      expect(await queue.getJobCounts("completed")).to.deep.equal({ completed: 1 });
    } finally {
      await worker.close();
      await queue.obliterate({ force: true });
      await queue.close();
      await events.close();
    }
  });
});

describe("redis-server: a private server for tests and the demo", function () {
  it("starts on a free port with noeviction and append-only, and stops", async function () {
    const redis = await startRedisServer();
    try {
      const { Redis } = await import("ioredis");
      const client = new Redis(redis.url);
      const policy = await client.config("GET", "maxmemory-policy");
      const aof = await client.config("GET", "appendonly");
      client.disconnect();

      expect(redis.url).to.not.equal("redis://127.0.0.1:6379");
      expect(policy).to.deep.equal(["maxmemory-policy", "noeviction"]);
      expect(aof).to.deep.equal(["appendonly", "yes"]);
    } finally {
      await redis.stop();
    }
    expect(await pingRedis(redis.url)).to.equal(false);
  });

  it("reports a missing executable with what to do", async function () {
    const failure: unknown = await startRedisServer({ executable: "/nonexistent/redis-server" }).then(
      () => undefined,
      (err: unknown) => err,
    );

    expect(failure).to.be.instanceOf(RedisUnavailableError);
    expect((failure as Error).message).to.match(/install Redis 7.*REDIS_URL/);
  });

  it("hides passwords in URLs it prints", function () {
    expect(redactUrl("redis://user:s3cret@host:6379/0")).to.equal("redis://user:***@host:6379/0");
  });
});

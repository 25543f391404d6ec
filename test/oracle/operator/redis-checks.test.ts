import { expect } from "chai";
import { Redis } from "ioredis";

import { checkRedisForBullmq } from "../../../oracle/operator/redis-checks.ts";
import { startRedisServer } from "../../../oracle/operator/redis-server.ts";

describe("operator: Redis settings BullMQ needs", function () {
  it("finds nothing to warn about on a server configured for BullMQ", async function () {
    const redis = await startRedisServer();
    const client = new Redis(redis.url);
    try {
      expect(await checkRedisForBullmq(client)).to.deep.equal([]);
    } finally {
      client.disconnect();
      await redis.stop();
    }
  });

  it("warns about an evicting policy and missing persistence", async function () {
    const redis = await startRedisServer();
    const client = new Redis(redis.url);
    try {
      await client.config("SET", "maxmemory-policy", "allkeys-lru");
      await client.config("SET", "appendonly", "no");

      const warnings = await checkRedisForBullmq(client);

      expect(warnings).to.have.length(2);
      expect(warnings[0]).to.match(/maxmemory-policy is allkeys-lru, should be noeviction/);
      expect(warnings[1]).to.match(/appendonly is no, should be yes/);
    } finally {
      client.disconnect();
      await redis.stop();
    }
  });
});

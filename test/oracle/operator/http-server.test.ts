import { expect } from "chai";
import { Queue } from "bullmq";

import { createOperatorMetrics } from "../../../oracle/operator/metrics.ts";
import { startHttpServer } from "../../../oracle/operator/http-server.ts";
import { sharedRedis } from "../../support/redis.ts";

describe("operator: metrics, health and dashboard endpoint", function () {
  it("serves Prometheus metrics including queue depth read at scrape time", async function () {
    let scrapes = 0;
    const metrics = createOperatorMetrics(async () => {
      scrapes += 1;
      return { round: { waiting: 3, active: 1 } };
    });
    metrics.rounds.inc({ outcome: "attested" });
    const server = await startHttpServer({ port: 0, registry: metrics.registry, health: async () => ({ ok: true }) });
    try {
      const body = await (await fetch(`${server.url}/metrics`)).text();

      expect(body).to.match(/cw_operator_rounds_total\{outcome="attested"\} 1/);
      expect(body).to.match(/cw_operator_queue_jobs\{queue="round",state="waiting"\} 3/);
      expect(scrapes).to.equal(1);
    } finally {
      await server.close();
    }
  });

  it("answers /healthz with 200 when healthy and 503 when not", async function () {
    const metrics = createOperatorMetrics();
    let healthy = true;
    const server = await startHttpServer({ port: 0, registry: metrics.registry, health: async () => ({ ok: healthy, redis: healthy }) });
    try {
      const good = await fetch(`${server.url}/healthz`);
      healthy = false;
      const bad = await fetch(`${server.url}/healthz`);

      expect(good.status).to.equal(200);
      expect(bad.status).to.equal(503);
      expect(await bad.json()).to.deep.equal({ ok: false, redis: false });
    } finally {
      await server.close();
    }
  });

  it("serves the bull-board dashboard only when queues are given", async function () {
    const { url: redisUrl } = await sharedRedis();
    const queue = new Queue(`dashboard-test-${process.pid}`, { connection: { url: redisUrl }, prefix: "{cw-test}" });
    const metrics = createOperatorMetrics();
    const withBoard = await startHttpServer({ port: 0, registry: metrics.registry, health: async () => ({ ok: true }), dashboardQueues: [queue] });
    const without = await startHttpServer({ port: 0, registry: metrics.registry, health: async () => ({ ok: true }) });
    try {
      const board = await fetch(`${withBoard.url}/dashboard/`);
      const none = await fetch(`${without.url}/dashboard/`);

      expect(board.status).to.equal(200);
      expect(await board.text()).to.match(/<html/i);
      expect(none.status).to.equal(404);
    } finally {
      await withBoard.close();
      await without.close();
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });
});

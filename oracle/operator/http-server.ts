import type { Server } from "node:http";
import type { AddressInfo } from "node:net";

import { createBullBoard } from "@bull-board/api";
import { BullMQAdapter } from "@bull-board/api/bullMQAdapter";
import { ExpressAdapter } from "@bull-board/express";
import type { Queue } from "bullmq";
import express from "express";
import type { Registry } from "prom-client";

/** What /healthz reports; `ok: false` answers 503 so orchestrators restart or route around. */
export interface HealthReport {
  readonly ok: boolean;
  readonly [detail: string]: unknown;
}

/** Options of {@link startHttpServer}. */
export interface HttpServerOptions {
  readonly port: number;
  /** Loopback by default: metrics and the dashboard are for the operator, not the internet. */
  readonly host?: string;
  readonly registry: Registry;
  readonly health: () => Promise<HealthReport>;
  /** Queues to show on the bull-board dashboard under /dashboard; none: no dashboard. */
  readonly dashboardQueues?: readonly Queue[];
}

/** A running server and how to stop it. */
export interface RunningHttpServer {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Serves `/metrics` (Prometheus text format), `/healthz` (JSON) and, when queues are given, the
 * bull-board dashboard under `/dashboard`.
 */
export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const app = express();
  app.disable("x-powered-by");
  app.get("/metrics", async (_req, res, next) => {
    try {
      res.type(options.registry.contentType).send(await options.registry.metrics());
    } catch (err) {
      next(err);
    }
  });
  app.get("/healthz", async (_req, res) => {
    let report: HealthReport;
    try {
      report = await options.health();
    } catch (err) {
      report = { ok: false, error: err instanceof Error ? err.message : String(err) };
    }
    res.status(report.ok ? 200 : 503).json(report);
  });
  if (options.dashboardQueues && options.dashboardQueues.length > 0) {
    const board = new ExpressAdapter();
    board.setBasePath("/dashboard");
    createBullBoard({ queues: options.dashboardQueues.map((queue) => new BullMQAdapter(queue)), serverAdapter: board });
    app.use("/dashboard", board.getRouter());
  }
  const server: Server = await new Promise((resolve, reject) => {
    const listening = app.listen(options.port, options.host ?? "127.0.0.1", (err?: Error) => (err ? reject(err) : resolve(listening)));
  });
  const { address, port } = server.address() as AddressInfo;
  return {
    url: `http://${address.includes(":") ? `[${address}]` : address}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

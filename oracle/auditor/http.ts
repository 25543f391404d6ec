// The auditor service's HTTP endpoints: /healthz (JSON, 503 when unhealthy) and /metrics (Prometheus text).
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

import type { Registry } from "prom-client";

/** A running server and how to stop it. */
export interface AuditorHttpServer {
  readonly url: string;
  close(): Promise<void>;
}

/** Serves /healthz from `health()` and /metrics from `registry` on loopback `port` (0: any free port). */
export async function startAuditorHttp(port: number, registry: Registry, health: () => { ok: boolean; [k: string]: unknown }): Promise<AuditorHttpServer> {
  const server = createServer((req, res) => {
    if (req.url === "/healthz") {
      const report = health();
      res.writeHead(report.ok ? 200 : 503, { "content-type": "application/json" }).end(JSON.stringify(report));
    } else if (req.url === "/metrics") {
      registry.metrics().then(
        (text) => res.writeHead(200, { "content-type": registry.contentType }).end(text),
        (err: unknown) => res.writeHead(500).end(err instanceof Error ? err.message : String(err)),
      );
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}`,
    close: () => new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
  };
}

import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** The EIP-1193 `request` of an in-process chain (Hardhat's EDR connection provider). */
export interface Eip1193 {
  request(args: { method: string; params?: unknown[] | object }): Promise<unknown>;
}

/** A running bridge: its URL, a switch that makes it drop requests, and how to stop it. */
export interface RpcBridge {
  readonly url: string;
  /** While true every request gets HTTP 503, as from an RPC provider in an outage. */
  failing: boolean;
  /** Methods whose requests (single, or any batch containing one) get HTTP 503, for outages of one path (submission). */
  readonly failingMethods: Set<string>;
  /** Requests answered (not dropped), for tests that count what was sent. */
  readonly counts: Map<string, number>;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 16 * 1024 * 1024;

/**
 * Serves an in-process chain over HTTP JSON-RPC (single and batch requests), so that other
 * processes (worker processes, the `cw` CLI) reach the same chain that this process deployed to
 * with Ignition and drives with Hardhat's time helpers. Loopback only.
 */
export async function startRpcBridge(provider: Eip1193, port = 0): Promise<RpcBridge> {
  const counts = new Map<string, number>();
  const bridge = { failing: false, failingMethods: new Set<string>(), counts } as { failing: boolean; failingMethods: Set<string>; counts: Map<string, number> };
  const answer = async (call: { id?: unknown; method?: unknown; params?: unknown }): Promise<object> => {
    const id = call.id ?? null;
    if (typeof call.method !== "string") return { jsonrpc: "2.0", id, error: { code: -32600, message: "invalid request" } };
    counts.set(call.method, (counts.get(call.method) ?? 0) + 1);
    try {
      const params = Array.isArray(call.params) || (typeof call.params === "object" && call.params !== null) ? (call.params as object) : [];
      return { jsonrpc: "2.0", id, result: await provider.request({ method: call.method, params }) };
    } catch (err) {
      const e = err as { code?: number; message?: string; data?: unknown };
      return { jsonrpc: "2.0", id, error: { code: typeof e.code === "number" ? e.code : -32603, message: e.message ?? String(err), data: e.data } };
    }
  };
  const server: Server = createServer((req, res) => {
    if (bridge.failing) {
      res.writeHead(503).end("rpc outage (simulated by the test bridge)");
      return;
    }
    readBody(req).then(
      async (text) => {
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          res.writeHead(400, { "content-type": "application/json" }).end(JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32700, message: "parse error" } }));
          return;
        }
        const calls: unknown[] = Array.isArray(body) ? body : [body];
        if (calls.some((c) => typeof c === "object" && c !== null && "method" in c && bridge.failingMethods.has(String(c.method)))) {
          res.writeHead(503).end("rpc outage of this method (simulated by the test bridge)");
          return;
        }
        const reply = Array.isArray(body) ? await Promise.all(body.map((c) => answer(c as object))) : await answer(body as object);
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(reply, (_k, v: unknown) => (typeof v === "bigint" ? `0x${v.toString(16)}` : v)));
      },
      (err: unknown) => res.writeHead(413).end(String(err)),
    );
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const { port: bound } = server.address() as AddressInfo;
  return Object.assign(bridge, {
    url: `http://127.0.0.1:${bound}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error("request body too large"));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

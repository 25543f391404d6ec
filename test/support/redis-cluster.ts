// A real Redis Cluster of three masters on loopback, started and removed by the test that needs it.
// Side-effect free: nothing runs at import time.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

import { Redis } from "ioredis";

import { freePort } from "../../oracle/operator/redis-server.ts";

const run = promisify(execFile);

/** One master of a test cluster. */
export interface ClusterNode {
  readonly host: string;
  readonly port: number;
  readonly id: string;
  readonly process: ChildProcess;
}

/** A running 3-master cluster. */
export interface TestRedisCluster {
  readonly nodes: readonly ClusterNode[];
  /** `redis+cluster://` URL naming only `nodes[index]`. */
  urlVia(index: number): string;
  /** The master that owns `slot` now. */
  ownerOf(slot: number): Promise<ClusterNode>;
  /** The slot of `key` (`CLUSTER KEYSLOT`). */
  slotOf(key: string): Promise<number>;
  /**
   * Moves `slot` to `to` the way `redis-cli --cluster reshard` does (IMPORTING/MIGRATING, MIGRATE of
   * every key in batches, SETSLOT NODE everywhere), pausing `pauseMs` between batches so that clients
   * meet ASK and TRYAGAIN answers meanwhile. Returns how many keys moved.
   */
  migrateSlot(slot: number, to: ClusterNode, pauseMs?: number): Promise<number>;
  stop(): Promise<void>;
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`redis cluster: ${what} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Starts three `redis-server --cluster-enabled yes` on free ports (through `launcher`, e.g.
 * `ip netns exec <ns>`, on another host), bound to `host`, joins them with
 * `redis-cli --cluster create ... --cluster-replicas 0`, and waits for `cluster_state:ok` on each.
 */
export async function startRedisCluster(options: { host?: string; launcher?: readonly string[] } = {}): Promise<TestRedisCluster> {
  const host = options.host ?? "127.0.0.1";
  const launcher = options.launcher ?? [];
  const dir = await mkdtemp(join(tmpdir(), "cw-cluster-"));
  const started: { port: number; process: ChildProcess }[] = [];
  const killAll = (): void => {
    for (const s of started) s.process.kill("SIGKILL");
  };
  process.once("exit", killAll);
  try {
    for (let i = 0; i < 3; i += 1) {
      const port = await freePort();
      const busPort = await freePort();
      const child = spawn(launcher[0] ?? "redis-server", [...launcher.slice(1), ...(launcher.length > 0 ? ["redis-server"] : []),
        "--port", String(port), "--cluster-port", String(busPort), "--bind", host, "--dir", dir,
        "--cluster-enabled", "yes", "--cluster-config-file", `nodes-${port}.conf`, "--cluster-node-timeout", "5000",
        "--appendonly", "yes", "--appendfilename", `appendonly-${port}.aof`, "--appenddirname", `aof-${port}`,
        "--save", "", "--maxmemory-policy", "noeviction", "--daemonize", "no",
        // Other hosts (the multi-host test) connect from outside loopback; test clusters have no password.
        "--protected-mode", "no",
      ], { stdio: "ignore" });
      child.unref();
      started.push({ port, process: child });
    }
    const clients = started.map((s) => new Redis({ host, port: s.port, lazyConnect: true, maxRetriesPerRequest: 1 }));
    for (const c of clients) c.on("error", () => undefined);
    try {
      for (const c of clients) await waitFor("node answers PING", async () => ((await c.ping()) === "PONG" ? true : undefined));
      await run("redis-cli", ["--cluster", "create", ...started.map((s) => `${host}:${s.port}`), "--cluster-replicas", "0", "--cluster-yes"]);
      for (const c of clients) {
        await waitFor("cluster_state:ok", async () => ((await c.cluster("INFO")).includes("cluster_state:ok") ? true : undefined));
      }
      const nodes = await Promise.all(started.map(async (s, i) => ({ host, port: s.port, process: s.process, id: String(await clients[i]!.cluster("MYID")) })));
      return makeCluster(nodes, dir, killAll);
    } finally {
      for (const c of clients) c.disconnect();
    }
  } catch (err) {
    killAll();
    process.off("exit", killAll);
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

function makeCluster(nodes: ClusterNode[], dir: string, killAll: () => void): TestRedisCluster {
  const admin = (node: ClusterNode): Redis => {
    const client = new Redis({ host: node.host, port: node.port, maxRetriesPerRequest: 1 });
    client.on("error", () => undefined);
    return client;
  };
  const withAdmin = async <T>(node: ClusterNode, use: (client: Redis) => Promise<T>): Promise<T> => {
    const client = admin(node);
    try {
      return await use(client);
    } finally {
      client.disconnect();
    }
  };
  const ownerOf = async (slot: number): Promise<ClusterNode> => {
    const ranges = await withAdmin(nodes[0]!, (c) => c.cluster("SLOTS"));
    const range = ranges.find(([from, to]) => slot >= from && slot <= to);
    const owner = nodes.find((n) => n.port === range?.[2]?.[1]);
    if (!owner) throw new Error(`no owner of slot ${slot}`);
    return owner;
  };
  return {
    nodes,
    urlVia: (index) => `redis+cluster://${nodes[index]!.host}:${nodes[index]!.port}`,
    ownerOf,
    slotOf: (key) => withAdmin(nodes[0]!, async (c) => Number(await c.cluster("KEYSLOT", key))),
    async migrateSlot(slot, to, pauseMs = 100) {
      const from = await ownerOf(slot);
      if (from.id === to.id) return 0;
      const source = admin(from);
      const target = admin(to);
      let moved = 0;
      try {
        await target.cluster("SETSLOT", slot, "IMPORTING", from.id);
        await source.cluster("SETSLOT", slot, "MIGRATING", to.id);
        for (;;) {
          const keys = (await source.cluster("GETKEYSINSLOT", slot, 10)) as string[];
          if (keys.length === 0) break;
          await source.migrate(to.host, to.port, "", 0, 10_000, "REPLACE", "KEYS", ...keys);
          moved += keys.length;
          await new Promise((resolve) => setTimeout(resolve, pauseMs));
        }
        for (const node of nodes) await withAdmin(node, (c) => c.cluster("SETSLOT", slot, "NODE", to.id));
      } finally {
        source.disconnect();
        target.disconnect();
      }
      return moved;
    },
    async stop() {
      process.off("exit", killAll);
      await Promise.all(
        nodes.map((n) => {
          if (n.process.exitCode !== null || n.process.signalCode !== null) return Promise.resolve();
          n.process.ref();
          const exited = new Promise((resolve) => n.process.once("exit", resolve));
          n.process.kill("SIGTERM");
          return exited;
        }),
      );
      await rm(dir, { recursive: true, force: true });
    },
  };
}

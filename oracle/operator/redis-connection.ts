import { Cluster, Redis, type ClusterOptions, type RedisOptions } from "ioredis";

import { ConfigError } from "../errors.ts";

/*
 * The one place that turns a REDIS_URL into clients. Two forms are accepted:
 *
 *   redis://[user:password@]host:port[/db]        one Redis (rediss:// for TLS)
 *   redis+cluster://[user:password@]h1:p1,h2:p2   a Redis Cluster, given any of its nodes (rediss+cluster:// for TLS)
 *
 * A Cluster client discovers the other nodes from the ones named and follows MOVED and ASK
 * redirections, so any single node of the cluster is enough, also while slots migrate. Every key
 * an operator uses starts with the hash-tagged QUEUE_PREFIX (`{cw}`), so BullMQ's multi-key
 * scripts always run within one slot.
 */

/** A parsed REDIS_URL: one server, or the seed nodes of a cluster. */
export type RedisTarget =
  | { readonly kind: "single"; readonly url: string }
  | {
      readonly kind: "cluster";
      readonly nodes: readonly { readonly host: string; readonly port: number }[];
      readonly username?: string;
      readonly password?: string;
      readonly tls: boolean;
    };

/** Any client this module creates. */
export type RedisClient = Redis | Cluster;

const CLUSTER_URL = /^(rediss?)\+cluster:\/\/(?:([^:@/]*)(?::([^@/]*))?@)?([^/?#@]+)\/?$/;
const NODE = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;

/**
 * Parses a REDIS_URL in either form.
 * @throws {ConfigError} naming what is wrong (never echoing a password).
 */
export function parseRedisTarget(url: string): RedisTarget {
  const cluster = CLUSTER_URL.exec(url);
  if (!cluster) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch (err) {
      throw new ConfigError("REDIS_URL must be redis://host:port, rediss://host:port or redis+cluster://h1:p1,h2:p2,...", { cause: err });
    }
    if (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:") {
      throw new ConfigError(`REDIS_URL scheme ${parsed.protocol} is not redis:, rediss:, redis+cluster: or rediss+cluster:`);
    }
    return { kind: "single", url };
  }
  const [, scheme, username, password, hostList] = cluster;
  const nodes = (hostList ?? "").split(",").map((entry) => {
    const node = NODE.exec(entry.trim());
    const port = Number(node?.[2]);
    if (!node?.[1] || !(port >= 1 && port <= 65_535)) throw new ConfigError(`REDIS_URL cluster node ${JSON.stringify(entry.slice(0, 100))} is not host:port`);
    return { host: node[1].replace(/^\[|\]$/g, ""), port };
  });
  return {
    kind: "cluster",
    nodes,
    ...(username ? { username: decodeURIComponent(username) } : {}),
    ...(password ? { password: decodeURIComponent(password) } : {}),
    tls: scheme === "rediss",
  };
}

/** Options of {@link createRedisClient}. */
export interface RedisClientOptions {
  /** A one-shot probe: connect lazily, no retries, give up after `connectTimeoutMs`. */
  readonly probe?: boolean;
  readonly connectTimeoutMs?: number;
}

/**
 * A client for `url`: `Redis` for one server, `Cluster` for a cluster. Long-lived clients retry
 * forever (`maxRetriesPerRequest: null`, as BullMQ's blocking connections need); a probe does not.
 * @throws {ConfigError} on a malformed URL.
 */
export function createRedisClient(url: string, options: RedisClientOptions = {}): RedisClient {
  const target = parseRedisTarget(url);
  const probe = options.probe ?? false;
  const common: RedisOptions = probe
    ? { lazyConnect: true, connectTimeout: options.connectTimeoutMs ?? 1_500, maxRetriesPerRequest: 0, retryStrategy: () => null }
    : { maxRetriesPerRequest: null, ...(options.connectTimeoutMs ? { connectTimeout: options.connectTimeoutMs } : {}) };
  if (target.kind === "single") return new Redis(target.url, common);
  const clusterOptions: ClusterOptions = {
    redisOptions: {
      ...common,
      ...(target.username ? { username: target.username } : {}),
      ...(target.password ? { password: target.password } : {}),
      ...(target.tls ? { tls: {} } : {}),
    },
    lazyConnect: probe,
    // Slot moves during a reshard answer MOVED, ASK or TRYAGAIN; keep redirecting rather than failing the job.
    maxRedirections: 64,
    retryDelayOnMoved: 50,
    retryDelayOnTryAgain: 100,
    retryDelayOnClusterDown: 200,
    slotsRefreshTimeout: 2_000,
    ...(probe ? { clusterRetryStrategy: () => null } : {}),
  };
  return new Cluster(target.nodes.map((n) => ({ host: n.host, port: n.port })), clusterOptions);
}

/**
 * What BullMQ's `connection` option gets for `url`: plain options for one server (each Queue and
 * Worker opens its own connections), one shared `Cluster` for a cluster (BullMQ duplicates it for
 * blocking commands). Release it with {@link closeBullmqConnection}.
 */
export function bullmqConnection(url: string): RedisOptions | Cluster {
  const target = parseRedisTarget(url);
  if (target.kind === "single") return { url: target.url, maxRetriesPerRequest: null } as RedisOptions;
  const cluster = createRedisClient(url) as Cluster;
  // Errors surface through the queues' and workers' own "error" events; this keeps the shared client from throwing.
  cluster.on("error", () => undefined);
  return cluster;
}

/** Disconnects what {@link bullmqConnection} created (a no-op for plain options). */
export async function closeBullmqConnection(connection: object): Promise<void> {
  if (connection instanceof Cluster) await connection.quit().catch(() => connection.disconnect());
}

/**
 * The servers behind a client: itself for one Redis, every master for a cluster (once connected),
 * for checks that must run on each node (`CONFIG GET`).
 */
export async function serversOf(client: RedisClient): Promise<Redis[]> {
  if (!(client instanceof Cluster)) return [client];
  if (client.status !== "ready") await new Promise<void>((resolve, reject) => {
    client.once("ready", resolve);
    client.once("end", () => reject(new Error("redis cluster connection ended before it was ready")));
  });
  return client.nodes("master");
}

/** True when a Redis (either form) at `url` answers PING within `timeoutMs`. */
export async function pingRedisUrl(url: string, timeoutMs = 1_500): Promise<boolean> {
  const client = createRedisClient(url, { probe: true, connectTimeoutMs: timeoutMs });
  // Connection errors are the expected "no" of this probe; they must not surface as unhandled.
  client.on("error", () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

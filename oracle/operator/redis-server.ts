import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { RedisUnavailableError } from "../errors.ts";
import { pingRedisUrl } from "./redis-connection.ts";

/** The Redis the developer and CI machines run. */
export const DEFAULT_LOCAL_REDIS_URL = "redis://127.0.0.1:6379";
/** How long a started `redis-server` may take to answer PING. */
const START_TIMEOUT_MS = 10_000;
const PING_TIMEOUT_MS = 1_500;

const HOW_TO_GET_REDIS =
  "install Redis 7 (Debian/Ubuntu: `sudo apt-get install redis-server`; macOS: `brew install redis`) " +
  "so that `redis-server` is on PATH, or set REDIS_URL to a Redis you run (for example redis://127.0.0.1:6379)";

/** A Redis the caller can use; `stop()` shuts it down only if this process started it. */
export interface RedisHandle {
  readonly url: string;
  /** True when this process started the server (and `stop()` will end it). */
  readonly started: boolean;
  stop(): Promise<void>;
}

/** Resolves true when a Redis at `url` answers PING within {@link PING_TIMEOUT_MS}. */
export async function pingRedis(url: string): Promise<boolean> {
  return pingRedisUrl(url, PING_TIMEOUT_MS);
}

/** Asks the kernel for a free TCP port on loopback. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === "object") resolve(address.port);
        else reject(new Error("could not read the port of a listening socket"));
      });
    });
  });
}

/** Options of {@link startRedisServer}. */
export interface StartRedisOptions {
  /** @defaultValue a free port */
  port?: number;
  /** Data directory (append-only file). @defaultValue a new temporary directory, removed on stop */
  dir?: string;
  /** `redis-server` executable. @defaultValue "redis-server" from PATH */
  executable?: string;
}

/**
 * Starts a private `redis-server` configured as BullMQ needs: `noeviction`, append-only persistence,
 * loopback only. Used by tests that wipe, restart or kill Redis, and by the demo when no Redis runs.
 * @throws {RedisUnavailableError} when the executable is missing or the server does not answer.
 */
export async function startRedisServer(options: StartRedisOptions = {}): Promise<RedisHandle & { port: number; dir: string; process: ChildProcess }> {
  const port = options.port ?? (await freePort());
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), "cw-redis-")));
  const executable = options.executable ?? "redis-server";
  const child = spawn(
    executable,
    [
      "--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--appendonly", "yes",
      "--appendfsync", "everysec", "--save", "", "--maxmemory-policy", "noeviction", "--daemonize", "no",
    ],
    { stdio: "ignore" },
  );
  // The server must never outlive this process, nor keep its event loop alive.
  child.unref();
  const killOnExit = (): void => {
    child.kill("SIGKILL");
  };
  process.once("exit", killOnExit);
  const spawnFailure = new Promise<Error>((resolve) => child.once("error", resolve));
  const url = `redis://127.0.0.1:${port}`;
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    const failure = await Promise.race([spawnFailure, delay(100).then(() => undefined)]);
    if (failure) {
      if (ownDir) await rm(dir, { recursive: true, force: true });
      throw new RedisUnavailableError(`could not start ${executable}: ${failure.message}; ${HOW_TO_GET_REDIS}`, { cause: failure });
    }
    if (await pingRedis(url)) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill("SIGKILL");
      if (ownDir) await rm(dir, { recursive: true, force: true });
      throw new RedisUnavailableError(`${executable} on port ${port} did not answer within ${START_TIMEOUT_MS} ms; ${HOW_TO_GET_REDIS}`);
    }
  }
  const stop = async (): Promise<void> => {
    process.off("exit", killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      // Unreferenced so far; waiting for its exit must keep this process alive.
      child.ref();
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    }
    if (ownDir) await rm(dir, { recursive: true, force: true });
  };
  return { url, port, dir, process: child, started: true, stop };
}

/**
 * Finds a Redis for development, tests and the demo: `url` when given (it must answer), else the
 * local default when it answers, else a private `redis-server` started from PATH.
 * @throws {RedisUnavailableError} with instructions when none can be had.
 */
export async function findOrStartRedis(url?: string): Promise<RedisHandle> {
  const none = async (): Promise<void> => undefined;
  if (url !== undefined) {
    if (await pingRedis(url)) return { url, started: false, stop: none };
    throw new RedisUnavailableError(`no Redis answers at ${redactUrl(url)} (REDIS_URL); start it, or unset REDIS_URL to let Commonweight find or start one`);
  }
  if (await pingRedis(DEFAULT_LOCAL_REDIS_URL)) return { url: DEFAULT_LOCAL_REDIS_URL, started: false, stop: none };
  return startRedisServer();
}

/** Hides the password of a Redis URL for messages and logs. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, "//$1:***@");
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

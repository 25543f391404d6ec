import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

import type { Logger } from "../logger.ts";

const CW_BIN = fileURLToPath(new URL("../../bin/cw.js", import.meta.url));
/** Delay before a crashed worker process is restarted; doubles up to {@link MAX_RESTART_DELAY_MS}. */
const RESTART_DELAY_MS = 1_000;
const MAX_RESTART_DELAY_MS = 60_000;

/** Running compute worker processes. */
export interface WorkerSupervisor {
  /** Process ids of the running worker processes. */
  pids(): number[];
  /** Stops restarting, sends SIGTERM to every worker and waits for each to exit. */
  close(): Promise<void>;
}

/**
 * Runs `count` compute worker processes (`cw operator worker`) with exactly `env` as their
 * environment (built from the parsed settings: nothing else of this process's environment reaches
 * them) and restarts any that dies. Each worker holds the read end of a pipe on its standard input
 * and exits when it closes, so workers never outlive this process, even after `kill -9`.
 */
export function startWorkerSupervisor(args: { count: number; env: Readonly<Record<string, string>>; log: Logger }): WorkerSupervisor {
  const children = new Set<ChildProcess>();
  let stopping = false;
  const spawnWorker = (delayMs: number): void => {
    const child = spawn(process.execPath, [CW_BIN, "operator", "worker", "--no-env-file", "--exit-with-parent"], {
      env: { ...args.env },
      stdio: ["pipe", "inherit", "inherit"],
    });
    children.add(child);
    child.stdin?.on("error", (err) => args.log.warn({ err, pid: child.pid }, "worker stdin pipe error"));
    child.once("exit", (code, signal) => {
      children.delete(child);
      if (stopping) return;
      args.log.error({ pid: child.pid, code, signal }, "compute worker exited; restarting");
      setTimeout(() => spawnWorker(Math.min(delayMs * 2, MAX_RESTART_DELAY_MS)), delayMs).unref();
    });
  };
  for (let i = 0; i < args.count; i += 1) spawnWorker(RESTART_DELAY_MS);
  return {
    pids: () => [...children].flatMap((child) => (child.pid === undefined ? [] : [child.pid])),
    async close() {
      stopping = true;
      const exits = [...children].map((child) => new Promise((resolve) => child.once("exit", resolve)));
      for (const child of children) child.kill("SIGTERM");
      await Promise.all(exits);
    },
  };
}

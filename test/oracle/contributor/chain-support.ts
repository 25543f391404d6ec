// Shared helpers of the contributor end-to-end tests: run `cw` as a child process, open a client session for a
// devnet contributor. Side-effect free: nothing runs at import time.
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { loadContributorConfig } from "../../../oracle/config.ts";
import { openSession, type ContributorSession } from "../../../oracle/contributor/session.ts";
import { devAccountKey, type Devnet } from "../../../oracle/devnet/devnet.ts";

export const CW = fileURLToPath(new URL("../../../bin/cw.js", import.meta.url));

/** The private key of devnet contributor `index` (accounts 0 and 1 are deployer and sponsor, then the operators). */
export function contributorKey(devnet: Devnet, index: number): string {
  return devAccountKey(2 + devnet.operators.length + index);
}

/** The settings a contributor of `devnet` uses; salts go below `dir`. */
export function contributorEnv(devnet: Devnet, dir: string, key?: string): Record<string, string> {
  return {
    RPC_URL: devnet.bridge.url,
    DEPLOYMENT: devnet.manifestPath,
    CONTRIBUTOR_STATE_DIR: join(dir, "contributor-state"),
    STORE_DIR: devnet.store.root,
    FETCH_TIMEOUT_MS: "5000",
    ...(key ? { CONTRIBUTOR_PRIVATE_KEY: key } : {}),
  };
}

/** A client session for devnet contributor `index` (or read-only without an index). */
export async function contributorSession(devnet: Devnet, dir: string, index?: number): Promise<ContributorSession> {
  const env = contributorEnv(devnet, dir, index === undefined ? undefined : contributorKey(devnet, index));
  return openSession(loadContributorConfig({ env, requireKey: index !== undefined }), index !== undefined);
}

/** Starts `cw` in a child process with `env` on top of a clean environment. */
export function spawnCw(args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [CW, ...args], { stdio: ["ignore", "pipe", "pipe"], env: { PATH: process.env.PATH ?? "", ...env } });
}

/** Runs `cw` to the end and returns its exit status and output. */
export function runCw(args: string[], env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawnCw(args, env);
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

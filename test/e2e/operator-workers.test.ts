import { expect } from "chai";
import { spawn, type ChildProcess } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import type { Devnet } from "../../oracle/devnet/devnet.ts";
import { startRedisServer } from "../../oracle/operator/redis-server.ts";
import { startTestDevnet, tempDir } from "./support.ts";

const CW = fileURLToPath(new URL("../../bin/cw.js", import.meta.url));
const SEPOLIA_KEY = `0x${"5e".repeat(32)}`;

/** Child process ids of `pid` (Linux /proc). */
async function childrenOf(pid: number): Promise<number[]> {
  const text = await readFile(`/proc/${pid}/task/${pid}/children`, "utf8").catch(() => "");
  return text.split(/\s+/).filter(Boolean).map(Number);
}

/** Whether `pid` is a live process (a zombie waiting to be reaped counts as gone). */
async function alive(pid: number): Promise<boolean> {
  const status = await readFile(`/proc/${pid}/status`, "utf8").catch(() => "");
  return status !== "" && !/^State:\s+Z/m.test(status);
}

async function until(condition: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("e2e: cw operator start's worker processes", function () {
  this.timeout(120_000);
  let work: Awaited<ReturnType<typeof tempDir>>;
  let devnet: Devnet;
  let redis: Awaited<ReturnType<typeof startRedisServer>>;
  let operator: ChildProcess | undefined;
  let workers: number[] = [];

  beforeEach(async function () {
    work = await tempDir("cw-workers-");
    devnet = await startTestDevnet(work.dir, 1);
    redis = await startRedisServer();
    operator = spawn(process.execPath, [CW, "operator", "start"], {
      cwd: work.dir,
      stdio: ["ignore", "ignore", "inherit"],
      env: {
        PATH: process.env.PATH ?? "",
        SEPOLIA_PRIVATE_KEY: SEPOLIA_KEY,
        REDIS_URL: redis.url,
        RPC_URL: devnet.bridge.url,
        DEPLOYMENT: devnet.manifestPath,
        ORACLE_PRIVATE_KEY: devnet.operators[0]?.privateKey ?? "",
        STORE_DIR: devnet.store.root,
        WORK_DIR: join(work.dir, "operator"),
        WORKERS: "2",
        BACKEND: "cpu",
        CONFIRMATIONS: "1",
        METRICS_PORT: "0",
        LOG_LEVEL: "error",
      },
    });
    const pid = operator.pid ?? 0;
    await until(async () => (workers = await childrenOf(pid)).length === 2, 60_000, "two worker processes");
  });

  afterEach(async function () {
    if (operator && operator.exitCode === null && operator.signalCode === null) operator.kill("SIGKILL");
    for (const pid of workers) if (await alive(pid)) process.kill(pid, "SIGKILL");
    await redis?.stop();
    await devnet?.close();
    await work?.remove();
  });

  it("exit when `cw operator start` is killed with SIGKILL", async function () {
    operator?.kill("SIGKILL");

    await until(async () => !(await Promise.all(workers.map(alive))).some(Boolean), 30_000, "the workers to exit");

    expect(await Promise.all(workers.map(alive))).to.deep.equal([false, false]);
  });

  it("never see a SEPOLIA_PRIVATE_KEY or the operator key of the parent's environment", async function () {
    const environments = await Promise.all(workers.map((pid) => readFile(`/proc/${pid}/environ`, "utf8")));

    for (const environ of environments) {
      const names = environ.split("\0").map((entry) => entry.split("=")[0]);
      expect(names).to.include("RPC_URL");
      expect(names).to.not.include("SEPOLIA_PRIVATE_KEY");
      expect(names).to.not.include("ORACLE_PRIVATE_KEY");
      expect(environ).to.not.include(SEPOLIA_KEY.slice(2));
    }
  });
});

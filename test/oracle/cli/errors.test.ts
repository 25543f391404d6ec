// Every failure a newcomer can hit prints one line and exits non-zero; --debug adds the stack trace. Each test spawns
// the real CLI (bin/cw.js, scripts/demo.ts) with the project's Node.
import { execFile, spawn } from "node:child_process";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { expect } from "chai";

import { genesisModelFile } from "../../../oracle/contributor/genesis.ts";
import { VECTORS_DIR } from "../compute/vectors-dir.ts";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const CW = join(ROOT, "bin/cw.js");
const DEMO = join(ROOT, "scripts/demo.ts");
const ANY_ADDRESS = "0x5FbDB2315678afecb367f032d93F642f64180aa3";

type Run = { code: number; stdout: string; stderr: string };

function run(script: string, args: readonly string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const childEnv: NodeJS.ProcessEnv = { ...process.env, DEBUG: "", ...env };
    execFile(process.execPath, [script, ...args], { encoding: "utf8", cwd: ROOT, env: childEnv, timeout: 110_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === "number" ? err.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

/** A TCP port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

async function manifest(dir: string): Promise<string> {
  const file = join(dir, "localhost.json");
  const contracts = Object.fromEntries(["token", "staking", "policy", "modelRegistry", "oracleRegistry", "rounds", "timelock", "governor"].map((k) => [k, ANY_ADDRESS]));
  await writeFile(file, JSON.stringify({ network: "localhost", chainId: "31337", deployedAtBlock: 0, contracts }));
  return file;
}

/** Whether something answers on 127.0.0.1:8545 (the `localhost` network), which would make "no node" untestable. */
async function localhostAnswers(): Promise<boolean> {
  try {
    await fetch("http://127.0.0.1:8545", { method: "POST", body: "{}", signal: AbortSignal.timeout(1_000) });
    return true;
  } catch {
    return false; // nothing listening: the case under test
  }
}

/** Child process ids of `pid` (Linux /proc). */
async function childrenOf(pid: number): Promise<number[]> {
  const text = await readFile(`/proc/${pid}/task/${pid}/children`, "utf8").catch(() => "");
  return text.split(/\s+/).filter(Boolean).map(Number);
}

/** Whether `pid` is a live process (a zombie counts as gone). */
async function alive(pid: number): Promise<boolean> {
  const status = await readFile(`/proc/${pid}/status`, "utf8").catch(() => "");
  return status !== "" && !/^State:\s+Z/m.test(status);
}

describe("one-line errors", function () {
  this.timeout(120_000);
  let dir = "";

  before(async function () {
    dir = await mkdtemp(join(tmpdir(), "cw-errors-"));
  });
  after(async function () {
    await rm(dir, { recursive: true, force: true });
  });

  it("cw inspect README.md says it is not a safetensors file, exit 2", async function () {
    const result = await run(CW, ["inspect", "README.md"]);
    expect(result.stderr).to.equal("cw: README.md: not a safetensors file (header length exceeds the cap)\n");
    expect(result.code).to.equal(2);
  });

  it("--debug adds the stack trace to the one line", async function () {
    const result = await run(CW, ["inspect", "README.md", "--debug"]);
    const lines = result.stderr.trim().split("\n");
    expect(lines[0]).to.equal("cw: README.md: not a safetensors file (header length exceeds the cap)");
    expect(lines.slice(1).some((l) => /^\s+at /.test(l))).to.equal(true);
    expect(result.code).to.equal(2);
  });

  it("cw aggregate with a truncated base model names the file, exit 2", async function () {
    const caseDir = join(dir, "truncated");
    await cp(fileURLToPath(new URL("fedavg-uniform/", VECTORS_DIR)), caseDir, { recursive: true });
    const base = join(caseDir, "base.safetensors");
    const bytes = await readFile(base);
    await writeFile(base, bytes.subarray(0, bytes.length - 4));
    const result = await run(CW, ["aggregate", caseDir, "--backend", "cpu"]);
    expect(result.stderr).to.equal(`cw: ${base}: not a canonical model file (tensor out.w lies outside the data)\n`);
    expect(result.code).to.equal(2);
  });

  it("cw contributor status with the chain down says the chain is unreachable, exit 1", async function () {
    const port = await closedPort();
    const result = await run(CW, ["contributor", "status", "--rpc-url", `http://127.0.0.1:${port}`, "--deployment", await manifest(dir), "--account", ANY_ADDRESS]);
    expect(result.stderr).to.equal(`cw: chain unreachable: cannot connect to 127.0.0.1:${port} (ECONNREFUSED); is the node running, and is --rpc-url (or RPC_URL) right?\n`);
    expect(result.code).to.equal(1);
  });

  it("cw verify-round with the chain down says the chain is unreachable, exit 1", async function () {
    const port = await closedPort();
    const result = await run(CW, ["verify-round", "1", "--rpc-url", `http://127.0.0.1:${port}`, "--deployment", await manifest(dir), "--backend", "cpu"]);
    expect(result.stderr).to.equal(`cw: chain unreachable: cannot connect to 127.0.0.1:${port} (ECONNREFUSED); is the node running, and is --rpc-url (or RPC_URL) right?\n`);
    expect(result.code).to.equal(1);
  });

  it("cw operator start with the chain down exits with one line and leaves no compute worker running", async function () {
    this.timeout(240_000);
    const port = await closedPort();
    const env: NodeJS.ProcessEnv = {
      ...process.env, DEBUG: "", RPC_URL: `http://127.0.0.1:${port}`, DEPLOYMENT: await manifest(dir), METRICS_PORT: "0", WORKERS: "1",
      ORACLE_PRIVATE_KEY: "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d", QUEUE_PREFIX: `{errors${port}}`,
      WORK_DIR: join(dir, "op-work"), STORE_DIR: join(dir, "op-store"), LOG_LEVEL: "silent",
    };
    const child = spawn(process.execPath, [CW, "operator", "start"], { cwd: ROOT, env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => { stderr += chunk.toString(); });
    const workers = new Set<number>();
    const exited = new Promise<number>((resolve) => child.once("exit", (code) => resolve(code ?? -1)));
    let done = false;
    void exited.then(() => { done = true; });
    while (!done) {
      for (const pid of await childrenOf(child.pid ?? 0)) workers.add(pid);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const code = await exited;
    expect(stderr).to.equal(`cw: chain unreachable: cannot connect to 127.0.0.1:${port} (ECONNREFUSED); is the node running, and is --rpc-url (or RPC_URL) right?\n`);
    expect(code).to.equal(1);
    expect(workers.size).to.be.greaterThan(0);
    const deadline = Date.now() + 20_000;
    const remaining = async (): Promise<number[]> => (await Promise.all([...workers].map(async (pid) => ((await alive(pid)) ? pid : 0)))).filter((pid) => pid !== 0);
    while ((await remaining()).length > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await remaining()).to.deep.equal([]);
  });

  it("cw model init writes the same genesis file for the same seed", async function () {
    const out = join(dir, "genesis.safetensors");
    const result = await run(CW, ["model", "init", "--out", out, "--seed", "s1"]);
    expect(result.code).to.equal(0);
    expect((await readFile(out)).equals(Buffer.from(genesisModelFile("s1")))).to.equal(true);
  });

  it("npm run demo -- --network mainnet names the unknown network, exit 2", async function () {
    const result = await run(DEMO, ["--network", "mainnet"]);
    expect(result.stderr).to.equal("demo: --network mainnet: no such network in hardhat.config.ts (configured: hardhat, default, hardhatMainnet, localhost, sepolia, node)\n");
    expect(result.code).to.equal(2);
  });

  it("npm run demo -- --network localhost with no node says so, exit 2", async function () {
    if (await localhostAnswers()) this.skip();
    const result = await run(DEMO, ["--network", "localhost"]);
    expect(result.stderr).to.equal("demo: --network localhost: no node answers at http://127.0.0.1:8545 (start one with `npx hardhat node`, or pick another network)\n");
    expect(result.code).to.equal(2);
  });

  it("npm run demo -- --redis-url with no Redis there blames the flag, exit 1", async function () {
    const port = await closedPort();
    const result = await run(DEMO, ["--redis-url", `redis://127.0.0.1:${port}`, "--quiet"]);
    expect(result.stderr).to.equal(`demo: --redis-url: no Redis answers at redis://127.0.0.1:${port}; start it, or drop --redis-url to let the demo find or start one\n`);
    expect(result.code).to.equal(1);
  });
});

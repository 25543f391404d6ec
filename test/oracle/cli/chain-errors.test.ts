// One-line errors that need a chain: a real `npx hardhat node` on a free port, deployed with the deploy task, and
// the real `cw` in its own process for each case.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { expect } from "chai";
import { Wallet } from "ethers";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const CW = join(ROOT, "bin/cw.js");
const HARDHAT = join(ROOT, "node_modules/hardhat/dist/src/cli.js");

type Run = { code: number; stdout: string; stderr: string };

function run(args: readonly string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { encoding: "utf8", cwd: ROOT, env: { ...process.env, DEBUG: "", ...env }, timeout: 170_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === "number" ? err.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

async function waitForNode(url: string): Promise<void> {
  for (let i = 0; i < 240; i++) {
    try {
      if ((await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }) })).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`no node at ${url}`);
}

describe("one-line errors against a real node", function () {
  this.timeout(300_000);
  let dir = "";
  let node: ChildProcess | undefined;
  let env: Record<string, string> = {};
  let deploymentId = "";

  before(async function () {
    dir = await mkdtemp(join(tmpdir(), "cw-chain-errors-"));
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    node = spawn(process.execPath, [HARDHAT, "node", "--port", String(port)], { cwd: ROOT, stdio: "ignore" });
    await waitForNode(url);
    env = { LOCALHOST_RPC_URL: url, RPC_URL: url, DEPLOYMENT: join(dir, "localhost.json"), STORE_DIR: join(dir, "store"), CONTRIBUTOR_STATE_DIR: join(dir, "state") };
    const deployed = await run([HARDHAT, "deploy", "--network", "localhost", "--deployment", env.DEPLOYMENT ?? "", "--deployment-id", (deploymentId = `errors-${port}`), "--store", env.STORE_DIR ?? ""], env);
    if (deployed.code !== 0) throw new Error(`deploy failed: ${deployed.stderr}`);
  });

  after(async function () {
    node?.kill("SIGTERM");
    await rm(dir, { recursive: true, force: true });
    // Ignition journals every deployment under ignition/deployments/<id>; this one is throwaway.
    if (deploymentId !== "") await rm(join(ROOT, "ignition", "deployments", deploymentId), { recursive: true, force: true });
  });

  it("cw contributor stake with no tokens says what it holds and needs, in CWT, exit 2", async function () {
    const wallet = Wallet.createRandom();
    const result = await run([CW, "contributor", "stake", "100"], { ...env, CONTRIBUTOR_PRIVATE_KEY: wallet.privateKey });
    expect(result.stderr).to.equal(`cw: ${wallet.address} holds 0 CWT, needs 100 CWT to stake\n`);
    expect(result.code).to.equal(2);
  });

  it("cw operator register with no tokens is one line, not a trace", async function () {
    const wallet = Wallet.createRandom();
    const result = await run([CW, "operator", "register"], { ...env, ORACLE_PRIVATE_KEY: wallet.privateKey, METRICS_PORT: "0" });
    expect(result.stderr).to.equal(`cw: ${wallet.address} holds 0 CWT, needs 10000 CWT to stake\n`);
    expect(result.code).to.not.equal(0);
  });
});

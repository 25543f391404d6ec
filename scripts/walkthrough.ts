// `npm run walkthrough`: the README's "Run a round by hand", command for command, each as its own process, against a
// private `npx hardhat node` on a free port and a private redis-server. Exits 0 only when the round is Finalized,
// every claim is paid, the non-revealer is slashed and the stakes are released; the last line is the round's status.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";

import { JsonRpcProvider, Network } from "ethers";

import { connectContracts } from "../oracle/chain/contracts.ts";
import { debugRequested, reportFailure } from "../oracle/cli/failure.ts";
import { readDeployment } from "../oracle/chain/deployment.ts";
import { startRedisServer } from "../oracle/operator/redis-server.ts";

/** One command of the walkthrough, exactly as the README shows it. */
export interface WalkthroughStep {
  /** A bash command line; `$NAME` refers to {@link WALKTHROUGH_SETTINGS} and the dev keys. */
  readonly command: string;
  /** Runs in the background until the walkthrough ends (the README appends ` &`). */
  readonly background?: boolean;
  /** Rerun (every 3 s, up to 5 minutes) until the output matches (the README says "repeat until …"). */
  readonly until?: RegExp;
}

/** Hardhat's public development accounts (never for real funds) and the actor each plays in the walkthrough. */
export const DEV_ACCOUNTS = [
  { role: "DEPLOYER", index: 0, address: "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", key: "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80" },
  { role: "SPONSOR", index: 1, address: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", key: "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d" },
  { role: "OPERATOR1", index: 2, address: "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC", key: "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a" },
  { role: "OPERATOR2", index: 3, address: "0x90F79bf6EB2c4f870365E785982E1f101E93b906", key: "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6" },
  { role: "ALICE", index: 4, address: "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65", key: "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a" },
  { role: "BOB", index: 5, address: "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc", key: "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba" },
  { role: "CAROL", index: 6, address: "0x976EA74026E726554dB657fA54763abd0C3a0aa9", key: "0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e" },
] as const;

const HH = "npx hardhat";
const NET = "--network localhost --deployment $DEPLOYMENT";
const contributors = ["ALICE", "BOB", "CAROL"] as const;
const revealers = ["ALICE", "BOB"] as const;
const as = (who: string): string => `CONTRIBUTOR_PRIVATE_KEY=$${who}_KEY`;
const operator = (n: 1 | 2): string => `ORACLE_PRIVATE_KEY=$OPERATOR${n}_KEY`;

/** Every command of the README's "Run a round by hand", in order. */
export const WALKTHROUGH_STEPS: readonly WalkthroughStep[] = [
  { command: `${HH} deploy ${NET} --deployment-id $DEPLOYMENT_ID --store $STORE_DIR` },
  { command: `${HH} token:faucet ${NET} --to $SPONSOR_ADDRESS --amount 10000` },
  { command: `${HH} token:faucet ${NET} --to $OPERATOR1_ADDRESS --amount 20000` },
  { command: `${HH} token:faucet ${NET} --to $OPERATOR2_ADDRESS --amount 20000` },
  ...contributors.map((c) => ({ command: `${HH} token:faucet ${NET} --to $${c}_ADDRESS --amount 1000` })),
  ...contributors.map((c) => ({ command: `${as(c)} npx cw contributor stake` })),
  { command: `${operator(1)} npx cw operator register` },
  { command: `${operator(2)} npx cw operator register` },
  { command: `${operator(1)} WORK_DIR=$WORK/op1 QUEUE_PREFIX={op1} npx cw operator start`, background: true },
  { command: `${operator(2)} WORK_DIR=$WORK/op2 QUEUE_PREFIX={op2} npx cw operator start`, background: true },
  { command: `SPONSOR_PRIVATE_KEY=$SPONSOR_KEY npx cw sponsor open --budget 1000` },
  ...contributors.map((c, i) => ({ command: `npx cw contributor train --round 1 --contributor ${i} --contributors 3 --out $WORK/${c.toLowerCase()}.safetensors` })),
  ...contributors.map((c) => ({ command: `${as(c)} npx cw contributor commit --round 1 --update-file $WORK/${c.toLowerCase()}.safetensors` })),
  { command: `${HH} time:advance 25h --network localhost` },
  ...revealers.map((c) => ({ command: `${as(c)} npx cw contributor reveal --round 1` })),
  { command: `${HH} time:advance 25h --network localhost` },
  { command: `SPONSOR_PRIVATE_KEY=$SPONSOR_KEY npx cw sponsor close --round 1` },
  { command: `${HH} round:status 1 ${NET}`, until: /round 1: Finalized/ },
  { command: `${HH} time:advance 25h --network localhost` },
  ...revealers.map((c) => ({ command: `${as(c)} npx cw contributor receipt --round 1` })),
  ...revealers.map((c) => ({ command: `${as(c)} npx cw contributor claim --round 1` })),
  { command: `KEEPER_PRIVATE_KEY=$DEPLOYER_KEY npx cw keeper slash --round 1` },
  { command: `${operator(1)} npx cw operator claim --round 1` },
  { command: `${operator(2)} npx cw operator claim --round 1` },
  { command: `KEEPER_PRIVATE_KEY=$DEPLOYER_KEY npx cw keeper release --round 1` },
  ...revealers.map((c) => ({ command: `${as(c)} npx cw contributor unstake` })),
  { command: `${HH} round:status 1 ${NET}` },
];

/** The README form of the steps: one line each, ` &` for background ones, the `until` condition as a comment. */
export function readmeLines(steps: readonly WalkthroughStep[] = WALKTHROUGH_STEPS): string[] {
  return steps.map((s) => `${s.command}${s.background ? " &" : ""}${s.until ? `   # repeat until it says ${s.until.source.replace(/^round 1: /, "")}` : ""}`);
}

/** The settings the README exports before the commands (the walkthrough sets its own values of the same names). */
export function settings(dir: string, rpcUrl: string, redisUrl: string): Record<string, string> {
  const env: Record<string, string> = {
    LOCALHOST_RPC_URL: rpcUrl,
    RPC_URL: rpcUrl,
    DEPLOYMENT: join(dir, "localhost.json"),
    DEPLOYMENT_ID: `walkthrough-${Date.now()}`,
    STORE_DIR: join(dir, "store"),
    CONTRIBUTOR_STATE_DIR: join(dir, "contributor"),
    WORK: dir,
    REDIS_URL: redisUrl,
    CONFIRMATIONS: "0",
    METRICS_PORT: "0",
  };
  for (const a of DEV_ACCOUNTS) {
    env[`${a.role}_KEY`] = a.key;
    env[`${a.role}_ADDRESS`] = a.address;
  }
  return env;
}

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const POLL_MS = 3_000;
const UNTIL_LIMIT_MS = 5 * 60_000;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("could not find a free port");
  return address.port;
}

function start(command: string, env: NodeJS.ProcessEnv, output: "inherit" | "pipe"): ChildProcess {
  return spawn("bash", ["-c", command], { cwd: ROOT, env, stdio: ["ignore", output, output], detached: true });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return Promise.resolve();
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  process.kill(-child.pid, "SIGTERM");
  const force = setTimeout(() => child.pid !== undefined && process.kill(-child.pid, "SIGKILL"), 15_000);
  return exited.finally(() => clearTimeout(force));
}

/** Runs one command to completion; returns its exit status and everything it printed. */
function runOnce(command: string, env: NodeJS.ProcessEnv): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = start(command, env, "pipe");
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => { output += chunk.toString(); process.stdout.write(chunk); });
    child.stderr?.on("data", (chunk: Buffer) => { output += chunk.toString(); process.stderr.write(chunk); });
    child.on("exit", (code) => resolve({ code: code ?? 1, output }));
  });
}

async function waitForNode(url: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }) });
      if (response.ok) return;
    } catch {
      // not listening yet: poll again
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`npx hardhat node did not answer at ${url} within 120 s`);
}

/** Checks the outcome on chain; returns the problems (none: the round went all the way). */
async function checkOutcome(env: Record<string, string>, staked: Map<string, bigint>): Promise<string[]> {
  const deployment = await readDeployment(env.DEPLOYMENT ?? "");
  const network = Network.from(deployment.chainId);
  const provider = new JsonRpcProvider(env.RPC_URL, network, { staticNetwork: network });
  try {
    const c = connectContracts(deployment, provider);
    const problems: string[] = [];
    const round = await c.rounds.round(1n);
    if (Number(round.status) !== 3) problems.push(`round 1 is not Finalized (status ${round.status})`);
    for (const who of revealers) {
      const address = env[`${who}_ADDRESS`] ?? "";
      if (!(await c.rounds.isClaimed(1n, address))) problems.push(`${who}'s claim is not paid`);
      if ((await c.staking.lockedOf(address)) !== 0n) problems.push(`${who}'s stake is still locked`);
    }
    const paidOperators = await c.rounds.queryFilter(c.rounds.filters.OperatorRewardClaimed(1n), deployment.deployedAtBlock);
    if (paidOperators.length < 2) problems.push(`${paidOperators.length} of 2 operator shares paid`);
    const carol = env.CAROL_ADDRESS ?? "";
    if ((await c.staking.stakeOf(carol)) >= (staked.get("CAROL") ?? 0n)) problems.push("CAROL (the non-revealer) was not slashed");
    return problems;
  } finally {
    provider.destroy();
  }
}

async function stakeOf(env: Record<string, string>, who: string): Promise<bigint> {
  const deployment = await readDeployment(env.DEPLOYMENT ?? "");
  const network = Network.from(deployment.chainId);
  const provider = new JsonRpcProvider(env.RPC_URL, network, { staticNetwork: network });
  try {
    return await connectContracts(deployment, provider).staking.stakeOf(env[`${who}_ADDRESS`] ?? "");
  } finally {
    provider.destroy();
  }
}

/** Runs the walkthrough; returns the exit status. */
export async function walkthrough(): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), "cw-walkthrough-"));
  const port = await freePort();
  const redis = await startRedisServer();
  const env = settings(dir, `http://127.0.0.1:${port}`, redis.url);
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env, PATH: `${join(ROOT, "node_modules/.bin")}${delimiter}${process.env.PATH ?? ""}` };
  const background: ChildProcess[] = [];
  const node = start(`npx hardhat node --port ${port}`, childEnv, "pipe");
  node.stdout?.resume();
  node.stderr?.resume();
  background.push(node);
  const staked = new Map<string, bigint>();
  let last = "";
  let problems: string[] = [];
  let status = "";
  try {
    await waitForNode(env.RPC_URL ?? "");
    for (const [i, step] of WALKTHROUGH_STEPS.entries()) {
      process.stdout.write(`\n$ ${readmeLines([step])[0]}\n`);
      if (step.background) {
        background.push(start(step.command, childEnv, "inherit"));
        continue;
      }
      const deadline = Date.now() + UNTIL_LIMIT_MS;
      for (;;) {
        const { code, output } = await runOnce(step.command, childEnv);
        if (code !== 0) {
          process.stderr.write(`walkthrough: step ${i + 1} failed (exit ${code}): ${step.command}\n`);
          return 1;
        }
        last = output;
        if (step.until === undefined || step.until.test(output)) break;
        if (Date.now() > deadline) {
          process.stderr.write(`walkthrough: step ${i + 1} never printed ${step.until.source}: ${step.command}\n`);
          return 1;
        }
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
      if (step.command.includes("contributor stake")) {
        const who = contributors.find((c) => step.command.includes(`$${c}_KEY`));
        if (who !== undefined) staked.set(who, await stakeOf(env, who));
      }
    }
    problems = await checkOutcome(env, staked);
    status = last.split("\n").find((l) => l.startsWith("round 1:")) ?? "round 1: status unknown";
  } finally {
    for (const child of background.reverse()) await stop(child);
    await redis.stop();
    await rm(dir, { recursive: true, force: true });
    await rm(join(ROOT, "ignition/deployments", env.DEPLOYMENT_ID ?? "none"), { recursive: true, force: true });
  }
  // After the operators stopped, so the round's status is the last line.
  for (const p of problems) process.stderr.write(`walkthrough: ${p}\n`);
  process.stdout.write(`${status}\n`);
  return problems.length === 0 ? 0 : 1;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    process.exitCode = await walkthrough();
  } catch (err) {
    process.exitCode = await reportFailure("walkthrough", err, debugRequested());
  }
}

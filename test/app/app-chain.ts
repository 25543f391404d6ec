// The chain of the web app's browser tests: a real `hardhat node` on a free port with the suite deployed by the
// production Ignition module, and one round driven to finalization (two operators attest a result whose rewards
// tree pays two contributors), with the result package the operators would publish. Side-effect free at import.
import { spawn, type ChildProcess } from "node:child_process";
import { rm } from "node:fs/promises";
import { createServer } from "node:net";
import path from "node:path";

import { id, JsonRpcProvider, parseEther, ZeroHash, type JsonRpcSigner } from "ethers";
import hre from "hardhat";

import { connectContracts, type Contracts } from "../../oracle/chain/contracts.ts";
import type { Deployment } from "../../oracle/chain/deployment.ts";
import { deploySuite } from "../../oracle/devnet/deploy-suite.ts";
import { DEVNET_POLICY } from "../../oracle/devnet/devnet.ts";
import { roundResultDomain, signAttestation, type AttestedResult } from "../../oracle/protocol/signed-result.ts";
import { ResultPackageJsonSchema } from "../../oracle/protocol/result-package.ts";
import { buildRewardsTree } from "../../oracle/protocol/rewards-tree.ts";

const NODE_START_TIMEOUT_MS = 60_000;

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A running `hardhat node`. */
export interface HardhatNode {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

/** Starts `hardhat node` on a free port and waits until it serves JSON-RPC. */
export async function startHardhatNode(): Promise<HardhatNode> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [path.resolve("node_modules/hardhat/dist/src/cli.js"), "node", "--hostname", "127.0.0.1", "--port", String(port)], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`hardhat node did not start in ${NODE_START_TIMEOUT_MS} ms: ${output.slice(-500)}`)), NODE_START_TIMEOUT_MS);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Started HTTP")) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`hardhat node exited with ${code}: ${output.slice(-500)}`));
    });
  });
  child.stdout?.removeAllListeners("data").resume();
  child.stderr?.removeAllListeners("data").resume();
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** One JSON-RPC call to `url`. */
export async function rpc(url: string, method: string, params: unknown[] = []): Promise<unknown> {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }) });
  const body = (await response.json()) as { result?: unknown; error?: { message: string } };
  if (body.error !== undefined) throw new Error(`${method}: ${body.error.message}`);
  return body.result;
}

/** Moves the node's clock forward by `seconds` and mines a block. */
export async function advanceTime(url: string, seconds: number | bigint): Promise<void> {
  await rpc(url, "evm_increaseTime", [Number(seconds)]);
  await rpc(url, "evm_mine");
}

/** Deploys the suite on the node (short round windows, the production governance delays). */
export async function deployOnNode(node: HardhatNode): Promise<Deployment> {
  const connection = await hre.network.create({ network: "localhost", override: { url: node.url } });
  const deploymentId = `devnet-app-${node.port}`;
  try {
    const deployment = await deploySuite(connection, {
      genesisModelHash: id("commonweight app test genesis"),
      genesisModelUri: "file://genesis.safetensors",
      policy: DEVNET_POLICY,
      deploymentId,
    });
    return deployment;
  } finally {
    await connection.close();
    await rm(path.join(hre.config.paths.ignition, "deployments", deploymentId), { recursive: true, force: true });
  }
}

/** A finalized round: its id, the result package as operators publish it, and what each contributor earned. */
export interface FinalizedRound {
  readonly roundId: bigint;
  readonly resultPackage: object;
  readonly rewards: ReadonlyMap<string, bigint>;
  /** The two operators that attested it. */
  readonly operators: readonly string[];
}

async function sendAndWait(label: string, tx: Promise<{ wait(): Promise<unknown> }>): Promise<void> {
  try {
    await (await tx).wait();
  } catch (err) {
    throw new Error(`${label} failed`, { cause: err });
  }
}

/**
 * Drives one round on the node: accounts 1 and 2 stake and register as operators (k = 2), account 3 sponsors,
 * accounts 4 and 5 commit and reveal, anyone closes, and both operators sign and attest one result paying the two
 * contributors 600 and 200 CWT of the 800 CWT pool. The round is left inside its challenge window (claims open
 * after it: a test that claims advances chain time first).
 */
export async function finalizeRound(node: HardhatNode, deployment: Deployment): Promise<FinalizedRound> {
  const provider = new JsonRpcProvider(node.url, undefined, { cacheTimeout: -1 });
  const signer = async (i: number): Promise<JsonRpcSigner> => provider.getSigner(i);
  const as = async (i: number): Promise<Contracts> => connectContracts(deployment, await signer(i));
  const deployer = await as(0);
  const [op1, op2, sponsor, c1, c2] = await Promise.all([1, 2, 3, 4, 5].map(as));
  const addresses = await Promise.all([1, 2, 3, 4, 5].map(async (i) => (await signer(i)).getAddress()));
  for (const [i, address] of addresses.entries()) await sendAndWait(`fund ${i + 1}`, deployer.token.transfer(address, parseEther("20000")));
  for (const c of [op1, op2, c1, c2] as Contracts[]) {
    await sendAndWait("approve stake", c.token.approve(deployment.contracts.staking, parseEther("10000")));
    await sendAndWait("stake", c.staking.stake(parseEther("10000")));
  }
  for (const op of [op1, op2] as Contracts[]) await sendAndWait("register operator", op.oracleRegistry.register());
  const budget = parseEther("1000");
  await sendAndWait("approve budget", (sponsor as Contracts).token.approve(deployment.contracts.rounds, budget));
  await sendAndWait("open", (sponsor as Contracts).rounds.open(deployment.contracts.token, budget));
  const roundId = await deployer.rounds.roundCount();
  const contributors = [c1, c2] as Contracts[];
  const contributorAddresses = [addresses[3], addresses[4]] as string[];
  const updates = contributorAddresses.map((a) => ({ hash: id(`update of ${a}`), salt: id(`salt of ${a}`) }));
  for (const [i, c] of contributors.entries()) {
    const u = updates[i] as { hash: string; salt: string };
    const commitment = await c.rounds.computeCommitment(roundId, contributorAddresses[i] as string, u.hash, u.salt);
    await sendAndWait("commit", c.rounds.commit(roundId, commitment));
  }
  await advanceTime(node.url, DEVNET_POLICY.commitWindowSeconds);
  for (const [i, c] of contributors.entries()) {
    const u = updates[i] as { hash: string; salt: string };
    await sendAndWait("reveal", c.rounds.reveal(roundId, u.hash, u.salt, `https://updates.example/${u.hash}`));
  }
  await advanceTime(node.url, DEVNET_POLICY.revealWindowSeconds);
  await sendAndWait("close", deployer.rounds.close(roundId));

  const round = await deployer.rounds.round(roundId);
  const rewards = new Map([[contributorAddresses[0] as string, parseEther("600")], [contributorAddresses[1] as string, parseEther("200")]]);
  const tree = buildRewardsTree(rewards);
  const attested: AttestedResult = {
    roundId,
    modelHash: id("model after the app test round"),
    rewardsRoot: tree.root,
    totalRewards: tree.totalRewards,
    invalidRoot: ZeroHash,
    metricsHash: id("metrics of the app test round"),
    revealsHash: round.revealsHash,
  };
  const domain = roundResultDomain(deployment.chainId, deployment.contracts.rounds);
  const modelUri = "https://models.example/next.safetensors";
  for (const i of [1, 2]) {
    const signature = await signAttestation(await signer(i), domain, attested, modelUri);
    await sendAndWait("attest", deployer.rounds.attest(attested, signature, modelUri));
  }
  const lower = contributorAddresses.map((a) => a.toLowerCase());
  // Parsed with the schema every reader uses, so the page is given exactly what operators publish.
  const resultPackage = ResultPackageJsonSchema.parse({
    chainId: deployment.chainId.toString(),
    roundId: roundId.toString(),
    result: { selected: lower, excluded: [], invalid: {}, scores: { [lower[0] as string]: "750000", [lower[1] as string]: "250000" } },
    attested: { ...attested, roundId: roundId.toString(), totalRewards: attested.totalRewards.toString() },
    modelUri,
    claims: [...tree.claims.values()].map((c) => ({ account: c.account, amount: c.amount.toString(), proof: c.proof })),
    invalidProofs: [],
  });
  provider.destroy();
  return { roundId, resultPackage, rewards, operators: [addresses[0], addresses[1]] as string[] };
}

/**
 * Disputes the finalized round `roundId` inside its challenge window as the deployer (account 0): approves the
 * round's dispute bond and calls `dispute` with the round's attesters in ascending order.
 */
export async function disputeRound(node: HardhatNode, deployment: Deployment, finalized: FinalizedRound): Promise<void> {
  const provider = new JsonRpcProvider(node.url, undefined, { cacheTimeout: -1 });
  try {
    const challenger = connectContracts(deployment, await provider.getSigner(0));
    const { disputeBond } = await challenger.rounds.round(finalized.roundId);
    await sendAndWait("approve bond", challenger.token.approve(deployment.contracts.rounds, disputeBond));
    const signers = [...finalized.operators].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
    await sendAndWait("dispute", challenger.rounds.dispute(finalized.roundId, signers));
  } finally {
    provider.destroy();
  }
}

/**
 * Proposes `Rounds.resolveDispute(roundId, upheld)` as the deployer (account 0, who holds the voting supply: it
 * delegates to itself first) with `description`, as `gov:propose-resolution` would after recomputing.
 */
export async function proposeResolution(node: HardhatNode, deployment: Deployment, roundId: bigint, upheld: boolean, description: string): Promise<void> {
  const provider = new JsonRpcProvider(node.url, undefined, { cacheTimeout: -1 });
  try {
    const deployer = await provider.getSigner(0);
    const contracts = connectContracts(deployment, deployer);
    await sendAndWait("delegate", contracts.token.delegate(await deployer.getAddress()));
    await advanceTime(node.url, 1);
    const calldata = contracts.rounds.interface.encodeFunctionData("resolveDispute", [roundId, upheld]);
    await sendAndWait("propose", contracts.governor.propose([deployment.contracts.rounds], [0n], [calldata], description));
  } finally {
    provider.destroy();
  }
}

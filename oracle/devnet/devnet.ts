import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { HDNodeWallet, Mnemonic, parseEther } from "ethers";
import type { NetworkConnection } from "hardhat/types/network";

import { connectContracts, type Contracts } from "../chain/contracts.ts";
import { InvalidInputError } from "../errors.ts";
import { registerOperator, topUpStake } from "../staking/stake.ts";
import { serializeDeployment, type Deployment } from "../chain/deployment.ts";
import { initialWeights } from "../contributor/model.ts";
import { weightsToModelFile } from "../contributor/weights.ts";
import { LocalDirectoryStore } from "../storage/local-directory-store.ts";
import { deploySuite, type ChainPolicy } from "./deploy-suite.ts";
import { startRpcBridge, type RpcBridge } from "./rpc-bridge.ts";

const HOUR = 3600;
const TOKEN = 10n ** 18n;

/**
 * Policy fields every local run overrides: one-hour phases (chain time is warped, not waited for),
 * a verification bound C = 2^3 = 8, two valid updates suffice, small stakes.
 */
export const DEVNET_POLICY = {
  commitWindowSeconds: HOUR,
  revealWindowSeconds: HOUR,
  attestWindowSeconds: 24 * HOUR,
  challengeWindowSeconds: HOUR,
  claimWindowSeconds: 7 * 24 * HOUR,
  minContributors: 2,
  clipMantissa: 1,
  clipExp: 3,
  minOperatorStake: 1_000n * TOKEN,
  minContributorStake: 100n * TOKEN,
} as const;

/** Hardhat's default development mnemonic: its accounts are public test keys, never for real funds. */
const HARDHAT_MNEMONIC = "test test test test test test test test test test test junk";

/** The private key of Hardhat development account `index`. */
export function devAccountKey(index: number): string {
  return HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase(HARDHAT_MNEMONIC), `m/44'/60'/0'/0/${index}`).privateKey;
}

/** Options of {@link startDevnet}. */
export interface DevnetOptions {
  /** Working directory: the blob store, the manifest and update files go below it. */
  readonly dir: string;
  readonly operators: number;
  readonly contributors: number;
  readonly operatorThreshold: bigint;
  readonly policy?: Partial<ChainPolicy>;
  /** Seed of the genesis model's initial weights. @defaultValue "genesis" */
  readonly genesisSeed?: string;
  /** A genesis model file to use instead of the contributor MLP's seeded initial weights. */
  readonly genesisModel?: Uint8Array;
  /** Tokens each contributor and operator receives and stakes. @defaultValue 20000 */
  readonly stakeTokens?: bigint;
  readonly governance?: { readonly timelockDelaySeconds: number; readonly votingDelaySeconds: number; readonly votingPeriodSeconds: number };
  /**
   * A configured Hardhat network to use instead of a new in-process chain (e.g. "localhost" for a
   * `npx hardhat node`); Ignition then keeps its journal under ignition/deployments/<id>.
   */
  readonly network?: string;
}

/** A local chain with the suite deployed, funded actors, and an HTTP endpoint for other processes. */
export interface Devnet {
  readonly connection: NetworkConnection;
  readonly bridge: RpcBridge;
  readonly deployment: Deployment;
  readonly manifestPath: string;
  readonly store: LocalDirectoryStore;
  readonly genesis: { readonly hash: string; readonly uri: string };
  readonly deployer: HardhatEthersSigner;
  readonly sponsor: HardhatEthersSigner;
  readonly operators: readonly { readonly signer: HardhatEthersSigner; readonly privateKey: string }[];
  readonly contributors: readonly HardhatEthersSigner[];
  /** Private keys of the contributors (Hardhat's public development keys), in the same order. */
  readonly contributorKeys: readonly string[];
  /** Contracts connected to `signer`. */
  as(signer: HardhatEthersSigner): Contracts;
  close(): Promise<void>;
}

/**
 * Starts an in-process Hardhat chain, serves it over HTTP, deploys the suite with the production
 * Ignition module (genesis model: the contributor MLP's seeded initial weights, in the store),
 * funds and stakes every contributor and operator, and registers the operators.
 */
export async function startDevnet(options: DevnetOptions): Promise<Devnet> {
  const { network } = await import("hardhat");
  const connection = options.network === undefined ? await network.create() : await network.create(options.network);
  const bridge = await startRpcBridge(connection.provider);
  const store = new LocalDirectoryStore(join(options.dir, "store"));
  const genesisFile = options.genesisModel ?? weightsToModelFile(initialWeights(options.genesisSeed ?? "genesis"));
  const genesis = await store.put(genesisFile);
  const deployment = await deploySuite(connection, {
    genesisModelHash: genesis.hash,
    genesisModelUri: genesis.uri,
    operatorThreshold: options.operatorThreshold,
    ...(options.policy ? { policy: options.policy } : {}),
    ...(options.governance ?? {}),
    ...(options.network === undefined ? {} : { deploymentId: `devnet-${Date.now()}` }),
  });
  await mkdir(options.dir, { recursive: true });
  const manifestPath = join(options.dir, "deployment.json");
  await writeFile(manifestPath, serializeDeployment(deployment));

  const signers = await connection.ethers.getSigners();
  const at = (i: number): HardhatEthersSigner => {
    const s = signers[i];
    if (!s) throw new InvalidInputError(`the devnet has no account ${i}; lower the actor counts`);
    return s;
  };
  const deployer = at(0);
  const sponsor = at(1);
  const operatorIndexes = Array.from({ length: options.operators }, (_, i) => 2 + i);
  const operators = operatorIndexes.map((i) => ({ signer: at(i), privateKey: devAccountKey(i) }));
  const contributorIndexes = Array.from({ length: options.contributors }, (_, i) => 2 + options.operators + i);
  const contributors = contributorIndexes.map(at);
  const as = (signer: HardhatEthersSigner): Contracts => connectContracts(deployment, signer);

  const stake = parseEther(String(options.stakeTokens ?? 20_000n));
  const { token } = as(deployer);
  await (await token.transfer(sponsor.address, parseEther("100000"))).wait();
  for (const account of [...operators.map((o) => o.signer), ...contributors]) {
    await (await token.transfer(account.address, stake)).wait();
    await topUpStake(as(account), { amount: stake, mode: "add" });
  }
  for (const { signer } of operators) await registerOperator(as(signer));
  await (await as(sponsor).token.approve(deployment.contracts.rounds, parseEther("100000"))).wait();

  return {
    connection,
    bridge,
    deployment,
    manifestPath,
    store,
    genesis: { hash: genesis.hash, uri: genesis.uri },
    deployer,
    sponsor,
    operators,
    contributors,
    contributorKeys: contributorIndexes.map(devAccountKey),
    as,
    async close() {
      await bridge.close();
      await connection.close();
    },
  };
}

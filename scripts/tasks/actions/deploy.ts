import { existsSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";

import { readDeploymentParameters } from "@nomicfoundation/hardhat-ignition/helpers";
import type { DeploymentParameters } from "@nomicfoundation/ignition-core";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import CommonweightModule, { DEFAULT_INITIAL_SUPPLY, distributionModule } from "../../../ignition/modules/Commonweight.ts";
import { DeploymentSchema, serializeDeployment, type Deployment } from "../../../oracle/chain/deployment.ts";
import { planDistribution } from "../allocations.ts";
import { resolveGenesis } from "../genesis.ts";
import { manifestPath, taskConnection } from "../task-context.ts";
import { TaskInputError } from "../task-error.ts";
import { formatTokenAmount } from "../token-amount.ts";

/** Options of `deploy`. */
export interface DeployArgs {
  readonly parameters: string | undefined;
  readonly deployment: string | undefined;
  readonly deploymentId: string | undefined;
  readonly reset: boolean;
  /** `--genesis-model`: the deployer's own genesis model file. */
  readonly genesisModel?: string | undefined;
  /** `--genesis-uri`: where contributors fetch the genesis model. */
  readonly genesisUri?: string | undefined;
  /** `--genesis-seed`: seed of the default genesis model. */
  readonly genesisSeed?: string | undefined;
  /** `--store`: the deployer's blob store (default .cw/store). */
  readonly store?: string | undefined;
}

/** Hardhat's development chain id: `npx hardhat node` and the in-process network, where file:// URIs are fine. */
const LOCAL_CHAIN_ID = 31337n;

/** The deployer's blob store when `--store` is not given. */
const DEFAULT_STORE_DIR = ".cw/store";

/**
 * Deploys the suite with the production Ignition module, prints the addresses and writes the manifest `cw` reads.
 * @returns The manifest written.
 */
export default async function deploy(args: DeployArgs, hre: HardhatRuntimeEnvironment): Promise<Deployment> {
  const connection = await taskConnection(hre);
  const { ethers, ignition, networkName, networkConfig } = connection;
  const inProcess = networkConfig.type === "edr-simulated";
  const parameters = args.parameters === undefined ? undefined : path.resolve(args.parameters);
  if (parameters !== undefined && !existsSync(parameters)) throw new TaskInputError(`--parameters: no such file ${parameters}`);
  const fileParameters = parameters === undefined ? {} : await readParameters(parameters);
  const { allocations, genesisModelHash, genesisModelUri, ...moduleParameters } = (fileParameters.Commonweight ?? {}) as Record<string, unknown>;
  const genesis = await resolveGenesis({
    modelFile: args.genesisModel,
    uri: args.genesisUri,
    seed: args.genesisSeed,
    storeDir: path.resolve(hre.config.paths.root, args.store ?? DEFAULT_STORE_DIR),
    parameterHash: genesisModelHash,
    parameterUri: genesisModelUri,
  });
  const { chainId: connectedChainId } = await ethers.provider.getNetwork();
  if (!inProcess && connectedChainId !== LOCAL_CHAIN_ID && new URL(genesis.uri).protocol === "file:") {
    throw new TaskInputError(`the genesis model's URI ${genesis.uri} is reachable only on this machine; on network ${networkName} publish the model (e.g. https://…) and pass --genesis-uri (the model registry is append-only)`);
  }
  const [deployer] = await ethers.getSigners();
  if (deployer === undefined) throw new TaskInputError(`network ${networkName} has no account to deploy from`);
  const ownHolder = moduleParameters.initialHolder !== undefined;
  if (ownHolder && allocations !== undefined) throw new TaskInputError("parameters: allocations need the deployer as the initial holder; drop initialHolder or allocations");
  const supply = BigInt((moduleParameters.initialSupply as bigint | string | number | undefined) ?? DEFAULT_INITIAL_SUPPLY);
  const plan = ownHolder ? undefined : planDistribution(allocations, supply, deployer.address);
  const file = manifestPath(hre, networkName, args.deployment);
  const { chainId } = await ethers.provider.getNetwork();
  const deploymentId = args.deploymentId ?? `chain-${chainId}`;
  const journal = path.join(hre.config.paths.ignition, "deployments", deploymentId);
  if (args.reset && !inProcess) {
    await rm(journal, { recursive: true, force: true });
    console.log(`reset: removed the Ignition journal ${journal}`);
  }
  if (inProcess) {
    console.log(`network ${networkName} is in-process: the contracts live only in this process's memory and vanish when it exits.`);
    console.log("For a chain that persists, run `npx hardhat node` and deploy with --network localhost.");
  }

  const blockBefore = await ethers.provider.getBlockNumber();
  const ignitionModule = plan === undefined ? CommonweightModule : distributionModule(plan.transfers, plan.treasury);
  const deployed = await ignition.deploy(ignitionModule, {
    parameters: { ...fileParameters, Commonweight: { ...moduleParameters, genesisModelHash: genesis.hash, genesisModelUri: genesis.uri } },
    deploymentId: inProcess ? undefined : deploymentId,
    displayUi: !inProcess,
  });
  const contracts = {
    token: await deployed.token.getAddress(),
    staking: await deployed.staking.getAddress(),
    policy: await deployed.policies.getAddress(),
    modelRegistry: await deployed.models.getAddress(),
    oracleRegistry: await deployed.oracles.getAddress(),
    rounds: await deployed.rounds.getAddress(),
    timelock: await deployed.timelock.getAddress(),
    governor: await deployed.governor.getAddress(),
  };
  for (const [name, address] of Object.entries(contracts)) {
    if ((await ethers.provider.getCode(address)) === "0x") {
      throw new TaskInputError(`${name} at ${address} has no code on chain ${chainId}: the Ignition journal ${journal} is stale (was the node restarted?); rerun with --reset`);
    }
  }
  const deployedAtBlock = (await previousDeployedAtBlock(file, chainId, contracts.token)) ?? blockBefore;
  const deployment = DeploymentSchema.parse({ network: networkName, chainId, deployedAtBlock, contracts });
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, serializeDeployment(deployment));

  console.log(`Commonweight on ${networkName} (chain ${chainId}), events from block ${deployedAtBlock}:`);
  console.table(contracts);
  console.log(`genesis model ${genesis.hash} at ${genesis.uri} (${genesis.source})`);
  if (plan !== undefined) {
    for (const a of plan.transfers) console.log(`allocation: ${formatTokenAmount(a.amount)} to ${a.to}`);
    console.log(`deployer ${deployer.address} keeps ${formatTokenAmount(plan.deployerKeeps)}; treasury (timelock) ${formatTokenAmount(plan.treasury)}`);
  }
  console.log(`manifest: ${file}`);
  return deployment;
}

/**
 * When Ignition resumed an earlier deployment (same chain, same token) its contracts predate `blockBefore`: keep the
 * block the earlier manifest recorded, so `cw` still sees every event.
 */
async function previousDeployedAtBlock(file: string, chainId: bigint, token: string): Promise<number | undefined> {
  if (!existsSync(file)) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, "utf8"));
  } catch (err) {
    console.warn(`ignoring the unreadable earlier manifest ${file}: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  }
  const parsed = DeploymentSchema.safeParse(json);
  if (!parsed.success || parsed.data.chainId !== chainId || parsed.data.contracts.token !== token) return undefined;
  return parsed.data.deployedAtBlock;
}

/** The Ignition parameters file (JSON5, bigints as "123n"), with a one-line error when it does not parse. */
async function readParameters(file: string): Promise<DeploymentParameters> {
  try {
    return await readDeploymentParameters(file);
  } catch (err) {
    throw new TaskInputError(`--parameters: ${file} is not a valid parameters file (JSON: { "Commonweight": { … } })`, { cause: err });
  }
}

import { existsSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";

import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import CommonweightModule from "../../../ignition/modules/Commonweight.ts";
import { DeploymentSchema, serializeDeployment, type Deployment } from "../../../oracle/chain/deployment.ts";
import { manifestPath, taskConnection } from "../task-context.ts";
import { TaskInputError } from "../task-error.ts";

/** Options of `deploy`. */
export interface DeployArgs {
  readonly parameters: string | undefined;
  readonly deployment: string | undefined;
  readonly deploymentId: string | undefined;
  readonly reset: boolean;
}

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
  const deployed = await ignition.deploy(CommonweightModule, {
    ...(parameters === undefined ? {} : { parameters }),
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

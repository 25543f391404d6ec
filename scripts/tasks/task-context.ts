import { existsSync } from "node:fs";
import path from "node:path";

import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { getAddress, isAddress } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import type { NetworkConnection } from "hardhat/types/network";

import { connectContracts, type Contracts } from "../../oracle/chain/contracts.ts";
import { readDeployment, type Deployment } from "../../oracle/chain/deployment.ts";
import { CommonweightTimelock__factory } from "../../types/ethers-contracts/factories/governance/CommonweightTimelock__factory.ts";
import type { CommonweightTimelock } from "../../types/ethers-contracts/governance/CommonweightTimelock.ts";
import { TaskInputError } from "./task-error.ts";

/** Options every chain task shares. */
export interface CommonTaskArgs {
  /** Manifest path; undefined means `deployments/<network>.json`. */
  readonly deployment?: string | undefined;
  /** Sending account: undefined (the first account), an account index or an address. */
  readonly from?: string | undefined;
}

/** What a task works with: the connection, the manifest, the sender and the contracts connected to it. */
export interface TaskContext {
  readonly connection: NetworkConnection;
  readonly manifestPath: string;
  readonly deployment: Deployment;
  readonly signer: HardhatEthersSigner;
  readonly contracts: Contracts & { readonly timelock: CommonweightTimelock };
}

/**
 * The connection to the network selected with `--network` (the in-process `default` network otherwise). Cached per
 * network by Hardhat, so every task run in one process (and a test calling this) shares one chain.
 */
export async function taskConnection(hre: HardhatRuntimeEnvironment): Promise<NetworkConnection> {
  return hre.network.getOrCreate();
}

/** The manifest path a task uses: `override` if given, else `deployments/<network>.json` under the project root. */
export function manifestPath(hre: HardhatRuntimeEnvironment, networkName: string, override: string | undefined): string {
  if (override !== undefined && override !== "") return path.resolve(override);
  return path.join(hre.config.paths.root, "deployments", `${networkName}.json`);
}

/**
 * Opens the task context: reads and validates the manifest of the current network and checks that it belongs to
 * the connected chain.
 * @throws {TaskInputError} when the manifest is missing, invalid or for another chain, or `from` is unknown.
 */
export async function openTaskContext(hre: HardhatRuntimeEnvironment, args: CommonTaskArgs): Promise<TaskContext> {
  const connection = await taskConnection(hre);
  const file = manifestPath(hre, connection.networkName, args.deployment);
  if (!existsSync(file)) {
    throw new TaskInputError(`no deployment manifest at ${file}: run \`npx hardhat deploy --network ${connection.networkName}\` first, or pass --deployment <file>`);
  }
  let deployment: Deployment;
  try {
    deployment = await readDeployment(file);
  } catch (err) {
    throw new TaskInputError(err instanceof Error ? err.message : `cannot read ${file}`, { cause: err });
  }
  const { chainId } = await connection.ethers.provider.getNetwork();
  if (chainId !== deployment.chainId) {
    throw new TaskInputError(`manifest ${file} is for chain ${deployment.chainId}, but network ${connection.networkName} is chain ${chainId}`);
  }
  if ((await connection.ethers.provider.getCode(deployment.contracts.governor)) === "0x") {
    const hint = connection.networkConfig.type === "edr-simulated"
      ? "the in-process network starts empty in every command; run `npx hardhat node` and use --network localhost"
      : "the chain was reset since the deployment; deploy again (with --reset after restarting a local node)";
    throw new TaskInputError(`manifest ${file} is stale: no contract at the governor address ${deployment.contracts.governor} on network ${connection.networkName}; ${hint}`);
  }
  const signer = await resolveSigner(connection, args.from);
  const contracts = { ...connectContracts(deployment, signer), timelock: CommonweightTimelock__factory.connect(deployment.contracts.timelock, signer) };
  return { connection, manifestPath: file, deployment, signer, contracts };
}

/**
 * The sending account: `from` is "" (the network's first account), an account index, or one of the network's
 * account addresses. Keys stay inside Hardhat (config variables and the keystore); only addresses are shown.
 * @throws {TaskInputError} when the account is not configured for this network.
 */
export async function resolveSigner(connection: NetworkConnection, from: string | undefined): Promise<HardhatEthersSigner> {
  const signers = await connection.ethers.getSigners();
  const where = `network ${connection.networkName} has ${signers.length} account(s)`;
  if (signers.length === 0) throw new TaskInputError(`${where}; configure one (e.g. \`npx hardhat keystore set SEPOLIA_PRIVATE_KEY\`)`);
  const value = (from ?? "").trim();
  if (value === "") return signers[0] as HardhatEthersSigner;
  if (/^\d+$/.test(value)) {
    const signer = signers[Number(value)];
    if (signer === undefined) throw new TaskInputError(`--from ${value}: ${where} (indexes 0..${signers.length - 1})`);
    return signer;
  }
  if (!isAddress(value)) throw new TaskInputError(`--from must be an account index or an address; got '${value}'`);
  const signer = signers.find((s) => s.address === getAddress(value));
  if (signer === undefined) throw new TaskInputError(`--from ${value} is not one of the accounts of network ${connection.networkName}`);
  return signer;
}

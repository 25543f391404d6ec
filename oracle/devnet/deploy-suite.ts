import type { NetworkConnection } from "hardhat/types/network";

import CommonweightModule, { GENESIS_POLICY } from "../../ignition/modules/Commonweight.ts";
import type { Deployment } from "../chain/deployment.ts";

/** A policy in `IModelPolicyRegistry.Policy` form (numbers or bigints). */
export type ChainPolicy = typeof GENESIS_POLICY;

/** Parameters of a local deployment; everything not given uses the Ignition module's defaults. */
export interface DevnetParameters {
  readonly genesisModelHash: string;
  readonly genesisModelUri: string;
  readonly policy?: Partial<ChainPolicy>;
  readonly operatorThreshold?: bigint;
  readonly timelockDelaySeconds?: number;
  readonly votingDelaySeconds?: number;
  readonly votingPeriodSeconds?: number;
  readonly proposalThresholdVotes?: bigint;
  /** Ignition deployment id; give a fresh one on persistent networks (their journal is kept on disk). */
  readonly deploymentId?: string;
}

/**
 * Deploys the whole suite with the production Ignition module on `connection` (in-process chains
 * keep Ignition's journal in memory) and returns the manifest every `cw` command reads.
 */
export async function deploySuite(connection: NetworkConnection, parameters: DevnetParameters): Promise<Deployment> {
  const { ethers, ignition } = connection;
  const deployedAtBlock = await ethers.provider.getBlockNumber();
  const { policy, genesisModelHash, genesisModelUri, deploymentId, ...rest } = parameters;
  const moduleParameters = Object.fromEntries(
    Object.entries({ genesisModelHash, genesisModelUri, genesisPolicy: { ...GENESIS_POLICY, ...policy }, ...rest }).filter(([, v]) => v !== undefined),
  );
  const deployed = await ignition.deploy(CommonweightModule, { parameters: { Commonweight: moduleParameters }, displayUi: false, ...(deploymentId ? { deploymentId } : {}) });
  const address = async (c: { getAddress(): Promise<string> }): Promise<string> => c.getAddress();
  const network = await ethers.provider.getNetwork();
  return {
    network: connection.networkName,
    chainId: network.chainId,
    deployedAtBlock,
    contracts: {
      token: await address(deployed.token),
      staking: await address(deployed.staking),
      policy: await address(deployed.policies),
      modelRegistry: await address(deployed.models),
      oracleRegistry: await address(deployed.oracles),
      rounds: await address(deployed.rounds),
      timelock: await address(deployed.timelock),
      governor: await address(deployed.governor),
    },
  };
}

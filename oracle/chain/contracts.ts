import type { ContractRunner } from "ethers";

import { CommonweightGovernor__factory } from "../../types/ethers-contracts/factories/governance/CommonweightGovernor__factory.ts";
import { ModelPolicyRegistry__factory } from "../../types/ethers-contracts/factories/governance/ModelPolicyRegistry__factory.ts";
import { OracleRegistry__factory } from "../../types/ethers-contracts/factories/oracle/OracleRegistry__factory.ts";
import { ModelRegistry__factory } from "../../types/ethers-contracts/factories/registry/ModelRegistry__factory.ts";
import { Rounds__factory } from "../../types/ethers-contracts/factories/rounds/Rounds__factory.ts";
import { Staking__factory } from "../../types/ethers-contracts/factories/staking/Staking__factory.ts";
import { CommonweightToken__factory } from "../../types/ethers-contracts/factories/token/CommonweightToken__factory.ts";
import type { Deployment } from "./deployment.ts";

/** Typed handles on every deployed contract, connected to one runner (a provider or a signer). */
export function connectContracts(deployment: Deployment, runner: ContractRunner) {
  const { contracts } = deployment;
  return {
    token: CommonweightToken__factory.connect(contracts.token, runner),
    staking: Staking__factory.connect(contracts.staking, runner),
    policy: ModelPolicyRegistry__factory.connect(contracts.policy, runner),
    modelRegistry: ModelRegistry__factory.connect(contracts.modelRegistry, runner),
    oracleRegistry: OracleRegistry__factory.connect(contracts.oracleRegistry, runner),
    rounds: Rounds__factory.connect(contracts.rounds, runner),
    governor: CommonweightGovernor__factory.connect(contracts.governor, runner),
  };
}

/** The result of {@link connectContracts}. */
export type Contracts = ReturnType<typeof connectContracts>;

import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { openTaskContext, type CommonTaskArgs } from "../task-context.ts";
import { TaskInputError } from "../task-error.ts";
import { formatTokenAmount } from "../token-amount.ts";
import { sendTransaction } from "../transactions.ts";

/** Registers the sender as an oracle operator; the policy's `minOperatorStake` of its free stake is locked. */
export default async function registerOperator(args: CommonTaskArgs, hre: HardhatRuntimeEnvironment): Promise<{ operator: string; operators: bigint }> {
  const { contracts: { staking, oracleRegistry, policy }, signer } = await openTaskContext(hre, args);
  if (await oracleRegistry.isOperator(signer.address)) throw new TaskInputError(`${signer.address} is already a registered operator`);
  const required = (await policy.currentPolicy()).minOperatorStake;
  const free = await staking.freeStakeOf(signer.address);
  if (free < required) {
    const missing = formatTokenAmount(required - free).replace(/ CWT$/, "");
    throw new TaskInputError(`${signer.address} has ${formatTokenAmount(free)} of free stake; operators need ${formatTokenAmount(required)} (run: npx hardhat stake --amount ${missing})`);
  }
  await sendTransaction("register operator", () => oracleRegistry.register());
  const operators = await oracleRegistry.operatorCount();
  console.log(`${signer.address} registered: ${operators} operator(s), threshold k = ${await oracleRegistry.threshold()}`);
  return { operator: signer.address, operators };
}

import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { registerOperator as register } from "../../../oracle/staking/stake.ts";
import { openTaskContext, type CommonTaskArgs } from "../task-context.ts";
import { TaskInputError } from "../task-error.ts";
import { formatTokenAmount } from "../token-amount.ts";
import { runAction } from "../transactions.ts";

/**
 * Registers the sender as an oracle operator, as `cw operator register` does: stakes what its free stake lacks of
 * the policy's `minOperatorStake` (approving only what is missing), then registers; the stake is locked.
 */
export default async function registerOperator(args: CommonTaskArgs, hre: HardhatRuntimeEnvironment): Promise<{ operator: string; operators: bigint }> {
  const { contracts, signer } = await openTaskContext(hre, args);
  const done = await runAction(() => register(contracts));
  if (done.alreadyRegistered) throw new TaskInputError(`${signer.address} is already a registered operator`);
  if (done.topUp.staked > 0n) console.log(`staked ${formatTokenAmount(done.topUp.staked)}: ${done.topUp.stake?.hash}`);
  console.log(`register operator: ${done.register?.hash} (block ${done.register?.blockNumber})`);
  const operators = await contracts.oracleRegistry.operatorCount();
  console.log(`${signer.address} registered: ${operators} operator(s), threshold k = ${await contracts.oracleRegistry.threshold()}`);
  return { operator: signer.address, operators };
}

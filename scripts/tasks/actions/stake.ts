import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { topUpStake } from "../../../oracle/staking/stake.ts";
import { openTaskContext, type CommonTaskArgs } from "../task-context.ts";
import { formatTokenAmount, parseTokenAmount } from "../token-amount.ts";
import { runAction } from "../transactions.ts";

/** Options of `stake`. */
export type StakeArgs = CommonTaskArgs & { readonly amount: string | undefined };

/** Stakes CWT (approving the staking contract first when needed). Staked CWT keeps its voting power. */
export default async function stake(args: StakeArgs, hre: HardhatRuntimeEnvironment): Promise<{ staked: bigint; free: bigint }> {
  const amount = parseTokenAmount("--amount", args.amount);
  const { contracts, signer } = await openTaskContext(hre, args);
  const done = await runAction(() => topUpStake(contracts, { amount, mode: "add" }));
  if (done.approval) console.log(`approve staking: ${done.approval.hash} (block ${done.approval.blockNumber})`);
  if (done.stake) console.log(`stake ${formatTokenAmount(amount)}: ${done.stake.hash} (block ${done.stake.blockNumber})`);
  const { staking } = contracts;
  const [staked, free] = [await staking.stakeOf(signer.address), await staking.freeStakeOf(signer.address)];
  console.log(`${signer.address}: staked ${formatTokenAmount(staked)}, free ${formatTokenAmount(free)}`);
  return { staked, free };
}

import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { openTaskContext, type CommonTaskArgs } from "../task-context.ts";
import { TaskInputError } from "../task-error.ts";
import { formatTokenAmount, parseTokenAmount } from "../token-amount.ts";
import { sendTransaction } from "../transactions.ts";

/** Options of `stake`. */
export type StakeArgs = CommonTaskArgs & { readonly amount: string | undefined };

/** Stakes CWT (approving the staking contract first when needed). Staked CWT keeps its voting power. */
export default async function stake(args: StakeArgs, hre: HardhatRuntimeEnvironment): Promise<{ staked: bigint; free: bigint }> {
  const amount = parseTokenAmount("--amount", args.amount);
  const { contracts: { token, staking }, signer } = await openTaskContext(hre, args);
  const balance = await token.balanceOf(signer.address);
  if (balance < amount) throw new TaskInputError(`${signer.address} holds ${formatTokenAmount(balance)}, less than --amount ${formatTokenAmount(amount)}`);
  const stakingAddress = await staking.getAddress();
  if ((await token.allowance(signer.address, stakingAddress)) < amount) {
    await sendTransaction("approve staking", () => token.approve(stakingAddress, amount));
  }
  await sendTransaction(`stake ${formatTokenAmount(amount)}`, () => staking.stake(amount));
  const [staked, free] = [await staking.stakeOf(signer.address), await staking.freeStakeOf(signer.address)];
  console.log(`${signer.address}: staked ${formatTokenAmount(staked)}, free ${formatTokenAmount(free)}`);
  return { staked, free };
}

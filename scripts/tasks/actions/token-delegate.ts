import { getAddress, isAddress } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { openTaskContext, type CommonTaskArgs } from "../task-context.ts";
import { TaskInputError } from "../task-error.ts";
import { formatTokenAmount } from "../token-amount.ts";
import { sendTransaction } from "../transactions.ts";

/** Options of `token:delegate`. */
export type DelegateArgs = CommonTaskArgs & { readonly to?: string | undefined };

/**
 * Delegates the sender's CWT votes (to itself by default). Staked CWT follows the same delegate once staked, so this
 * one call activates a holder's whole voting power.
 */
export default async function delegate(args: DelegateArgs, hre: HardhatRuntimeEnvironment): Promise<{ delegatee: string; votes: bigint }> {
  const to = args.to ?? "";
  if (to !== "" && !isAddress(to)) throw new TaskInputError(`--to must be an address; got '${to}'`);
  const { contracts: { token }, signer } = await openTaskContext(hre, args);
  const delegatee = to === "" ? signer.address : getAddress(to);
  await sendTransaction(`delegate to ${delegatee}`, () => token.delegate(delegatee));
  const votes = await token.getVotes(delegatee);
  console.log(`${delegatee} now has ${formatTokenAmount(votes)} of token votes (balance of ${signer.address}: ${formatTokenAmount(await token.balanceOf(signer.address))})`);
  return { delegatee, votes };
}

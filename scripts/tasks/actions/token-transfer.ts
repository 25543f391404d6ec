import { getAddress, isAddress } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { openTaskContext, type CommonTaskArgs } from "../task-context.ts";
import { TaskInputError } from "../task-error.ts";
import { formatTokenAmount, parseTokenAmount } from "../token-amount.ts";
import { sendTransaction } from "../transactions.ts";

/** Options of `token:transfer`. */
export type TokenTransferArgs = CommonTaskArgs & { readonly to: string | undefined; readonly amount: string | undefined };

/** Sends CWT from the sender to `--to`; checks the balance first, so a shortfall is one line in tokens. */
export default async function tokenTransfer(args: TokenTransferArgs, hre: HardhatRuntimeEnvironment): Promise<{ to: string; amount: bigint; balance: bigint }> {
  const amount = parseTokenAmount("--amount", args.amount);
  if (args.to === undefined || !isAddress(args.to)) throw new TaskInputError(`--to must be an address; got '${args.to ?? ""}'`);
  const to = getAddress(args.to);
  const { contracts: { token }, signer } = await openTaskContext(hre, args);
  const held = await token.balanceOf(signer.address);
  if (held < amount) throw new TaskInputError(`${signer.address} holds ${formatTokenAmount(held)}, less than --amount ${formatTokenAmount(amount)}`);
  await sendTransaction(`transfer ${formatTokenAmount(amount)} to ${to}`, () => token.transfer(to, amount));
  const balance = await token.balanceOf(to);
  console.log(`${to} now holds ${formatTokenAmount(balance)}`);
  return { to, amount, balance };
}

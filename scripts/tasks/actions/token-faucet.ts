import { getAddress, isAddress, parseEther } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { openTaskContext, type CommonTaskArgs } from "../task-context.ts";
import { TaskInputError } from "../task-error.ts";
import { formatTokenAmount, parseTokenAmount } from "../token-amount.ts";
import { sendTransaction } from "../transactions.ts";

/** Options of `token:faucet`. */
export type TokenFaucetArgs = CommonTaskArgs & { readonly to: string | undefined; readonly amount: string | undefined };

/** CWT sent when `--amount` is not given: enough to stake as an operator (10,000) and sponsor rounds. */
export const DEFAULT_FAUCET_AMOUNT = "100000";
/** Gas money a recipient is topped up to when it holds less than {@link MIN_GAS_BALANCE}. */
const GAS_TOP_UP = parseEther("10");
const MIN_GAS_BALANCE = parseEther("1");

/**
 * Local chains only (the in-process network or `npx hardhat node`): sends CWT to any address from the DAO treasury
 * (the timelock, impersonated), and tops up its gas money. Refuses, before sending anything, on any other chain.
 */
export default async function tokenFaucet(args: TokenFaucetArgs, hre: HardhatRuntimeEnvironment): Promise<{ to: string; amount: bigint; balance: bigint }> {
  const amount = parseTokenAmount("--amount", args.amount ?? DEFAULT_FAUCET_AMOUNT);
  if (args.to === undefined || !isAddress(args.to)) throw new TaskInputError(`--to must be an address; got '${args.to ?? ""}'`);
  const to = getAddress(args.to);
  const { connection, contracts: { token, timelock } } = await openTaskContext(hre, args);
  const client = String(await connection.provider.request({ method: "web3_clientVersion" }));
  if (!/hardhat|edr|anvil/i.test(client)) throw new TaskInputError(`token:faucet only works on local development chains; network ${connection.networkName} is ${client}`);
  const treasury = await timelock.getAddress();
  const held = await token.balanceOf(treasury);
  if (held < amount) throw new TaskInputError(`the treasury ${treasury} holds ${formatTokenAmount(held)}, less than --amount ${formatTokenAmount(amount)}`);
  const { ethers, networkHelpers } = connection;
  await networkHelpers.setBalance(treasury, GAS_TOP_UP);
  const faucet = await ethers.getImpersonatedSigner(treasury);
  try {
    await sendTransaction(`faucet ${formatTokenAmount(amount)} to ${to}`, () => token.connect(faucet).transfer(to, amount));
  } finally {
    await networkHelpers.stopImpersonatingAccount(treasury);
  }
  if ((await ethers.provider.getBalance(to)) < MIN_GAS_BALANCE) await networkHelpers.setBalance(to, GAS_TOP_UP);
  const balance = await token.balanceOf(to);
  console.log(`${to} now holds ${formatTokenAmount(balance)}`);
  return { to, amount, balance };
}

import { getAddress, isAddress } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { openRound as sponsorOpenRound } from "../../../oracle/sponsor/index.ts";
import { CommonweightToken__factory } from "../../../types/ethers-contracts/factories/token/CommonweightToken__factory.ts";
import { openTaskContext, type CommonTaskArgs } from "../task-context.ts";
import { TaskInputError } from "../task-error.ts";
import { isoDate } from "../timestamps.ts";
import { formatTokenAmount, parseTokenAmount } from "../token-amount.ts";
import { runAction } from "../transactions.ts";

/** Options of `round:open`. */
export type RoundOpenArgs = CommonTaskArgs & { readonly budget: string | undefined; readonly token?: string | undefined };

/** The opened round as its `RoundOpened` event reports it. */
export interface OpenedRound {
  readonly roundId: bigint;
  readonly funded: bigint;
  readonly policyVersion: bigint;
  readonly baseModelVersion: bigint;
  readonly commitEnd: bigint;
  readonly revealEnd: bigint;
}

/** Opens a training round: approves the rounds contract for the budget if needed, then escrows it. */
export default async function openRound(args: RoundOpenArgs, hre: HardhatRuntimeEnvironment): Promise<OpenedRound> {
  const tokenFlag = args.token ?? "";
  if (tokenFlag !== "" && !isAddress(tokenFlag)) throw new TaskInputError(`--token must be an ERC-20 address; got '${tokenFlag}'`);
  const { contracts, deployment, signer } = await openTaskContext(hre, args);
  const { rounds } = contracts;
  const tokenAddress = tokenFlag === "" ? deployment.contracts.token : getAddress(tokenFlag);
  const token = CommonweightToken__factory.connect(tokenAddress, signer);
  const [decimals, symbol] = [Number(await token.decimals()), await token.symbol()];
  const budget = parseTokenAmount("--budget", args.budget, decimals);
  const balance = await token.balanceOf(signer.address);
  if (balance < budget) {
    throw new TaskInputError(`${signer.address} holds ${formatTokenAmount(balance, symbol, decimals)}, less than --budget ${formatTokenAmount(budget, symbol, decimals)}`);
  }
  const done = await runAction(() => sponsorOpenRound(contracts, { budget, token: tokenAddress }));
  if (done.approval) console.log(`approve rounds: ${done.approval.hash} (block ${done.approval.blockNumber})`);
  console.log(`open round (${formatTokenAmount(budget, symbol, decimals)}): ${done.open.hash} (block ${done.open.blockNumber})`);
  const r = await rounds.round(done.roundId);
  const opened: OpenedRound = {
    roundId: done.roundId,
    funded: done.funded,
    policyVersion: r.policyVersion,
    baseModelVersion: r.baseModelVersion,
    commitEnd: done.commitEnd,
    revealEnd: done.revealEnd,
  };
  console.log(`round ${opened.roundId}: funded ${formatTokenAmount(opened.funded, symbol, decimals)}, policy v${opened.policyVersion}, base model v${opened.baseModelVersion}`);
  console.log(`  commit until ${isoDate(opened.commitEnd)}, reveal until ${isoDate(opened.revealEnd)}`);
  return opened;
}

import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { decodeRoundStatus, type RoundStatusName } from "../../../oracle/chain/enums.ts";
import { describePhase, roundPhase, type RoundPhase } from "../../../oracle/chain/round-phase.ts";
import { openTaskContext, type CommonTaskArgs } from "../task-context.ts";
import { TaskInputError } from "../task-error.ts";
import { isoDate } from "../timestamps.ts";
import { formatTokenAmount } from "../token-amount.ts";

/** Options of `round:status`: a round id, or "" for the latest round. */
export type RoundStatusArgs = CommonTaskArgs & { readonly roundId: string };

/** A round's status, phase, windows (ISO dates), counts and result. */
export interface RoundStatusReport {
  readonly roundId: bigint;
  readonly status: RoundStatusName;
  readonly phase: RoundPhase;
  readonly policyVersion: bigint;
  readonly baseModelVersion: bigint;
  readonly windows: Record<"openedAt" | "commitEnd" | "revealEnd" | "attestDeadline" | "challengeEnd" | "claimEnd", string>;
  readonly counts: { readonly commits: number; readonly reveals: number; readonly attesters: number };
  readonly funded: bigint;
  readonly rewardPool: bigint;
  readonly result: { readonly digest: string; readonly rewardsRoot: string; readonly totalRewards: bigint; readonly claimedRewards: bigint };
}

/** Prints and returns one round's state. */
export default async function roundStatus(args: RoundStatusArgs, hre: HardhatRuntimeEnvironment): Promise<RoundStatusReport> {
  if (args.roundId !== "" && !/^\d+$/.test(args.roundId)) throw new TaskInputError(`the round id must be a positive integer; got '${args.roundId}'`);
  const { contracts: { rounds }, connection } = await openTaskContext(hre, args);
  const count = await rounds.roundCount();
  const roundId = args.roundId === "" ? count : BigInt(args.roundId);
  if (roundId === 0n || roundId > count) throw new TaskInputError(count === 0n ? "no rounds yet (open one with round:open)" : `no round ${roundId}; rounds are 1..${count}`);
  const r = await rounds.round(roundId);
  const status = decodeRoundStatus(r.status);
  const now = BigInt((await connection.ethers.provider.getBlock("latest"))?.timestamp ?? 0);
  const report: RoundStatusReport = {
    roundId,
    status,
    phase: roundPhase(r, now),
    policyVersion: r.policyVersion,
    baseModelVersion: r.baseModelVersion,
    windows: {
      openedAt: isoDate(r.openedAt), commitEnd: isoDate(r.commitEnd), revealEnd: isoDate(r.revealEnd),
      attestDeadline: isoDate(r.attestDeadline), challengeEnd: isoDate(r.challengeEnd), claimEnd: isoDate(r.claimEnd),
    },
    counts: { commits: Number(r.commitCount), reveals: Number(r.revealCount), attesters: Number(r.attesterCount) },
    funded: r.funded,
    rewardPool: r.rewardPool,
    result: { digest: r.resultDigest, rewardsRoot: r.rewardsRoot, totalRewards: r.totalRewards, claimedRewards: r.claimedRewards },
  };
  console.log(`round ${roundId}: ${status} (${describePhase(report.phase)}), policy v${report.policyVersion}, base model v${report.baseModelVersion}`);
  console.table(report.windows);
  console.log(`commits ${report.counts.commits}, reveals ${report.counts.reveals}, attesters ${report.counts.attesters}`);
  console.log(`funded ${formatTokenAmount(r.funded)}, reward pool ${formatTokenAmount(r.rewardPool)}, rewards ${formatTokenAmount(r.totalRewards)} (claimed ${formatTokenAmount(r.claimedRewards)})`);
  console.log(`result digest ${r.resultDigest}, rewards root ${r.rewardsRoot}`);
  return report;
}

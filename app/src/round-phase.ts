// A round's phase in words. TODO(actors): replace with oracle/chain/round-phase.ts and oracle/chain/enums.ts once
// they land on main; until then this is the app's own minimal copy.
import { ROUND_STATUS, type RoundStatusName } from "../../oracle/chain/round-reader.ts";
import { date } from "./format.ts";

/** The fields of `IRounds.Round` a phase depends on. */
export interface RoundTimes {
  readonly status: bigint;
  readonly commitEnd: bigint;
  readonly revealEnd: bigint;
  readonly attestDeadline: bigint;
  readonly challengeEnd: bigint;
  readonly claimEnd: bigint;
  readonly swept: boolean;
}

/** The status name of a round. */
export function statusName(round: RoundTimes): RoundStatusName {
  return ROUND_STATUS[Number(round.status)] ?? "None";
}

/** Where a round is, by chain time, in one sentence. */
export function phaseWords(round: RoundTimes, now: bigint): string {
  switch (statusName(round)) {
    case "Open":
      if (now < round.commitEnd) return `Commit phase: contributors commit until ${date(round.commitEnd)}.`;
      if (now < round.revealEnd) return `Reveal phase: contributors reveal until ${date(round.revealEnd)}.`;
      return "Reveal phase over: waiting for anyone to close the round.";
    case "Closed":
      return now < round.attestDeadline
        ? `Computing: operators recompute and attest until ${date(round.attestDeadline)}.`
        : "Attestation deadline passed without a quorum: anyone may mark the round failed.";
    case "Finalized":
      if (now < round.challengeEnd) return `Finalized; challenge window open until ${date(round.challengeEnd)} (rewards claimable after it).`;
      if (now < round.claimEnd) return `Finalized; rewards claimable until ${date(round.claimEnd)}.`;
      return round.swept ? "Finalized; claim window over, remainder swept." : "Finalized; claim window over: the remainder can be swept.";
    case "Failed":
      return round.swept ? "Failed; the sponsor was refunded." : "Failed; the budget can be swept back to the sponsor.";
    default:
      return "No such round.";
  }
}

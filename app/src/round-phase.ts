// A round's phase in words, with its dates: the phase itself is oracle/chain/round-phase.ts's `roundPhase`, the one
// name every front door uses; this adds the sentence and the deadline a page shows.
import { decodeRoundStatus, type RoundStatusName } from "../../oracle/chain/enums.ts";
import { roundPhase, type RoundTimes } from "../../oracle/chain/round-phase.ts";
import { date } from "./format.ts";

/** The status name of a round. */
export function statusName(round: RoundTimes): RoundStatusName {
  return decodeRoundStatus(round.status);
}

/** Where a round is, by chain time, in one sentence. */
export function phaseWords(round: RoundTimes, now: bigint): string {
  switch (roundPhase(round, now)) {
    case "none":
      return "No such round.";
    case "commit":
      return `Commit phase: contributors commit until ${date(round.commitEnd)}.`;
    case "reveal":
      return `Reveal phase: contributors reveal until ${date(round.revealEnd)}.`;
    case "awaiting-close":
      return "Reveal phase over: waiting for anyone to close the round.";
    case "computing":
      return `Computing: operators recompute and attest until ${date(round.attestDeadline)}.`;
    case "attest-expired":
      return "Attestation deadline passed without a quorum: anyone may mark the round failed.";
    case "challenge":
      return `Finalized; challenge window open until ${date(round.challengeEnd)} (rewards claimable after it).`;
    case "claims":
      return `Finalized; rewards claimable until ${date(round.claimEnd)}.`;
    case "sweepable":
      return "Finalized; claim window over: the remainder can be swept.";
    case "settled":
      return "Finalized; claim window over, remainder swept.";
    case "failed":
      return "Failed; the budget can be swept back to the sponsor.";
    case "refunded":
      return "Failed; the sponsor was refunded.";
    case "disputed":
      return "Disputed: the result is frozen (no claims, no sweep) until governance resolves the dispute (see Governance).";
  }
}

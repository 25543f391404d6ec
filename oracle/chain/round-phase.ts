// One name for where a round is in its life: the on-chain status refined by chain time. Every front door (cw,
// the Hardhat tasks, the keeper, the demo) names a phase with this function and nothing else.
import { decodeRoundStatus } from "./enums.ts";

/** The round fields the phase depends on (a subset of `IRounds.Round`, as ethers returns it). */
export interface RoundTimes {
  readonly status: bigint | number;
  readonly swept: boolean;
  readonly commitEnd: bigint;
  readonly revealEnd: bigint;
  readonly attestDeadline: bigint;
  readonly challengeEnd: bigint;
  readonly claimEnd: bigint;
}

/** Phase names, in life-cycle order. */
export const ROUND_PHASES = [
  "none",
  "commit",
  "reveal",
  "awaiting-close",
  "computing",
  "attest-expired",
  "challenge",
  "claims",
  "sweepable",
  "settled",
  "failed",
  "refunded",
  "disputed",
] as const;
export type RoundPhase = (typeof ROUND_PHASES)[number];

/**
 * The phase of `round` at chain time `nowSeconds` (the latest block's timestamp, which a devnet may warp):
 * `Open` splits into commit, reveal and awaiting-close; `Closed` into computing and attest-expired (can be
 * marked failed); `Finalized` into challenge (anyone may dispute the result; claims and invalid slashing open
 * after it), claims, sweepable and settled; `Failed` into failed (refundable) and refunded; `Disputed` (frozen).
 */
export function roundPhase(round: RoundTimes, nowSeconds: bigint): RoundPhase {
  switch (decodeRoundStatus(round.status)) {
    case "None":
      return "none";
    case "Open":
      return nowSeconds < round.commitEnd ? "commit" : nowSeconds < round.revealEnd ? "reveal" : "awaiting-close";
    case "Closed":
      return nowSeconds < round.attestDeadline ? "computing" : "attest-expired";
    case "Finalized":
      if (nowSeconds < round.challengeEnd) return "challenge";
      if (nowSeconds < round.claimEnd) return "claims";
      return round.swept ? "settled" : "sweepable";
    case "Failed":
      return round.swept ? "refunded" : "failed";
    case "Disputed":
      return "disputed";
  }
}

const DESCRIPTIONS: Record<RoundPhase, string> = {
  none: "does not exist",
  disputed: "disputed: frozen until governance resolves the dispute",
  commit: "commit phase",
  reveal: "reveal phase",
  "awaiting-close": "reveal ended, waiting for close",
  computing: "closed, operators computing and attesting",
  "attest-expired": "attestation deadline passed, can be marked failed",
  challenge: "finalized, challenge window open (anyone may dispute; claims and invalid slashing open after it)",
  claims: "finalized, claims open",
  sweepable: "claim window over, can be swept",
  settled: "finalized and swept",
  failed: "failed, refundable (sweep refunds the sponsor)",
  refunded: "failed and refunded",
};

/** A short human description of `phase`, for status lines. */
export function describePhase(phase: RoundPhase): string {
  return DESCRIPTIONS[phase];
}

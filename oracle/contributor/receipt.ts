// A contributor's receipt for one round: what happened to its update and why, in plain words, with the numbers
// (score, reward, Merkle proof) and the command that recomputes all of it from public data.
import { getAddress } from "ethers";

import { decodeFailureReason, decodeRule, decodeSlashReason, type FailureReasonName } from "../chain/enums.ts";
import { formatTokens } from "../chain/units.ts";
import { buildRewardsTree } from "../protocol/rewards-tree.ts";
import type { InvalidReason } from "../protocol/validate.ts";
import { recomputeRound } from "./claim.ts";
import { findRevealed } from "./commit-reveal.ts";
import { readRoundInfo, type ContributorSession, type RoundPhase } from "./session.ts";
import { isoTime } from "./staking.ts";

/** Scores are cosine similarities times this (docs/protocol.md §4). */
const SCORE_SCALE = 1_000_000;
/** `IRounds.FailureReason` in plain words. */
const FAILURE_WORDS: Readonly<Record<FailureReasonName, string>> = {
  "too-few-reveals": "too few reveals",
  "no-quorum": "no operator quorum before the attestation deadline",
  "failed-result": "the operators signed a failed result",
};

/** How a round ended for one contributor. */
export type ReceiptOutcome = "not-committed" | "not-revealed" | "pending" | "selected" | "excluded" | "invalid" | "round-failed";

/** Everything a contributor can know about its part in a round; all of it is checkable against the chain. */
export interface Receipt {
  readonly roundId: string;
  readonly account: string;
  readonly roundStatus: string;
  readonly phase: RoundPhase;
  readonly outcome: ReceiptOutcome;
  readonly invalidReason: InvalidReason | null;
  readonly revealed: { readonly updateHash: string; readonly uri: string } | null;
  readonly rule: string;
  /** Score in millionths (decimal string), for valid updates of a settled round. */
  readonly score: string | null;
  /** Reward in token base units (decimal string). */
  readonly reward: string | null;
  readonly proof: readonly string[] | null;
  readonly claimed: boolean;
  readonly slashed: readonly { readonly amount: string; readonly reason: string }[];
  /** Whether the local recomputation reproduced the chain's result (null: nothing to recompute yet). */
  readonly recomputationMatchesChain: boolean | null;
  readonly verifyCommand: string;
  /** The outcome in plain words, one sentence per line. */
  readonly explanation: readonly string[];
}

const tokens = (amount: bigint): string => formatTokens(amount);

const INVALID_WORDS: Readonly<Record<InvalidReason, string>> = {
  unavailable: "the operators could not fetch your update file from the URI you revealed within their size and time limits",
  "hash-mismatch": "the file at the URI you revealed does not hash to the update hash you revealed",
  malformed: "the file is not a canonical update for this round (wrong round or base model, wrong tensor names or shapes, bad exponents, or not canonical safetensors)",
  norm: "its L2 norm exceeds the round's clip norm C, which the oracle checks exactly and never rescales",
};

/**
 * Builds the receipt of `account` in round `roundId`. For a settled round the whole round is recomputed locally
 * from the chain and the public update files (no operator is trusted); `verifyCommand` does the same.
 */
export async function buildReceipt(session: ContributorSession, roundId: bigint, account: string): Promise<Receipt> {
  const { rounds, policy: policies } = session.contracts;
  const address = getAddress(account);
  const info = await readRoundInfo(session.contracts, roundId);
  const policy = await policies.policy(info.policyVersion);
  const rule = decodeRule(policy.rule);
  const slot = BigInt(await rounds.contributionOf(roundId, address));
  const revealed = (await findRevealed(session, roundId, address)) ?? null;
  const slashLogs = await rounds.queryFilter(rounds.filters.ContributorSlashed(roundId, address), session.deployment.deployedAtBlock);
  const slashed = slashLogs.map((l) => ({ amount: l.args.amount.toString(), reason: decodeSlashReason(l.args.reason) }));
  const claimed = await rounds.isClaimed(roundId, address);
  const verifyCommand = `cw verify-round ${roundId} --rpc-url ${session.config.RPC_URL} --deployment ${session.config.DEPLOYMENT}`;
  const base = { roundId: String(roundId), account: address, roundStatus: info.status, phase: info.phase, rule, revealed, claimed, slashed, verifyCommand };
  const empty = { invalidReason: null, score: null, reward: null, proof: null, recomputationMatchesChain: null };
  const lock = tokens(info.contributorStake);
  const slashShare = `${Number(policy.slashBps) / 100}%`;
  const slashWords = slashed.length > 0 ? `You were slashed ${slashed.map((s) => `${tokens(BigInt(s.amount))} (${s.reason})`).join(", ")}.` : "You have not been slashed (yet).";

  if (slot === 0n && !revealed) {
    return { ...base, ...empty, outcome: "not-committed", explanation: [`You did not commit to round ${roundId}: nothing was locked and nothing is owed.`] };
  }
  if (!revealed) {
    if (info.phase === "commit" || info.phase === "reveal") {
      const when = info.phase === "commit" ? `Reveal it between ${isoTime(info.commitEnd)} and ${isoTime(info.revealEnd)} with 'cw contributor reveal --round ${roundId}'.` : `Reveal it before ${isoTime(info.revealEnd)} with 'cw contributor reveal --round ${roundId}'.`;
      return { ...base, ...empty, outcome: "pending", explanation: [`You committed to round ${roundId}; ${lock} of your stake is locked.`, when] };
    }
    return {
      ...base,
      ...empty,
      outcome: "not-revealed",
      explanation: [
        `You committed to round ${roundId} but did not reveal before ${isoTime(info.revealEnd)}, so your update was not used.`,
        `A commitment that is never revealed is slashable: anyone may slash ${slashShare} of the ${lock} it locked.`,
        slashWords,
      ],
    };
  }
  if (info.phase === "reveal" || info.phase === "awaiting-close" || info.phase === "computing") {
    return {
      ...base,
      ...empty,
      outcome: "pending",
      explanation: [`You revealed update ${revealed.updateHash}. Round ${roundId} is ${info.phase === "computing" ? "closed and the operators are computing it" : "not closed yet"}; the outcome is known once ${info.phase === "computing" ? "k operators attest the same result" : "it closes and the operators attest"}.`],
    };
  }

  const report = await recomputeRound(session, roundId);
  const result = report.result;
  const key = address.toLowerCase();
  const failedWhy = info.status === "Failed" ? await failureReason(session, roundId) : "";
  const invalidReason = result.invalid[key] ?? null;
  const tree = buildRewardsTree(Object.fromEntries(Object.entries(result.rewards).map(([a, r]) => [a, BigInt(r)])));
  const claim = tree.claims.get(address);
  const score = result.scores[key] ?? null;
  const reward = result.rewards[key] ?? null;
  const numbers = { score, reward, proof: claim?.proof ?? null, recomputationMatchesChain: report.match };
  const check = report.match
    ? `Recomputing the round from the chain and the public update files reproduces the chain's result; '${verifyCommand}' does the same.`
    : `WARNING: recomputing the round does NOT reproduce the chain's result; run '${verifyCommand}' for the field that differs.`;

  if (invalidReason) {
    return {
      ...base,
      ...numbers,
      outcome: "invalid",
      invalidReason,
      explanation: [
        `Your update was INVALID (reason: ${invalidReason}): ${INVALID_WORDS[invalidReason]}.`,
        ...(invalidReason === "norm" ? [`The round's clip norm is C = ${Number(policy.clipMantissa)} * 2^${Number(policy.clipExp)} = ${Number(policy.clipMantissa) * 2 ** Number(policy.clipExp)}; 'cw contributor train' clips and scales below it.`] : []),
        `Invalid updates earn nothing and are slashable: anyone may slash ${slashShare} of the ${lock} locked for this round with the published proof.`,
        slashWords,
        check,
      ],
    };
  }
  if (info.status === "Failed" || result.status === "failed") {
    return {
      ...base,
      ...numbers,
      outcome: "round-failed",
      invalidReason: null,
      explanation: [`Round ${roundId} failed (${failedWhy || "too few valid updates"}): no model, no rewards; the sponsor is refunded. Your valid update is not slashed and your stake is released after the challenge window.`, check],
    };
  }
  if (result.excluded.includes(key)) {
    return {
      ...base,
      ...numbers,
      outcome: "excluded",
      invalidReason: null,
      explanation: [
        `Your update was valid but EXCLUDED by the round's robust aggregation rule (${rule}${rule === "multi-krum" ? `, f = ${Number(policy.krumF)}` : ""}).`,
        rule === "multi-krum"
          ? `Multi-krum keeps the ${result.selected.length} updates closest to their neighbours and drops the ${result.excluded.length} farthest from the rest; yours was among the farthest, so it did not shape the model.`
          : "The rule left your update out of the aggregate.",
        "Excluded updates score 0 and earn no reward, but they are not slashed: your stake is released after the challenge window.",
        check,
      ],
    };
  }
  const scoreWords = score === null ? "" : `Score ${score} / ${SCORE_SCALE} (the cosine similarity of your update with the aggregate, times 10^6).`;
  const rewardWords =
    reward === null || reward === "0"
      ? "Your reward is 0 (a score of 0: your update pointed away from the aggregate)."
      : `Reward ${tokens(BigInt(reward))}: your score's share of the round's reward pool of ${tokens(info.rewardPool)}. ${claimed ? "Already claimed." : `Not claimed yet: run 'cw contributor claim --round ${roundId}' before ${isoTime(info.claimEnd)}.`}`;
  return {
    ...base,
    ...numbers,
    outcome: "selected",
    invalidReason: null,
    explanation: [`Your update was valid and SELECTED by the ${rule} rule: it is part of the new model.`, scoreWords, rewardWords, check].filter((line) => line !== ""),
  };
}

async function failureReason(session: ContributorSession, roundId: bigint): Promise<string> {
  const { rounds } = session.contracts;
  const logs = await rounds.queryFilter(rounds.filters.RoundFailed(roundId), session.deployment.deployedAtBlock);
  const reason = logs.at(-1)?.args.reason;
  return reason === undefined ? "" : FAILURE_WORDS[decodeFailureReason(reason)];
}

/** The receipt as text for a terminal. */
export function renderReceipt(receipt: Receipt): string {
  const lines = [
    `Round ${receipt.roundId} (${receipt.roundStatus}, ${receipt.rule}) for ${receipt.account}: ${receipt.outcome.toUpperCase()}${receipt.invalidReason ? ` (${receipt.invalidReason})` : ""}`,
    ...receipt.explanation.map((line) => `  ${line}`),
  ];
  if (receipt.revealed) lines.push(`  update: ${receipt.revealed.updateHash} at ${receipt.revealed.uri}`);
  if (receipt.score !== null) lines.push(`  score: ${receipt.score}`);
  if (receipt.reward !== null) lines.push(`  reward: ${receipt.reward} base units; claimed: ${receipt.claimed ? "yes" : "no"}`);
  if (receipt.proof) lines.push(`  merkle proof: [${receipt.proof.join(", ")}]`);
  lines.push(`  slashed: ${receipt.slashed.length === 0 ? "no" : receipt.slashed.map((s) => `${s.amount} (${s.reason})`).join(", ")}`);
  lines.push(`  recompute: ${receipt.verifyCommand}`);
  return `${lines.join("\n")}\n`;
}

import { floorDiv } from "./rounding.ts";

/** Scores are fractions of this scale (§4). */
export const SCORE_SCALE = 1_000_000;

/**
 * Cosine score of §4 from exact dot products: 0 unless `n1 > 0`, `n2 > 0`, `d > 0`; otherwise
 * `min(10^6, floor(float64(d) / sqrt(float64(n1) * float64(n2)) * 10^6))` in binary64.
 */
export function cosineScore(d: bigint, n1: bigint, n2: bigint): number {
  if (n1 === 0n || n2 === 0n || d <= 0n) return 0;
  // Number(bigint) rounds to nearest, ties to even: the integer-to-binary64 conversion §0 allows.
  const c = Number(d) / Math.sqrt(Number(n1) * Number(n2));
  return Math.min(SCORE_SCALE, Math.floor(c * SCORE_SCALE));
}

/** Rewards of §4: `floorDiv(pool * score_i, total)` and the dust left over; all zero when total is 0. */
export function splitRewards(pool: bigint, scores: readonly number[]): { rewards: bigint[]; dust: bigint } {
  const total = scores.reduce((s, x) => s + BigInt(x), 0n);
  if (total === 0n) return { rewards: scores.map(() => 0n), dust: pool };
  const rewards = scores.map((s) => floorDiv(pool * BigInt(s), total));
  return { rewards, dust: pool - rewards.reduce((s, r) => s + r, 0n) };
}

import type { AlignedRound } from "../protocol/alignment.ts";
import { pairCount } from "../protocol/krum.ts";
import { maxAbsOver, slicesOf, tensorFactor } from "./blocks.ts";
import type { CoordinateRange, DistancePartial } from "./types.ts";

/** 2^53: float64 holds every integer of smaller magnitude exactly. */
export const FLOAT64_EXACT = 2n ** 53n;

/**
 * An upper bound on every multi-krum pair total over `range`, exact (BigInt):
 * `sum over tensor slices of 4^(E[t]-G) * len * (2 M_t)^2`, with `M_t` the largest `|Q|` of tensor
 * t over all updates (`maxAbs`). Proof: `|Q_i - Q_k| <= 2 M_t` per coordinate, so each squared
 * difference is at most `4 M_t^2` and a slice of `len` coordinates adds at most `len * 4 M_t^2`
 * before its factor.
 *
 * Below 2^53 it also bounds every partial sum of non-negative terms a backend forms on the way
 * (each is part of some total), and every Gram term `4^s_i |q_i|^2`, `2^(s_i+s_k) q_i . q_k` of
 * the same slices (each at most `len * M_t^2 * factor`), so float64 arithmetic on those integers is
 * exact.
 */
export function distanceBound(round: AlignedRound, range: CoordinateRange): bigint {
  const all = round.updates.map((_, i) => i);
  let bound = 0n;
  for (const slice of slicesOf(round, range)) {
    const m = BigInt(maxAbsOver(round, all, slice.index));
    bound += tensorFactor(round, slice.index) * BigInt(slice.to - slice.from) * 4n * m * m;
  }
  return bound;
}

/** Whether the distances over `range` may use the `float64` form ({@link distanceBound} < 2^53). */
export function distancesFitFloat64(round: AlignedRound, range: CoordinateRange): boolean {
  return distanceBound(round, range) < FLOAT64_EXACT;
}

/** All-zero distances of `n` contributors (an empty range). */
export function zeroDistances(n: number): DistancePartial {
  return { kind: "float64", totals: new Float64Array(pairCount(n)) };
}

/** The decimal strings of every pair total (tests, hashes and debugging; not a storage form). */
export function distanceStrings(distances: DistancePartial): string[] {
  return Array.from(distances.totals, (v: number | bigint) => String(v));
}

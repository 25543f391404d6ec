import { assertInvariant } from "../errors.ts";
import { selectKth } from "./select.ts";

/** Index of pair (i, k), i < k, in the row-major upper triangle of an n x n matrix. */
export function pairIndex(i: number, k: number, n: number): number {
  return i * n - (i * (i + 1)) / 2 + (k - i - 1);
}

/** Number of unordered pairs of n items. */
export function pairCount(n: number): number {
  return (n * (n - 1)) / 2;
}

/** 2^53: float64 holds every integer of smaller magnitude exactly. */
const EXACT = 2 ** 53;

/**
 * Exact pair totals `D(i,k)` for i < k in the row-major upper triangle ({@link pairIndex}).
 *
 * - `float64`: every value is a non-negative integer below 2^53, so the float64 *is* the exact
 *   integer. Producers emit this form only under a bound proven before they compute (the largest
 *   possible total below 2^53); consumers check the values ({@link checkFloat64Totals}).
 * - `bigint`: the wide form, for totals that may reach 2^53.
 */
export type PairTotals = { readonly kind: "float64"; readonly totals: Float64Array } | { readonly kind: "bigint"; readonly totals: readonly bigint[] };

/**
 * Largest value of float64 pair totals, after checking that every one is an integer in
 * `[0, 2^53)` (the `float64` form's contract). @throws {InvariantError} otherwise.
 */
export function checkFloat64Totals(totals: Float64Array): number {
  let max = 0;
  let ok = true;
  for (let p = 0; p < totals.length; p++) {
    const v = totals[p] as number;
    // v - Math.floor(v) is 0 exactly for integers; NaN fails every comparison.
    ok = ok && v >= 0 && v < EXACT && v === Math.floor(v);
    if (v > max) max = v;
  }
  assertInvariant(ok, "float64 pair totals must be integers in [0, 2^53)");
  return max;
}

/** `D(i,k)` as a BigInt, whatever the form. */
export function pairTotal(distances: PairTotals, p: number): bigint {
  return distances.kind === "float64" ? BigInt(distances.totals[p] as number) : ((distances.totals[p] as bigint | undefined) ?? 0n);
}

/**
 * Puts the `count` smallest values of `row` (any order) into `row[0, count)`, in place, in
 * expected linear time and at most `O(n log n)` on hostile input ({@link selectKth}). Only the
 * multiset of the first `count` values is defined (which is all a sum needs).
 */
export function selectSmallest(row: Float64Array, count: number): void {
  if (count >= 1 && count < row.length) selectKth(row, 0, row.length - 1, count - 1);
}

/**
 * Exact sum of the first `count` values of a row of float64 integers in `[0, 2^53)` whose largest
 * value is `max`: in float64 when `count * max < 2^53` (every partial sum is then an exact
 * integer), else as two float64 limbs `v = hi * 2^32 + lo` (at most 2^21 values: the lo sum stays
 * below 2^53, the hi sum below 2^42) combined once in BigInt.
 */
function rowSum(row: Float64Array, count: number, max: number): bigint {
  if (count * max < EXACT) {
    let s = 0;
    for (let j = 0; j < count; j++) s += row[j] as number;
    return BigInt(s);
  }
  assertInvariant(count < 2 ** 21, "multi-krum limb sums take at most 2^21 values per row");
  let hi = 0;
  let lo = 0;
  for (let j = 0; j < count; j++) {
    const v = row[j] as number;
    const h = Math.floor(v / 2 ** 32);
    hi += h;
    lo += v - h * 2 ** 32;
  }
  return (BigInt(hi) << 32n) + BigInt(lo);
}

/** `score_i` of every row from float64 totals: a per-row selection, then an exact sum. */
function float64Scores(totals: Float64Array, n: number, closest: number): bigint[] {
  const max = checkFloat64Totals(totals);
  const row = new Float64Array(n - 1);
  const scores: bigint[] = [];
  for (let i = 0; i < n; i++) {
    // Column i above the diagonal: D(k, i) for k < i, at pairIndex(k, i), stepping n - k - 2.
    let at = i - 1;
    for (let k = 0; k < i; k++) {
      row[k] = totals[at] as number;
      at += n - k - 2;
    }
    // Row i right of the diagonal: D(i, k) for k > i, contiguous from pairIndex(i, i + 1).
    const start = pairIndex(i, i + 1, n);
    row.set(totals.subarray(start, start + n - 1 - i), i);
    selectSmallest(row, closest);
    scores.push(rowSum(row, closest, max));
  }
  return scores;
}

/** `score_i` of every row from BigInt totals (the wide fallback): full sort per row. */
function bigintScores(totals: readonly bigint[], n: number, closest: number): bigint[] {
  return Array.from({ length: n }, (_, i) => {
    const row: bigint[] = [];
    for (let k = 0; k < n; k++) if (k !== i) row.push((totals[i < k ? pairIndex(i, k, n) : pairIndex(k, i, n)] as bigint | undefined) ?? 0n);
    row.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    let s = 0n;
    for (let j = 0; j < closest; j++) s += row[j] as bigint;
    return s;
  });
}

/**
 * Multi-krum selection (§3): `score_i` = sum of the `n - f - 2` smallest `D(i,k)`, `k != i`;
 * selects the `n - f` smallest scores, ties broken by lower index. Returns indices ascending.
 *
 * Exact: the sum of the `c` smallest values does not depend on how equal values are ordered, so a
 * per-row selection ({@link selectSmallest}) gives the same score as a full sort; sums are exact
 * (see `rowSum`), scores are compared as BigInt. `O(n^2)` expected time on the float64 form.
 * @param distances `D(i,k)` for i < k, see {@link pairIndex}; requires `n >= 2f + 3`.
 */
export function selectKrum(distances: PairTotals, n: number, f: number): number[] {
  assertInvariant(Number.isInteger(f) && f >= 0 && n >= 2 * f + 3, `multi-krum needs n >= 2f + 3 (n = ${n}, f = ${f})`);
  assertInvariant(distances.totals.length === pairCount(n), `multi-krum: ${distances.totals.length} distances for ${n} contributors`);
  const closest = n - f - 2;
  const scores = distances.kind === "float64" ? float64Scores(distances.totals, n, closest) : bigintScores(distances.totals, n, closest);
  const order = scores.map((score, index) => ({ score, index }));
  order.sort((a, b) => (a.score < b.score ? -1 : a.score > b.score ? 1 : a.index - b.index));
  return order
    .slice(0, n - f)
    .map((o) => o.index)
    .sort((a, b) => a - b);
}

import { assertInvariant } from "../errors.ts";
import { checkFloat64Totals, pairCount, pairTotal } from "../protocol/krum.ts";
import { zeroDistances } from "./pair-totals.ts";
import type { CoordinateRange, DistancePartial, ScorePartial } from "./types.ts";

/** Splits `[0, size)` into `count` contiguous ranges of near-equal length (empty ones dropped). */
export function splitRange(range: CoordinateRange, count: number): CoordinateRange[] {
  const out: CoordinateRange[] = [];
  const length = range.end - range.start;
  for (let s = 0; s < count; s++) {
    const start = range.start + Math.floor((length * s) / count);
    const end = range.start + Math.floor((length * (s + 1)) / count);
    if (end > start) out.push({ start, end });
  }
  return out.length > 0 ? out : [{ ...range }];
}

/**
 * Adds distance partials of disjoint ranges, exactly. The result is `float64` when every part is
 * and the sum of the parts' largest totals is below 2^53: then every sum is an integer below 2^53
 * and each float64 addition is exact. (The check itself is exact: the parts' maxima are integers
 * below 2^53, so their float64 sum is exact while the true sum stays below 2^53 and, rounding
 * being monotone, at least 2^53 once it reaches it.) Otherwise the sum is in BigInt.
 * @throws {InvariantError} when a part does not hold `pairCount(n)` totals or breaks the float64 form.
 */
export function combineDistances(parts: readonly DistancePartial[], n: number): DistancePartial {
  const pairs = pairCount(n);
  for (const part of parts) assertInvariant(part.totals.length === pairs, `a distance partial holds ${part.totals.length} totals, not the ${pairs} pairs of ${n} contributors`);
  const first = parts[0];
  if (first === undefined) return zeroDistances(n);
  if (parts.every((p) => p.kind === "float64")) {
    let bound = 0;
    for (const part of parts) bound += checkFloat64Totals(part.totals as Float64Array);
    if (parts.length === 1) return first;
    if (bound < 2 ** 53) {
      const totals = new Float64Array(pairs);
      for (const part of parts) {
        const values = part.totals as Float64Array;
        for (let p = 0; p < pairs; p++) totals[p] = (totals[p] as number) + (values[p] as number);
      }
      return { kind: "float64", totals };
    }
  }
  const totals = new Array<bigint>(pairs).fill(0n);
  for (const part of parts) for (let p = 0; p < pairs; p++) totals[p] = (totals[p] as bigint) + pairTotal(part, p);
  return { kind: "bigint", totals };
}

/** Exact score dot products over the whole model. */
export type ScoreDots = { qa: bigint[]; qq: bigint[]; aa: bigint };

/** Adds score partials of disjoint ranges. */
export function combineScoreDots(parts: readonly ScorePartial[], members: number): ScoreDots {
  const qa = new Array<bigint>(members).fill(0n);
  const qq = new Array<bigint>(members).fill(0n);
  let aa = 0n;
  for (const part of parts) {
    for (let m = 0; m < members; m++) {
      qa[m] = (qa[m] as bigint) + BigInt(part.qa[m] ?? "0");
      qq[m] = (qq[m] as bigint) + BigInt(part.qq[m] ?? "0");
    }
    aa += BigInt(part.aa);
  }
  return { qa, qq, aa };
}

/** Concatenates aggregate slices of consecutive ranges. */
export function combineAggregate(parts: readonly Float64Array[], size: number): Float64Array {
  // One part covering everything is the aggregate itself: no copy.
  if (parts.length === 1 && parts[0]?.length === size) return parts[0];
  const out = new Float64Array(size);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

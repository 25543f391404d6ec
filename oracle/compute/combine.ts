import { pairCount } from "../protocol/krum.ts";
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

/** Adds distance partials of disjoint ranges. */
export function combineDistances(parts: readonly DistancePartial[], n: number): bigint[] {
  const total = new Array<bigint>(pairCount(n)).fill(0n);
  for (const part of parts) for (let p = 0; p < total.length; p++) total[p] = (total[p] as bigint) + BigInt(part[p] ?? "0");
  return total;
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

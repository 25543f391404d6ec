import type { AlignedRound } from "../../protocol/alignment.ts";
import type { CoordinateRange, ScorePartial } from "../types.ts";
import { BLOCK, loadQ, maxAbsOver, slicesOf, tensorFactor } from "../blocks.ts";
import { exactProduct, exactTermCount } from "./exact-sum.ts";

function maxAbs(values: Float64Array, from: number, to: number): number {
  let m = 0;
  for (let j = from; j < to; j++) m = Math.max(m, Math.abs(values[j] as number));
  return m;
}

/**
 * Score dot products over `range` (see {@link ScorePartial}). `aggregate` holds A for the range.
 *
 * Exactness: every term is a product of two integers of magnitude at most `M = max(max|Q|, max|A|)`
 * over the slice, so float64 accumulators add at most `floor(2^53 / M^2)` terms before flushing to
 * BigInt; when `M^2 > 2^53` each product is formed in BigInt.
 */
export function scorePartial(round: AlignedRound, members: readonly number[], aggregate: Float64Array, range: CoordinateRange): ScorePartial {
  const n = members.length;
  const qa = new Array<bigint>(n).fill(0n);
  const qq = new Array<bigint>(n).fill(0n);
  let aa = 0n;
  const row = new Float64Array(BLOCK);
  for (const slice of slicesOf(round, range)) {
    const base = slice.tensor.offset + slice.from - range.start;
    const am = maxAbs(aggregate, base, base + slice.to - slice.from);
    const m = Math.max(am, maxAbsOver(round, members, slice.index));
    const limit = Math.min(exactTermCount(m * m), BLOCK);
    const factor = tensorFactor(round, slice.index);
    const sqa = new Array<bigint>(n).fill(0n);
    const sqq = new Array<bigint>(n).fill(0n);
    let saa = 0n;
    for (let from = slice.from; from < slice.to; from += BLOCK) {
      const to = Math.min(slice.to, from + BLOCK);
      const a0 = base + from - slice.from;
      for (let start = 0; start < to - from; start += Math.max(limit, 1)) {
        const end = Math.min(to - from, start + Math.max(limit, 1));
        saa += limit === 0 ? bigDot(aggregate, a0 + start, aggregate, a0 + start, end - start) : BigInt(dot(aggregate, a0 + start, aggregate, a0 + start, end - start));
      }
      for (let mi = 0; mi < n; mi++) {
        loadQ(round, members[mi] as number, slice.index, from, to, row, 0);
        for (let start = 0; start < to - from; start += Math.max(limit, 1)) {
          const len = Math.min(to - from, start + Math.max(limit, 1)) - start;
          if (limit === 0) {
            sqa[mi] = (sqa[mi] as bigint) + bigDot(row, start, aggregate, a0 + start, len);
            sqq[mi] = (sqq[mi] as bigint) + bigDot(row, start, row, start, len);
          } else {
            sqa[mi] = (sqa[mi] as bigint) + BigInt(dot(row, start, aggregate, a0 + start, len));
            sqq[mi] = (sqq[mi] as bigint) + BigInt(dot(row, start, row, start, len));
          }
        }
      }
    }
    for (let mi = 0; mi < n; mi++) {
      qa[mi] = (qa[mi] as bigint) + (sqa[mi] as bigint) * factor;
      qq[mi] = (qq[mi] as bigint) + (sqq[mi] as bigint) * factor;
    }
    aa += saa * factor;
  }
  return { qa: qa.map(String), qq: qq.map(String), aa: String(aa) };
}

function dot(x: Float64Array, xi: number, y: Float64Array, yi: number, len: number): number {
  let s = 0;
  for (let j = 0; j < len; j++) s += (x[xi + j] as number) * (y[yi + j] as number);
  return s;
}

function bigDot(x: Float64Array, xi: number, y: Float64Array, yi: number, len: number): bigint {
  let s = 0n;
  for (let j = 0; j < len; j++) s += exactProduct(x[xi + j] as number, y[yi + j] as number);
  return s;
}

import type { AlignedRound, AlignedTensor } from "../protocol/alignment.ts";
import type { CoordinateRange } from "./types.ts";

/** Coordinates per block: a block of every update's values stays in cache. */
export const BLOCK = 4096;

/** The part of one tensor inside a coordinate range, in tensor-local indices `[from, to)`. */
export type TensorSlice = { index: number; tensor: AlignedTensor; from: number; to: number };

/** The tensor slices that a range covers, in order. */
export function slicesOf(round: AlignedRound, range: CoordinateRange): TensorSlice[] {
  const out: TensorSlice[] = [];
  round.tensors.forEach((tensor, index) => {
    const from = Math.max(range.start, tensor.offset) - tensor.offset;
    const to = Math.min(range.end, tensor.offset + tensor.size) - tensor.offset;
    if (to > from) out.push({ index, tensor, from, to });
  });
  return out;
}

/**
 * Writes `Q = q * 2^shift` of update `u`, tensor slice elements `[from, to)`, into `out` at `at`.
 * Exact: |Q| <= 2^52 for valid updates.
 */
export function loadQ(round: AlignedRound, u: number, t: number, from: number, to: number, out: Float64Array, at: number): void {
  const update = round.updates[u];
  if (update === undefined) return;
  const q = update.q[t];
  if (q === undefined) return;
  const scale = 2 ** (update.shift[t] ?? 0);
  if (scale === 1) for (let j = from; j < to; j++) out[at + j - from] = q[j] as number;
  else for (let j = from; j < to; j++) out[at + j - from] = (q[j] as number) * scale;
}

/** Largest `maxAbs[t]` over the given updates. */
export function maxAbsOver(round: AlignedRound, members: readonly number[], t: number): number {
  let m = 0;
  for (const u of members) m = Math.max(m, round.updates[u]?.maxAbs[t] ?? 0);
  return m;
}

/** `4^(E[t] - G)`, the factor that puts tensor t's dot products on the common scale. */
export function tensorFactor(round: AlignedRound, t: number): bigint {
  return 4n ** BigInt((round.tensors[t]?.E ?? 0) - round.G);
}

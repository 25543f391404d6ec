import { tensorStats, type TensorStats } from "./int-kernels.ts";
import type { IntArray } from "./typed-views.ts";

/** `sum_j q[j]^2`, exact (see {@link tensorStats}). */
export function sumOfSquares(q: IntArray): bigint {
  return tensorStats(q).sumSquares;
}

/**
 * The exact norm check of §1.2: `sum_t 4^e[t] * sum_j q[t][j]^2 <= (clipMantissa * 2^clipExp)^2`.
 * Both sides are multiplied by `4^-m`, `m` the smallest exponent involved, so all terms are integers.
 * @param stats each tensor's {@link TensorStats}, when already computed.
 */
export function withinClipNorm(tensors: readonly { q: IntArray; exp: number }[], clipMantissa: number, clipExp: number, stats: readonly TensorStats[] = tensors.map((t) => tensorStats(t.q))): boolean {
  const m = Math.min(clipExp, ...tensors.map((t) => t.exp));
  let lhs = 0n;
  tensors.forEach((t, i) => {
    lhs += (stats[i] ?? tensorStats(t.q)).sumSquares << BigInt(2 * (t.exp - m));
  });
  const rhs = BigInt(clipMantissa) ** 2n << BigInt(2 * (clipExp - m));
  return lhs <= rhs;
}

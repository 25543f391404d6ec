import { assertInvariant } from "../errors.ts";

/** Mathematical floor of `n / d` for `d > 0` (BigInt division truncates toward zero). */
export function floorDiv(n: bigint, d: bigint): bigint {
  assertInvariant(d > 0n, "floorDiv needs a positive divisor");
  const q = n / d;
  return n % d !== 0n && n < 0n ? q - 1n : q;
}

/** `rhe(n, d)`: the integer nearest to `n / d`, ties to even (docs/protocol.md §0). Exact. */
export function rhe(n: bigint, d: bigint): bigint {
  const q = floorDiv(n, d);
  const twiceRemainder = 2n * (n - q * d);
  if (twiceRemainder < d) return q;
  if (twiceRemainder > d) return q + 1n;
  return q % 2n === 0n ? q : q + 1n;
}

/** Largest |n| + d for which {@link rheSmall} is exact: every product below stays under 2^53. */
export const RHE_SMALL_LIMIT = 2 ** 52;

/**
 * {@link rhe} for float64 integers with `|n| + d <= 2^52`, without BigInt. Returns +0, never -0.
 *
 * Exactness: `q0 = floor(n / d)` may be off by one because the division rounds, so it is
 * corrected; `q * d` for the candidate quotients lies within `|n| + d <= 2^52` and `2 * r < 2^53`,
 * so every product and difference is an exact float64 integer. The parity of q is taken as
 * `q - 2 * floor(q / 2)` (exact here) rather than with `%`, a slow runtime call in V8's hot loops.
 */
export function rheSmall(n: number, d: number): number {
  let q = Math.floor(n / d);
  let r = n - q * d;
  if (r < 0) {
    q -= 1;
    r += d;
  } else if (r >= d) {
    q += 1;
    r -= d;
  }
  const twice = 2 * r;
  if (twice > d || (twice === d && q - 2 * Math.floor(q / 2) !== 0)) q += 1;
  return q + 0;
}

/** {@link rhe} on float64 integers that picks {@link rheSmall} when it is provably exact. */
export function rheNumber(n: number, d: number): number {
  if (Math.abs(n) + d <= RHE_SMALL_LIMIT) return rheSmall(n, d);
  return Number(rhe(BigInt(n), BigInt(d)));
}

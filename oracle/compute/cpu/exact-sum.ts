/** 2^53: float64 represents every integer of smaller magnitude exactly. */
export const EXACT_LIMIT = 2 ** 53;

/**
 * How many integer terms of magnitude at most `termBound` a float64 accumulator can add exactly:
 * every partial sum stays within `count * termBound <= 2^53`. 0 when a single term may be inexact.
 */
export function exactTermCount(termBound: number): number {
  if (termBound === 0) return Number.MAX_SAFE_INTEGER;
  if (termBound > EXACT_LIMIT) return 0;
  return Math.floor(EXACT_LIMIT / termBound);
}

/** Exact product of two float64 integers as a BigInt. */
export function exactProduct(a: number, b: number): bigint {
  return BigInt(a) * BigInt(b);
}

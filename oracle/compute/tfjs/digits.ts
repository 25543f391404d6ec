import { rhe, rheNumber } from "../../protocol/rounding.ts";

/**
 * Aligned values (|Q| <= 2^52) are written in base 2^10 as six digits: d0..d4 in [0, 1024) and
 * d5 = floor(Q / 2^50) in [-4, 4], so `Q = sum_m d_m * 2^(10 m)`. Every tfjs op below multiplies at
 * most two digits (|product| <= 1023^2 < 2^20) and adds at most 2048 such products
 * (2048 * 1023^2 = 2 143 291 392 < 2^31 - 1), so every int32 tensor value is exact.
 */
export const DIGIT_BITS = 10;
export const DIGITS = 6;
const BASE = 2 ** DIGIT_BITS;
/** Most products one int32 reduction may add (see above). */
export const MAX_TERMS = 2048;

/** Writes the digits of `values[0..len)` into `out` laid out `[DIGITS, stride]` starting at `at`. */
export function toDigits(values: Float64Array, len: number, out: Int32Array, at: number, stride: number): void {
  for (let j = 0; j < len; j++) {
    let v = values[j] as number;
    for (let m = 0; m < DIGITS - 1; m++) {
      const hi = Math.floor(v / BASE);
      out[at + m * stride + j] = v - hi * BASE;
      v = hi;
    }
    out[at + (DIGITS - 1) * stride + j] = v;
  }
}

/** Digits of a non-negative integer below 2^40 (a weight) in base 2^10: four digits. */
export function weightDigits(w: number): number[] {
  const out: number[] = [];
  for (let m = 0; m < 4; m++) {
    out.push(w % BASE);
    w = Math.floor(w / BASE);
  }
  return out;
}

/** `|Q| <= 2^52` splits as `hi * 2^26 + lo`, `lo` in [0, 2^26): both exact int32, order-preserving pairs. */
export function toCompareLimbs(values: Float64Array, len: number, hi: Int32Array, lo: Int32Array, at: number): void {
  for (let j = 0; j < len; j++) {
    const v = values[j] as number;
    const h = Math.floor(v / 2 ** 26);
    hi[at + j] = h;
    lo[at + j] = v - h * 2 ** 26;
  }
}

/**
 * Exact integer per element from positional int32 terms: element j is
 * `sum_p terms[p * len + j] * 2^(10 * p)`. Float64 when the sum of magnitudes stays within 2^53
 * (then every partial sum is exact), BigInt otherwise. Then `rhe(value, divisor)`.
 */
export function recombineRhe(terms: ArrayLike<number>, positions: number, len: number, divisor: number, out: Float64Array, at: number): void {
  for (let j = 0; j < len; j++) {
    let s = 0;
    let bound = 0;
    for (let p = 0; p < positions; p++) {
      const t = (terms[p * len + j] as number) * 2 ** (DIGIT_BITS * p);
      s += t;
      bound += Math.abs(t);
    }
    if (bound <= 2 ** 53) {
      out[at + j] = rheNumber(s, divisor);
      continue;
    }
    let big = 0n;
    for (let p = 0; p < positions; p++) big += BigInt(terms[p * len + j] as number) << BigInt(DIGIT_BITS * p);
    out[at + j] = Number(rhe(big, BigInt(divisor))) + 0;
  }
}

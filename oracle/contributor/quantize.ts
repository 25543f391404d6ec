import { InvalidInputError } from "../errors.ts";
import { MAX_EXPONENT, MIN_EXPONENT, type UpdateTensor } from "../protocol/update-file.ts";
import type { Policy } from "../protocol/policy.ts";
import type { RealTensor } from "./dp.ts";

/** Integer dtypes a contributor may quantize to (I32 is allowed by the protocol but never needed here). */
export type QuantizedDtype = "I8" | "I16";

/** Representable range of each dtype (two's complement). */
export const DTYPE_RANGE = {
  I8: { min: -(2 ** 7), max: 2 ** 7 - 1 },
  I16: { min: -(2 ** 15), max: 2 ** 15 - 1 },
} as const satisfies Record<QuantizedDtype, { min: number; max: number }>;

/** The verification bound `C = clipMantissa · 2^clipExp` as the policy states it (docs/protocol.md §2). */
export type NormBound = Pick<Policy, "clipMantissa" | "clipExp">;

/** `v / 2^e` rounded toward zero. Exact: dividing by a power of two only moves the binary exponent. */
function truncScaled(value: number, exponent: number): number {
  return Math.trunc(value * 2 ** -exponent);
}

/**
 * The smallest (finest) exponent `e` in [-40, 0] at which every value, rounded toward zero, fits
 * `dtype`. All-zero tensors get -40.
 * @throws {InvalidInputError} when a value does not fit even at `e = 0`, or is not finite.
 */
export function chooseExponent(values: ArrayLike<number>, dtype: QuantizedDtype): number {
  let min = 0;
  let max = 0;
  for (let j = 0; j < values.length; j++) {
    const v = values[j] ?? 0;
    if (!Number.isFinite(v)) throw new InvalidInputError(`value ${v} cannot be quantized`);
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const range = DTYPE_RANGE[dtype];
  // trunc is monotone, so the extremes decide whether every value fits.
  for (let e = MIN_EXPONENT; e <= MAX_EXPONENT; e++) {
    if (truncScaled(max, e) <= range.max && truncScaled(min, e) >= range.min) return e;
  }
  throw new InvalidInputError(`values in [${min}, ${max}] do not fit ${dtype} at any exponent <= ${MAX_EXPONENT}`);
}

/**
 * Quantizes one tensor: `q = trunc(v / 2^e)` with `e` from {@link chooseExponent}. Rounding toward
 * zero gives `|q · 2^e| <= |v|` element-wise, so quantization never raises the norm.
 * @throws {InvalidInputError} when the values do not fit `dtype`.
 */
export function quantizeTensor(tensor: RealTensor, dtype: QuantizedDtype): UpdateTensor {
  const exp = chooseExponent(tensor.values, dtype);
  const q = dtype === "I8" ? new Int8Array(tensor.values.length) : new Int16Array(tensor.values.length);
  for (let j = 0; j < q.length; j++) q[j] = truncScaled(tensor.values[j] ?? 0, exp);
  return { name: tensor.name, shape: [...tensor.shape], dtype, q, exp };
}

/** Quantizes every tensor to `dtype`, keeping their order. */
export function quantizeDelta(tensors: readonly RealTensor[], dtype: QuantizedDtype): UpdateTensor[] {
  return tensors.map((t) => quantizeTensor(t, dtype));
}

/** The real values `q · 2^e` of a quantized tensor (exact in binary64). */
export function dequantize(tensor: Pick<UpdateTensor, "q" | "exp">): Float64Array {
  const scale = 2 ** tensor.exp;
  return Float64Array.from(tensor.q, (q) => q * scale);
}

/**
 * `C` as a binary64 number: exact for a mantissa below 2^53 and `clipExp >= -1022`; otherwise the
 * nearest double, which the exact check after quantization still backs up.
 */
export function boundNorm(bound: NormBound): number {
  return bound.clipMantissa * 2 ** bound.clipExp;
}

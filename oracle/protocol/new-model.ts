import type { AlignedTensor } from "./alignment.ts";
import type { ModelTensor } from "./model-file.ts";

/** Whether every base value is finite (§3: otherwise the round fails). */
export function baseIsFinite(base: readonly ModelTensor[]): boolean {
  for (const t of base) for (let j = 0; j < t.values.length; j++) if (!Number.isFinite(t.values[j])) return false;
  return true;
}

/**
 * The new model (§3): per element `y = base + A * 2^E` in binary64 (the product is exact: |A| <= 2^52,
 * E >= -40), rounded once to binary32. `undefined` when a value rounds to an infinity (round fails).
 * The addition runs for every element, so a base -0 becomes +0 (A is never -0).
 * @param into tensors to write the values to (views into a file from `allocateModel`, same layout as
 *   `base`); new arrays when absent.
 */
export function applyAggregate(base: readonly ModelTensor[], tensors: readonly AlignedTensor[], aggregate: Float64Array, into?: readonly ModelTensor[]): ModelTensor[] | undefined {
  const out: ModelTensor[] = [];
  for (let ti = 0; ti < base.length; ti++) {
    const b = base[ti] as ModelTensor;
    const { offset, E } = tensors[ti] as AlignedTensor;
    const scale = 2 ** E;
    const values = into?.[ti]?.values ?? new Float32Array(b.values.length);
    const bv = b.values;
    for (let j = 0; j < values.length; j++) {
      // Math.fround is the round-to-nearest-even of the binary64 sum to binary32: the one rounding §3 allows.
      const v = Math.fround((bv[j] as number) + (aggregate[offset + j] as number) * scale);
      values[j] = v;
      // v - v is NaN exactly for an infinity (v cannot be NaN: base and A are finite).
      if (v - v !== 0) return undefined;
    }
    out.push({ name: b.name, shape: b.shape, values });
  }
  return out;
}

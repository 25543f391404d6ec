import type { Policy } from "./policy.ts";
import { tensorStats, type TensorStats } from "./int-kernels.ts";
import type { IntArray } from "./typed-views.ts";
import type { Update } from "./update-file.ts";

/** One tensor's place in the flattened model and its common exponent `E[t]`. */
export type AlignedTensor = { name: string; size: number; offset: number; E: number };

/**
 * One valid update, aligned: `Q[t][j] = q[t][j] * 2^shift[t]` with `shift[t] = e[t] - E[t]`.
 * `maxAbs[t]` bounds `|Q[t][j]|`; `weight` is `w_i` of §3.
 */
export type AlignedUpdate = { q: IntArray[]; shift: number[]; maxAbs: number[]; weight: number };

/**
 * The valid updates of a round, aligned (§3), in canonical order. Plain data (typed arrays and
 * numbers), so it can be posted to worker threads or serialised for remote shards.
 */
export type AlignedRound = {
  tensors: AlignedTensor[];
  /** Total parameter count P; coordinates of shards index the flattened tensors in name order. */
  size: number;
  /** `G = min_t E[t]`. */
  G: number;
  updates: AlignedUpdate[];
};

/**
 * Aligns valid updates (in canonical order) to common exponents (§3 Alignment, Weights).
 * Every update has the same tensors in the same order (checked by {@link decodeUpdate}).
 * @param stats per update, its tensors' {@link TensorStats} when validation already computed them
 *   (then no tensor is read again); computed here otherwise.
 */
export function alignUpdates(updates: readonly Update[], layout: readonly { name: string; size: number }[], policy: Pick<Policy, "weighting" | "maxSampleWeight">, stats: readonly (readonly TensorStats[] | undefined)[] = []): AlignedRound {
  let offset = 0;
  const tensors = layout.map((t, ti): AlignedTensor => {
    let E = 0;
    for (const u of updates) E = Math.min(E, (u.tensors[ti] as Update["tensors"][number]).exp);
    const aligned = { name: t.name, size: t.size, offset, E };
    offset += t.size;
    return aligned;
  });
  const G = Math.min(0, ...tensors.map((t) => t.E));
  return {
    tensors,
    size: offset,
    G,
    updates: updates.map((u, ui) => ({
      q: u.tensors.map((t) => t.q),
      shift: u.tensors.map((t, ti) => t.exp - (tensors[ti] as AlignedTensor).E),
      maxAbs: u.tensors.map((t, ti) => (stats[ui]?.[ti] ?? tensorStats(t.q)).maxAbs * 2 ** (t.exp - (tensors[ti] as AlignedTensor).E)),
      weight: policy.weighting === "uniform" ? 1 : Math.min(u.samples, policy.maxSampleWeight),
    })),
  };
}

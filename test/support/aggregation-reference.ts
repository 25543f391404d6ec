import type { AggregatePlan } from "../../oracle/compute/types.ts";
import type { AlignedRound } from "../../oracle/protocol/alignment.ts";
import { rhe } from "../../oracle/protocol/rounding.ts";

/*
 * A straightforward reference of docs/protocol.md §3-§4 over an aligned round: every value in BigInt,
 * every order statistic by a full sort, every dot product term by term. Slow on purpose; the
 * backends are checked against it.
 */

/** `Q_i[t][j] = q_i[t][j] * 2^shift_i[t]` (§3 Alignment). */
export function alignedQ(round: AlignedRound, u: number, t: number, j: number): bigint {
  const update = round.updates[u];
  return BigInt(update?.q[t]?.[j] ?? 0) << BigInt(update?.shift[t] ?? 0);
}

function compare(x: bigint, y: bigint): number {
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The aggregate A of §3 for `plan`, every element from the definitions. */
export function referenceAggregate(round: AlignedRound, plan: AggregatePlan): Float64Array {
  const out = new Float64Array(round.size);
  round.tensors.forEach((tensor, t) => {
    for (let j = 0; j < tensor.size; j++) {
      const values = plan.members.map((u) => alignedQ(round, u, t, j));
      let a: bigint;
      if (plan.kind === "weighted-mean") {
        const s = values.reduce((acc, v, i) => acc + v * BigInt(plan.weights[i] ?? 0), 0n);
        a = rhe(s, BigInt(plan.weights.reduce((x, w) => x + w, 0)));
      } else {
        values.sort(compare);
        const n = values.length;
        const [lo, hi] = plan.kind === "median" ? [(n - 1) >>> 1, (n >>> 1) + 1] : [plan.trim, n - plan.trim];
        a = rhe(values.slice(lo, hi).reduce((x, v) => x + v, 0n), BigInt(hi - lo));
      }
      out[tensor.offset + j] = Number(a);
    }
  });
  return out;
}

/** `D(i,k) = dot(Q_i - Q_k, Q_i - Q_k)` for every pair `i < k`, row-major, as decimal strings. */
export function referenceDistances(round: AlignedRound): string[] {
  const n = round.updates.length;
  // Q_i[t][j] once per element, in BigInt; the factor 4^(E[t] - G) folded in as 2^(E[t] - G) on each side.
  const q = round.updates.map((_, i) => round.tensors.flatMap((tensor, t) => Array.from({ length: tensor.size }, (_, j) => alignedQ(round, i, t, j) << BigInt(tensor.E - round.G))));
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const a = q[i] as bigint[];
    for (let k = i + 1; k < n; k++) {
      const b = q[k] as bigint[];
      let total = 0n;
      for (let j = 0; j < a.length; j++) {
        const d = (a[j] as bigint) - (b[j] as bigint);
        total += d * d;
      }
      out.push(String(total));
    }
  }
  return out;
}

/** The score dot products of §4: `dot(Q_m, A)`, `dot(Q_m, Q_m)` per member and `dot(A, A)`. */
export function referenceScoreDots(round: AlignedRound, members: readonly number[], aggregate: Float64Array): { qa: string[]; qq: string[]; aa: string } {
  const qa = members.map(() => 0n);
  const qq = members.map(() => 0n);
  let aa = 0n;
  round.tensors.forEach((tensor, t) => {
    const factor = 4n ** BigInt(tensor.E - round.G);
    for (let j = 0; j < tensor.size; j++) {
      const a = BigInt(aggregate[tensor.offset + j] ?? 0);
      aa += a * a * factor;
      members.forEach((u, m) => {
        const q = alignedQ(round, u, t, j);
        qa[m] = (qa[m] as bigint) + q * a * factor;
        qq[m] = (qq[m] as bigint) + q * q * factor;
      });
    }
  });
  return { qa: qa.map(String), qq: qq.map(String), aa: String(aa) };
}

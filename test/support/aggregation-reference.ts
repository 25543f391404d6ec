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

/** `D(i,k) = dot(Q_i - Q_k, Q_i - Q_k)` for every pair `i < k`, row-major, in BigInt. */
export function referenceDistances(round: AlignedRound): bigint[] {
  const n = round.updates.length;
  // Q_i[t][j] once per element, in BigInt; the factor 4^(E[t] - G) folded in as 2^(E[t] - G) on each side.
  const q = round.updates.map((_, i) => round.tensors.flatMap((tensor, t) => Array.from({ length: tensor.size }, (_, j) => alignedQ(round, i, t, j) << BigInt(tensor.E - round.G))));
  const out: bigint[] = [];
  for (let i = 0; i < n; i++) {
    const a = q[i] as bigint[];
    for (let k = i + 1; k < n; k++) {
      const b = q[k] as bigint[];
      let total = 0n;
      for (let j = 0; j < a.length; j++) {
        const d = (a[j] as bigint) - (b[j] as bigint);
        total += d * d;
      }
      out.push(total);
    }
  }
  return out;
}

/**
 * The same distances term by term in float64, for rounds too large for BigInt (N = 10,000 has 50M
 * pairs). Exact only when every total, hence every partial sum of its non-negative terms, is below
 * 2^53: callers assert that bound (`distanceBound` < 2^53) first, which is what makes it a reference.
 */
export function referenceDistancesFloat64(round: AlignedRound): Float64Array {
  const n = round.updates.length;
  const width = round.size;
  const q = new Float64Array(n * width);
  round.updates.forEach((u, i) => {
    round.tensors.forEach((tensor, t) => {
      const scale = 2 ** ((u.shift[t] ?? 0) + tensor.E - round.G);
      for (let j = 0; j < tensor.size; j++) q[i * width + tensor.offset + j] = (u.q[t]?.[j] ?? 0) * scale;
    });
  });
  const out = new Float64Array((n * (n - 1)) / 2);
  let p = 0;
  for (let i = 0; i < n; i++) {
    for (let k = i + 1; k < n; k++, p++) {
      let total = 0;
      for (let j = 0; j < width; j++) {
        const d = (q[i * width + j] as number) - (q[k * width + j] as number);
        total += d * d;
      }
      out[p] = total;
    }
  }
  return out;
}

/**
 * Multi-krum's selection (§3) from the definition: every row sorted in full, the `n - f - 2`
 * smallest summed, scores sorted by (score, index). BigInt distances sum in BigInt; float64 ones
 * (exact integers) are sorted as a Float64Array and summed in float64 when `(n - f - 2) * max D < 2^53`
 * (then exact), else in BigInt.
 */
export function referenceKrum(distances: readonly bigint[] | Float64Array, n: number, f: number): number[] {
  const at = (i: number, k: number): number => (i < k ? i * n - (i * (i + 1)) / 2 + (k - i - 1) : k * n - (k * (k + 1)) / 2 + (i - k - 1));
  const closest = n - f - 2;
  const scores: bigint[] = [];
  if (distances instanceof Float64Array) {
    let max = 0;
    for (const d of distances) max = Math.max(max, d);
    const exact = closest * max < 2 ** 53;
    const row = new Float64Array(n - 1);
    for (let i = 0; i < n; i++) {
      let r = 0;
      for (let k = 0; k < n; k++) if (k !== i) row[r++] = distances[at(i, k)] as number;
      row.sort();
      if (exact) {
        let s = 0;
        for (let j = 0; j < closest; j++) s += row[j] as number;
        scores.push(BigInt(s));
      } else {
        let s = 0n;
        for (let j = 0; j < closest; j++) s += BigInt(row[j] as number);
        scores.push(s);
      }
    }
  } else {
    for (let i = 0; i < n; i++) {
      const row: bigint[] = [];
      for (let k = 0; k < n; k++) if (k !== i) row.push(distances[at(i, k)] ?? 0n);
      row.sort(compare);
      scores.push(row.slice(0, closest).reduce((s, d) => s + d, 0n));
    }
  }
  const order = scores.map((score, index) => ({ score, index }));
  order.sort((a, b) => compare(a.score, b.score) || a.index - b.index);
  return order
    .slice(0, n - f)
    .map((o) => o.index)
    .sort((a, b) => a - b);
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

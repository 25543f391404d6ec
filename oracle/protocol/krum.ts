/** Index of pair (i, k), i < k, in the row-major upper triangle of an n x n matrix. */
export function pairIndex(i: number, k: number, n: number): number {
  return i * n - (i * (i + 1)) / 2 + (k - i - 1);
}

/** Number of unordered pairs of n items. */
export function pairCount(n: number): number {
  return (n * (n - 1)) / 2;
}

/**
 * Multi-krum selection (§3): `score_i` = sum of the `n - f - 2` smallest `D(i,k)`, `k != i`;
 * selects the `n - f` smallest scores, ties broken by lower index. Returns indices ascending.
 * @param distances `D(i,k)` for i < k, see {@link pairIndex}.
 */
export function selectKrum(distances: readonly bigint[], n: number, f: number): number[] {
  const closest = n - f - 2;
  const scores = Array.from({ length: n }, (_, i) => {
    const row: bigint[] = [];
    for (let k = 0; k < n; k++) {
      if (k !== i) row.push(distances[i < k ? pairIndex(i, k, n) : pairIndex(k, i, n)] as bigint);
    }
    row.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return row.slice(0, closest).reduce((s, d) => s + d, 0n);
  });
  const order = scores.map((score, index) => ({ score, index }));
  order.sort((a, b) => (a.score < b.score ? -1 : a.score > b.score ? 1 : a.index - b.index));
  return order.slice(0, n - f).map((o) => o.index).sort((a, b) => a - b);
}

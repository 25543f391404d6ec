/**
 * Comparator networks for the order-statistic rules: Batcher's odd-even merge sort, as a flat list
 * `[a0, b0, a1, b1, ...]` of comparators that put the smaller value at `a < b`.
 */

/**
 * Batcher's odd-even merge sort network for `n` inputs. Built for the next power of two, then every
 * comparator that touches a position `>= n` is dropped: padding those positions with +infinity
 * makes such comparators no-ops (the padding always stays in place), so the rest sorts `n` inputs.
 */
export function batcherNetwork(n: number): number[] {
  let size = 1;
  while (size < n) size *= 2;
  const out: number[] = [];
  for (let p = 1; p < size; p *= 2) {
    for (let k = p; k >= 1; k = Math.floor(k / 2)) {
      for (let j = k % p; j <= size - 1 - k; j += 2 * k) {
        for (let i = 0; i <= Math.min(k - 1, size - j - k - 1); i++) {
          const a = i + j;
          const b = i + j + k;
          if (Math.floor(a / (2 * p)) === Math.floor(b / (2 * p)) && b < n) out.push(a, b);
        }
      }
    }
  }
  return out;
}

const IGNORED = 0;
const SUMMED = 1;
const EXACT = 2;

/**
 * The comparators of `network` needed for the sum of the sorted values at ranks `[lo, hi)`.
 * Walking backwards, a comparator is dropped when its outputs are unused, or when both only feed
 * that sum (a comparator keeps the multiset of its two values, hence their sum); every kept
 * comparator makes both of its inputs needed individually.
 */
export function pruneForRankSum(network: readonly number[], n: number, lo: number, hi: number): number[] {
  const state = new Uint8Array(n);
  state.fill(SUMMED, lo, hi);
  return pruneFrom(network, state);
}

/** The backward walk of {@link pruneForRankSum} from each row's final state (IGNORED or SUMMED). */
function pruneFrom(network: readonly number[], state: Uint8Array): number[] {
  const kept: number[] = [];
  for (let c = network.length - 2; c >= 0; c -= 2) {
    const a = network[c] as number;
    const b = network[c + 1] as number;
    const sa = state[a] as number;
    const sb = state[b] as number;
    if (sa === IGNORED && sb === IGNORED) continue;
    if (sa === SUMMED && sb === SUMMED) continue;
    kept.push(b, a);
    state[a] = EXACT;
    state[b] = EXACT;
  }
  return kept.reverse();
}

/**
 * A comparator network and where its outputs sit: after it, the value of rank `r` is in row
 * `rankRow[r]` (a network built over placed rows need not leave rank `r` in row `r`).
 */
export type RankedNetwork = { comparators: number[]; rankRow: number[] };

/**
 * Batcher's odd-even merge of two sorted row lists `a` and `b` (each ascending: smallest value in
 * its first row), appending comparators to `out`; returns the merged list. Each list is padded to
 * the same power of two `P` with +infinity and the merge phase of the `2P` sort runs on them. A
 * comparator with +infinity at its larger end does nothing; one with +infinity at its smaller end
 * only exchanges the two places, which is done here, at build time, by renaming. So only rows
 * holding real values are ever compared, and the padding ends up after them.
 */
export function mergeSortedRows(a: readonly number[], b: readonly number[], out: number[]): number[] {
  let half = 1;
  while (half < Math.max(a.length, b.length)) half *= 2;
  const place: (number | undefined)[] = new Array<number | undefined>(2 * half).fill(undefined);
  a.forEach((row, i) => (place[i] = row));
  b.forEach((row, i) => (place[half + i] = row));
  // The last phase of batcherNetwork(2 * half): it sorts any input whose two halves are sorted.
  for (let k = half; k >= 1; k = Math.floor(k / 2)) {
    for (let j = k % half; j <= 2 * half - 1 - k; j += 2 * k) {
      for (let i = 0; i <= Math.min(k - 1, 2 * half - j - k - 1); i++) {
        const x = place[i + j];
        const y = place[i + j + k];
        if (y === undefined) continue;
        if (x === undefined) {
          place[i + j] = y;
          place[i + j + k] = undefined;
          continue;
        }
        out.push(x, y);
      }
    }
  }
  return place.slice(0, a.length + b.length) as number[];
}

/**
 * A sorting network over groups of rows: each group is sorted by Batcher's network, then the sorted
 * groups are merged, the two shortest lists first. Every comparator of a group's sort touches only
 * that group's rows, so those can run on narrower lanes than the merges (see {@link splitNarrow}).
 */
export function groupedNetwork(groups: readonly (readonly number[])[]): RankedNetwork {
  const comparators: number[] = [];
  sortEachGroup(groups, comparators);
  return { comparators, rankRow: mergeAll(groups.map((g) => [...g]), comparators) };
}

/** Appends Batcher's network for each group's rows (a group's rank `r` then sits in its `r`-th row). */
function sortEachGroup(groups: readonly (readonly number[])[], comparators: number[]): void {
  for (const rows of groups) {
    const network = batcherNetwork(rows.length);
    for (let c = 0; c < network.length; c += 2) comparators.push(rows[network[c] as number] as number, rows[network[c + 1] as number] as number);
  }
}

/** Merges sorted row lists, the two shortest first, appending the comparators; returns the merged list. */
function mergeAll(lists: readonly number[][], comparators: number[]): number[] {
  const pending = lists.filter((l) => l.length > 0);
  while (pending.length > 1) {
    pending.sort((x, y) => x.length - y.length);
    const [a, b] = pending.splice(0, 2) as [number[], number[]];
    pending.push(mergeSortedRows(a, b, comparators));
  }
  return pending[0] ?? [];
}

/**
 * The comparators needed for the sum of ranks `[lo, hi)` of a {@link RankedNetwork} over `n` rows,
 * pruned as {@link pruneForRankSum} prunes (which is this for a network that sorts in place).
 */
export function pruneRankedForRankSum(network: RankedNetwork, n: number, lo: number, hi: number): number[] {
  return pruneForSummedRows(network.comparators, n, network.rankRow.slice(lo, hi));
}

/**
 * Splits `comparators` into those that compare only values of one group (`group[row]` the group of
 * each row's input) and the rest. A comparator is narrow while both its rows still hold only their
 * own group's values, the same group; a row's first wide comparator mixes it for good. Running all
 * narrow comparators first, then all wide ones, each list in its original order, gives the same
 * result as the original order: a narrow comparator depends only on earlier narrow ones on its rows.
 */
export function splitNarrow(comparators: readonly number[], group: readonly number[]): { narrow: number[]; wide: number[] } {
  const mixed = new Uint8Array(group.length);
  const narrow: number[] = [];
  const wide: number[] = [];
  for (let c = 0; c < comparators.length; c += 2) {
    const a = comparators[c] as number;
    const b = comparators[c + 1] as number;
    if (mixed[a] === 0 && mixed[b] === 0 && group[a] === group[b]) narrow.push(a, b);
    else {
      mixed[a] = 1;
      mixed[b] = 1;
      wide.push(a, b);
    }
  }
  return { narrow, wide };
}

/**
 * A network for the sum of ranks `[t, n - t)` (the trimmed mean's) over groups of rows, every group
 * at least `2t` long, cheaper than sorting all rows: each group is sorted, then only the groups'
 * first `t` rows (heads) are merged together, and their last `t` rows (tails). The sum is over every
 * group's middle rows, the merged heads after their `t` smallest, and the merged tails before their
 * `t` largest. Undefined when a group is shorter than `2t`.
 *
 * Why: the `t` smallest values of all rows can be taken from the heads (a value with `t` values of
 * its own group at or below it is not needed among them; ties change no sum), so they are the `t`
 * smallest heads, and likewise the `t` largest are the `t` largest tails. Heads, middles and tails
 * are disjoint, so the kept sum, all rows less those `2t` values, is the sum described.
 */
export function trimmedNetwork(groups: readonly (readonly number[])[], t: number): { comparators: number[]; summed: number[] } | undefined {
  if (groups.some((g) => g.length < 2 * t)) return undefined;
  const comparators: number[] = [];
  sortEachGroup(groups, comparators);
  const heads = mergeAll(groups.map((g) => g.slice(0, t)), comparators);
  const tails = mergeAll(groups.map((g) => g.slice(g.length - t)), comparators);
  const middles = groups.flatMap((g) => g.slice(t, g.length - t));
  return { comparators, summed: [...middles, ...heads.slice(t), ...tails.slice(0, tails.length - t)] };
}

/** The comparators of `network` (over `n` rows) needed for the sum of the values that end in the rows `summed`. */
export function pruneForSummedRows(network: readonly number[], n: number, summed: readonly number[]): number[] {
  const state = new Uint8Array(n);
  for (const r of summed) state[r] = SUMMED;
  return pruneFrom(network, state);
}

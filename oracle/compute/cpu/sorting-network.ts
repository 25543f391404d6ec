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

import type { AlignedRound } from "../../protocol/alignment.ts";

/** Values of one value row over a chunk: an update's Q, the aggregate A, or zeros. */
export type ValueRow = { update: number } | { values: Float64Array } | { zero: true };

const LIMB = 2 ** 30;

/** Whether every update row of tensor `t` is an I8 array at shift 0 (|Q| <= 128): the fast path. */
export function rowsAreI8(round: AlignedRound, rows: readonly ValueRow[], t: number): boolean {
  return rows.every((row) => {
    if ("zero" in row) return true;
    if ("values" in row) return false;
    const u = round.updates[row.update];
    return u !== undefined && u.q[t] instanceof Int8Array && (u.shift[t] ?? 0) === 0;
  });
}

/** Whether the aggregate slice `a` fits a signed byte (then its row can use the fast path). */
export function fitsI8(a: Float64Array): boolean {
  for (let j = 0; j < a.length; j++) {
    const v = a[j] as number;
    if (v < -128 || v > 127) return false;
  }
  return true;
}

/**
 * Packs rows over tensor-local `[from, from + len)` as bytes, four per u32 word, row-major with a
 * stride of `ceil(len / 4)` words (padding bytes zero). Returns the byte view and the stride.
 */
export function packI8(round: AlignedRound, rows: readonly ValueRow[], t: number, from: number, len: number, out: Uint8Array): { data: Uint8Array; stride: number } {
  const stride = Math.ceil(len / 4);
  const data = out.subarray(0, rows.length * stride * 4);
  rows.forEach((row, r) => {
    const at = r * stride * 4;
    if ("zero" in row) data.fill(0, at, at + stride * 4);
    else if ("values" in row) {
      for (let j = 0; j < len; j++) data[at + j] = (row.values[j] as number) & 0xff;
      data.fill(0, at + len, at + stride * 4);
    } else {
      const q = round.updates[row.update]?.q[t] as Int8Array;
      data.set(new Uint8Array(q.buffer, q.byteOffset + from, len), at);
      data.fill(0, at + len, at + stride * 4);
    }
  });
  return { data, stride };
}

/**
 * Writes rows as limbs `(hi, lo)` with `Q = hi * 2^30 + lo`, lo in [0, 2^30): for |Q| <= 2^52,
 * |hi| <= 2^22, both exact int32 (the float64 arithmetic is exact: Q and hi * 2^30 are integers
 * below 2^53). Interleaved `[2 (r * len + j)]`.
 */
export function packLimbs(round: AlignedRound, rows: readonly ValueRow[], t: number, from: number, len: number, out: Int32Array): Int32Array {
  const data = out.subarray(0, rows.length * len * 2);
  rows.forEach((row, r) => {
    const at = 2 * r * len;
    if ("zero" in row) {
      data.fill(0, at, at + 2 * len);
      return;
    }
    let q: ArrayLike<number>;
    let offset = from;
    let scale = 1;
    if ("values" in row) {
      q = row.values;
      offset = 0;
    } else {
      const u = round.updates[row.update];
      q = u?.q[t] ?? new Int8Array(len);
      scale = 2 ** (u?.shift[t] ?? 0);
    }
    for (let j = 0; j < len; j++) {
      const v = (q[offset + j] as number) * scale;
      const hi = Math.floor(v / LIMB);
      data[at + 2 * j] = hi;
      data[at + 2 * j + 1] = v - hi * LIMB;
    }
  });
  return data;
}

/** Base-2^10 digits of a weight below 2^32 (four; the top one <= 3). */
export function weightDigits(weights: readonly number[]): Int32Array {
  const out = new Int32Array(weights.length * 4);
  weights.forEach((w, m) => {
    let x = w;
    for (let b = 0; b < 4; b++) {
      out[4 * m + b] = x % 1024;
      x = Math.floor(x / 1024);
    }
  });
  return out;
}

/**
 * Adds 64-bit accumulators `(lo, hi)` of `rows x segs x positions` and returns each row's exact
 * value `sum_q total_q * 2^(10 q)`. The per-segment words are summed in float64 first (at most
 * 2^16 segments of words below 2^32: exact), then once per row and position in BigInt.
 */
export function combineAccumulators(words: Uint32Array, rows: number, segs: number, positions: number): bigint[] {
  const hiWords = new Int32Array(words.buffer, words.byteOffset, words.length);
  const out: bigint[] = [];
  for (let r = 0; r < rows; r++) {
    let total = 0n;
    for (let q = 0; q < positions; q++) {
      let lo = 0;
      let hi = 0;
      for (let s = 0; s < segs; s++) {
        const at = 2 * ((r * segs + s) * positions + q);
        lo += words[at] as number;
        hi += hiWords[at + 1] as number;
      }
      total += ((BigInt(hi) << 32n) + BigInt(lo)) << BigInt(10 * q);
    }
    out.push(total);
  }
  return out;
}

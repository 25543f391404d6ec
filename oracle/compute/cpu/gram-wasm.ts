import { assertInvariant } from "../../errors.ts";
import { copyElements, stageInto, streamKernelsOver } from "../../protocol/int-kernels.ts";
import { BLOCK } from "../blocks.ts";
import { OP, PAGE_BYTES, section, simd, SIMD_OP, sleb, uleb, name, wasm, WASM_LIMITS } from "./rank-sum-wasm.ts";

/**
 * A WebAssembly SIMD kernel for the off-diagonal Gram entries of `n` int16 rows of `stride`
 * elements over one block: `run(len, i0, i1)` adds, for every pair `i < k` with `i` in `[i0, i1)`
 * (row-major), `sum_j row_i[j] * row_k[j]` to the pair's four int32 lanes (their sum).
 *
 * Exactness, width 1: rows hold int8 values widened to int16, so each product is at most 2^14 in
 * magnitude and each lane adds `2 * stride / 8 = stride / 4` products per run, at most
 * `2^10 * 2^14 = 2^24` for `stride <= BLOCK` ({@link GRAM_MAX_STRIDE}); lanes zeroed and then run over
 * at most {@link GRAM_ACCUMULATED_ELEMENTS} elements in all stay below `2^16 * 2^14 = 2^30 < 2^31`.
 *
 * Width 2: rows hold int16 values of magnitude at most 32,767 (the caller proves it; -32,768 is
 * excluded), so each `i32x4.dot_i16x8_s` lane, a sum of two products, stays below `2 * 2^30 = 2^31`,
 * and is added to two int64 lanes per pair (sign-extended): below `2^18 * 2^30 = 2^48` over
 * {@link GRAM_ACCUMULATED_ELEMENTS} elements, so each int64 lane is also an exact float64.
 */
export type GramWidth = 1 | 2;
export type GramKernel = {
  readonly n: number;
  /** 1: int8 sources, four int32 lanes per pair; 2: int8 or int16 sources, two int64 lanes per pair. */
  readonly width: GramWidth;
  readonly stride: number;
  /** Elements between consecutive rows: `stride` plus {@link GRAM_ROW_PAD}. */
  readonly pitch: number;
  /** Row `i` at `rows[i * pitch]`; the tail past a block's length (up to `stride`) must be zero. */
  readonly rows: Int16Array;
  /** Lanes of pair `(i, k)` of the band, in row-major order, 16 bytes per pair; `run` adds to them (zero them first). */
  readonly lanes: Int32Array;
  /** The same lanes as int64, two per pair (read these at width 2). */
  readonly lanes64: BigInt64Array;
  /**
   * Writes `source[from, to)` (at most `stride` values) as int16 into row `i`, zeroing the rest of the
   * row's `stride`; int16 sources only at width 2.
   */
  stageRow(i: number, source: Int8Array | Int16Array, from: number, to: number): void;
  /** Adds the band `[i0, i1)` to the lanes; it must hold at most {@link gramBandPairs} pairs. */
  run(len: number, i0: number, i1: number): void;
};

/**
 * Largest row stride: a lane adds `stride / 4` products of at most 2^14, which must stay below
 * 2^31 (so `stride < 2^19`); the kernel is only ever given blocks, so the bound is set at BLOCK.
 */
export const GRAM_MAX_STRIDE = BLOCK;

/**
 * Most elements (the sum of `len` over runs) whose products one pair's lanes may accumulate between
 * zeroings: each lane then adds `2^18 / 4` products of at most 2^14, `2^30 < 2^31`.
 */
export const GRAM_ACCUMULATED_ELEMENTS = 2 ** 18;

/**
 * Padding between rows, in elements (one 64-byte cache line): rows a power of two apart map to the
 * same L1 cache sets, and 32 rows of them evict each other (the kernel ran at half speed).
 */
export const GRAM_ROW_PAD = 32;

/** Pairs per band (4 MB of lanes) unless a single row has more. */
export const GRAM_BAND_PAIRS = 2 ** 18;

/** Pairs one band of an `n`-row kernel holds: {@link GRAM_BAND_PAIRS}, or one whole row when longer. */
export function gramBandPairs(n: number): number {
  return Math.max(GRAM_BAND_PAIRS, n - 1);
}

/** Memory pages of an `n`-row kernel: the rows (int16) and one band of lanes (16 bytes a pair). */
export function gramPages(n: number, stride: number): number {
  return Math.ceil((n * (stride + GRAM_ROW_PAD) * 2 + gramBandPairs(n) * 16 + scratchBytes(stride)) / PAGE_BYTES);
}

/** The scratch area an int8 source row is staged in before widening: one stride of int8, plus a vector. */
function scratchBytes(stride: number): number {
  return stride + 16;
}

/**
 * Largest row count the Gram generator accepts, derived from the 65,536-page (2^32-byte) memory
 * limit ({@link WASM_LIMITS}) at the widest stride: the rows take `n * 2 * (BLOCK + pad)` bytes, a
 * band `max(2^18, n - 1) * 16`, which is `(n - 1) * 16` at these sizes, and the scratch `BLOCK + 16`,
 * so `n * (2 * (BLOCK + pad) + 16) + BLOCK <= 2^32`, i.e. `n <= (2^32 - BLOCK) / (2 * (BLOCK + pad) + 16)`
 * = 519,217 with the pad of 32. Every address the kernel forms (`i * 2 * pitch`, the lane offsets) is then below 2^32, so its i32
 * arithmetic never wraps. The body has a fixed size (loops, 2 x 4 tiles: a few KB) and 24
 * locals, far under the other limits. Asserted by {@link compileGram}; tight by
 * test/oracle/compute/scale.test.ts.
 */
export const MAX_GRAM_ROWS = Math.floor((WASM_LIMITS.pages * PAGE_BYTES - GRAM_MAX_STRIDE) / (2 * (GRAM_MAX_STRIDE + GRAM_ROW_PAD) + 16));

const DOT_I16 = 186;
const I32_MUL = 0x6c;
const I32_LT_U = 0x49;

/**
 * Body of `run(in, out, bytes, i, i1)`. Locals: 0-4 the params (3 is I), then i32 K, OFF, PA, PA1,
 * PB, O, OB, then v128 A, A1, B and eight accumulators. Rows go two at a time (I and I + 1, while
 * both are in the band): their pair, then the pairs of both with rows `K..K+3` together, a 2 x 4
 * tile per vector step (6 loads for 8 dot products, where one row at a time needs 5 for 4), then
 * the rest of the pairs one `K` at a time. A last odd row takes the same steps alone (1 x 4).
 * Lanes are written in row-major pair order: row I's pairs at O, row I + 1's right after them, at OB.
 */
function body(n: number, pitch: number, width: GramWidth): number[] {
  const [IN, OUT, BYTES, I, I1] = [0, 1, 2, 3, 4];
  const [K, OFF, PA, PA1, PB, O, OB] = [5, 6, 7, 8, 9, 10, 11];
  const [A, A1, B] = [12, 13, 14];
  const ACC = [15, 16, 17, 18, 19, 20, 21, 22];
  const T = 23;
  const rowBytes = pitch * 2;
  const c: number[] = [];
  const rowAddress = (row: number[], into: number): void => {
    c.push(OP.localGet, IN, ...row, OP.i32Const, ...sleb(rowBytes), I32_MUL, OP.i32Add, OP.localSet, into);
  };
  const add = (local: number, bytes: number): void => {
    c.push(OP.localGet, local, OP.i32Const, ...sleb(bytes), OP.i32Add, OP.localSet, local);
  };
  const store = (out: number, acc: number, offset: number): void => {
    c.push(OP.localGet, out, OP.localGet, acc, ...simd(11, 4, ...uleb(offset)));
  };
  /**
   * Adds `dot(row a, row PB + b)` over the block to the lanes at `outs[a] + 16 b`, for the rows at
   * `as` (pointer locals) and `bs` rows from PB, in the accumulators `acc(a, b)`.
   */
  const tile = (as: readonly number[], bs: number, acc: (a: number, b: number) => number, outs: readonly number[]): void => {
    for (let a = 0; a < as.length; a++) for (let b = 0; b < bs; b++) c.push(OP.localGet, outs[a] as number, ...simd(0, 4, ...uleb(16 * b)), OP.localSet, acc(a, b));
    c.push(OP.i32Const, 0, OP.localSet, OFF, OP.loop, OP.void);
    as.forEach((ptr, a) => c.push(OP.localGet, ptr, OP.localGet, OFF, OP.i32Add, ...simd(0, 4, 0), OP.localSet, a === 0 ? A : A1));
    for (let b = 0; b < bs; b++) {
      c.push(OP.localGet, PB, OP.localGet, OFF, OP.i32Add, ...simd(0, 4, ...uleb(b * rowBytes)), OP.localSet, B);
      for (let a = 0; a < as.length; a++) {
        c.push(OP.localGet, acc(a, b), OP.localGet, a === 0 ? A : A1, OP.localGet, B, ...simd(DOT_I16));
        // int32 lanes add the pair sums directly; int64 lanes add both halves of them, sign-extended.
        if (width === 1) c.push(...simd(SIMD_OP.i32Add));
        else c.push(OP.localTee, T, ...simd(SIMD_OP.i64ExtLowI32), ...simd(SIMD_OP.i64Add), OP.localGet, T, ...simd(SIMD_OP.i64ExtHighI32), ...simd(SIMD_OP.i64Add));
        c.push(OP.localSet, acc(a, b));
      }
    }
    add(OFF, 16);
    c.push(OP.localGet, OFF, OP.localGet, BYTES, I32_LT_U, OP.brIf, 0, OP.end);
    for (let a = 0; a < as.length; a++) for (let b = 0; b < bs; b++) store(outs[a] as number, acc(a, b), 16 * b);
  };
  /** The pairs of the rows at `as` (one or two, outputs at `outs`) with rows K.. n - 1: quads, then singles. */
  const pairsFromK = (as: readonly number[], outs: readonly number[]): void => {
    const acc = (a: number, b: number): number => ACC[a * 4 + b] as number;
    // while (K + 4 <= n)
    c.push(OP.block, OP.void, OP.loop, OP.void, OP.localGet, K, OP.i32Const, 4, OP.i32Add, OP.i32Const, ...sleb(n), 0x4b /* i32.gt_u */, OP.brIf, 1);
    rowAddress([OP.localGet, K], PB);
    tile(as, 4, acc, outs);
    for (const out of outs) add(out, 64);
    add(K, 4);
    c.push(OP.br, 0, OP.end, OP.end);
    // while (K < n)
    c.push(OP.block, OP.void, OP.loop, OP.void, OP.localGet, K, OP.i32Const, ...sleb(n), OP.i32GeU, OP.brIf, 1);
    rowAddress([OP.localGet, K], PB);
    tile(as, 1, acc, outs);
    for (const out of outs) add(out, 16);
    add(K, 1);
    c.push(OP.br, 0, OP.end, OP.end);
  };
  c.push(OP.localGet, OUT, OP.localSet, O);
  // while (I < I1)
  c.push(OP.block, OP.void, OP.loop, OP.void, OP.localGet, I, OP.localGet, I1, OP.i32GeU, OP.brIf, 1);
  rowAddress([OP.localGet, I], PA);
  // if (I + 1 < I1): rows I and I + 1 together; else row I alone.
  c.push(OP.localGet, I, OP.i32Const, 1, OP.i32Add, OP.localGet, I1, I32_LT_U, 0x04 /* if */, OP.void);
  {
    c.push(OP.localGet, PA, OP.i32Const, ...sleb(rowBytes), OP.i32Add, OP.localSet, PA1);
    // The pair (I, I + 1): B is row I + 1.
    c.push(OP.localGet, PA1, OP.localSet, PB);
    tile([PA], 1, (a, b) => ACC[a * 4 + b] as number, [O]);
    add(O, 16);
    // Row I + 1's pairs start after row I's remaining n - I - 2 pairs.
    c.push(OP.localGet, O, OP.i32Const, ...sleb(n - 2), OP.localGet, I, OP.i32Sub, OP.i32Const, 4, OP.i32Shl, OP.i32Add, OP.localSet, OB);
    c.push(OP.localGet, I, OP.i32Const, 2, OP.i32Add, OP.localSet, K);
    pairsFromK([PA, PA1], [O, OB]);
    c.push(OP.localGet, OB, OP.localSet, O);
    add(I, 2);
  }
  c.push(0x05 /* else */);
  {
    c.push(OP.localGet, I, OP.i32Const, 1, OP.i32Add, OP.localSet, K);
    pairsFromK([PA], [O]);
    add(I, 1);
  }
  c.push(OP.end, OP.br, 0, OP.end, OP.end, OP.end);
  const fn = [2, 7, OP.i32, 12, OP.v128, ...c];
  return [...uleb(fn.length), ...fn];
}

/** Pairs `(i, k)`, `i < k < n`, with `i` in `[i0, i1)`. */
export function bandPairs(n: number, i0: number, i1: number): number {
  return ((i1 - i0) * (2 * n - i0 - i1 - 1)) / 2;
}

/**
 * Compiles a Gram kernel for `n` rows of `stride` int16 values (`stride` a multiple of 8).
 * @throws {InvariantError} outside the derived limits ({@link MAX_GRAM_ROWS}, {@link GRAM_MAX_STRIDE}).
 */
export function compileGram(n: number, stride: number = BLOCK, width: GramWidth = 1): GramKernel {
  assertInvariant(Number.isInteger(n) && n >= 2 && n <= MAX_GRAM_ROWS, `a Gram kernel of ${n} rows is outside the generator's range [2, ${MAX_GRAM_ROWS}]`);
  assertInvariant(Number.isInteger(stride) && stride >= 8 && stride % 8 === 0 && stride <= GRAM_MAX_STRIDE, `a Gram kernel stride of ${stride} is outside the generator's range`);
  const pages = gramPages(n, stride);
  assertInvariant(pages <= WASM_LIMITS.pages, `a Gram kernel of ${n} rows needs ${pages} pages`);
  const pitch = stride + GRAM_ROW_PAD;
  const inBytes = n * pitch * 2;
  const capacity = gramBandPairs(n);
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 5, OP.i32, OP.i32, OP.i32, OP.i32, OP.i32, 0]),
    ...section(2, [1, ...name("m"), ...name("mem"), 0x02, 0x00, ...uleb(pages)]),
    ...section(3, [1, 0]),
    ...section(7, [1, ...name("run"), 0x00, 0]),
    ...section(10, [1, ...body(n, pitch, width)]),
  ];
  const memory = new wasm.Memory({ initial: pages });
  const instance = new wasm.Instance(new wasm.Module(new Uint8Array(bytes)), { m: { mem: memory } });
  const run = instance.exports["run"] as (input: number, output: number, bytes: number, i0: number, i1: number) => void;
  const rows = new Int16Array(memory.buffer, 0, n * pitch);
  const lanes = new Int32Array(memory.buffer, inBytes, capacity * 4);
  const lanes64 = new BigInt64Array(memory.buffer, inBytes, capacity * 2);
  const scratchAt = inBytes + capacity * 16;
  const scratch = new Int8Array(memory.buffer, scratchAt, scratchBytes(stride));
  const stream = streamKernelsOver(memory);
  return {
    n,
    width,
    stride,
    pitch,
    rows,
    lanes,
    lanes64,
    stageRow: (i, source, from, to) => {
      assertInvariant(to - from <= stride, "a Gram row holds at most one stride");
      if (source instanceof Int16Array) {
        assertInvariant(width === 2, "int16 Gram rows need a width-2 kernel");
        copyElements(rows.subarray(i * pitch), source, from, to);
        rows.fill(0, i * pitch + (to - from), i * pitch + stride);
        return;
      }
      const bytes = stageInto(scratch, source, from, to);
      stream.widen8(scratchAt, i * pitch * 2, bytes, 0);
      // Staging fills whole vectors: the widened row is zero up to bytes; the rest of the stride too.
      rows.fill(0, i * pitch + bytes, i * pitch + stride);
    },
    run: (len, i0, i1) => {
      assertInvariant(len >= 1 && len <= stride && i0 >= 0 && i0 <= i1 && i1 <= n && bandPairs(n, i0, i1) <= capacity, "Gram kernel band out of range");
      run(0, inBytes, Math.ceil((len * 2) / 16) * 16, i0, i1);
    },
  };
}

import { assertInvariant } from "../../errors.ts";
import { copyElements, stageInto, streamKernelsOver } from "../../protocol/int-kernels.ts";
import { name, OP, PAGE_BYTES, section, simd, SIMD_OP, sleb, uleb, wasm } from "../../protocol/wasm-binary.ts";
import { BLOCK } from "../blocks.ts";

/**
 * A WebAssembly SIMD kernel that sorts (through a comparator network) `n` rows of int8 or int16
 * values lane-wise and sums the sorted values at ranks `[lo, hi)`, 16 or 8 elements per
 * instruction. Input: row `i` at byte `IN + i * ROW_BYTES`; output: the sums as int16 (from int8
 * rows) or int32 (from int16 rows) at `OUT`, element `j` at `OUT + j * 2 * width`.
 *
 * Exactness: int8 min/max and int16/int32 additions are exact while no sum overflows, i.e. while
 * `(hi - lo) * 128 <= 32767` for int8 rows ({@link rankSumFits}); int16 rows sum in int32, where
 * `(hi - lo) * 32768 < 2^31` holds for every member count below 2^16.
 */
export type RankSumKernel = {
  /** The rows: row `i` at element `i * rankSumRowBytes(width) / width`, `BLOCK` elements long. */
  rows: Int8Array | Int16Array;
  /** The rank sums after {@link RankSumKernel.run}. */
  sums: Int16Array | Int32Array;
  /**
   * Sorts and sums the first `len` elements of every row. Returns whether the sums are exact: always
   * true, except for a saturating kernel ({@link compileSaturatingRankSum}) when a kept value may have
   * saturated.
   */
  run(len: number): boolean;
  /**
   * Writes `source[from, to)` shifted left by `shift` into row `i` (int8 rows take int8 sources
   * unshifted; int16 rows widen in SIMD). The caller proves every shifted value fits the row type;
   * lanes past `to - from` up to the next 16 bytes are zero or stale and lie outside `run`'s sums.
   */
  stageRow(i: number, source: Int8Array | Int16Array, from: number, to: number, shift: number): void;
  /**
   * After {@link RankSumKernel.run}: writes `rhe(scale * sums[j], count)` for `j < len` to `out` at
   * `at`, computed in SIMD float64 lanes. The caller proves `|scale * sum| + count <= 2^52` (every value
   * is then an exact integer, as for `rheSmall`), `scale` a power of two.
   */
  writeQuotients(len: number, scale: number, count: number, out: Float64Array, at: number): void;
};

/**
 * Bytes between the starts of consecutive rows: a block of the row type plus one 64-byte cache line.
 * Rows a multiple of 4 KB apart map to the same L1 cache sets, and more rows than the cache has
 * ways then evict each other on every vector step (the kernels ran at half speed or less).
 */
export function rankSumRowBytes(width: 1 | 2): number {
  return BLOCK * width + 64;
}

/**
 * Bytes of the scratch area: a source row is staged there before a widening shift (a block of int16),
 * and the block's quotients are written there as float64 after the sums (a block of float64, plus padding).
 */
const STAGE_ROW_BYTES = BLOCK * 8 + 16;

/** Whether a rank sum of `count` values of `width` bytes fits the kernel's sum lanes. */
export function rankSumFits(width: 1 | 2, count: number): boolean {
  return width === 1 ? count * 128 <= 32_767 : count < 2 ** 16;
}

// The binary encoding helpers live in protocol/wasm-binary.ts; re-exported for the Gram kernel.
export { name, OP, PAGE_BYTES, section, simd, SIMD_OP, sleb, uleb, wasm };

/**
 * Engine limits the generated code must stay within. These are the limits of the WebAssembly JS API
 * (https://webassembly.github.io/spec/js-api/#limits), which every conforming engine (V8 included)
 * accepts at least: a function body of at most 7,654,321 bytes, at most 50,000 locals, and a
 * memory of at most 65,536 pages.
 */
export const WASM_LIMITS = { functionBytes: 7_654_321, locals: 50_000, pages: 65_536 } as const;

/**
 * Largest row count the rank-sum generator accepts. Derivation (asserted per kernel by
 * {@link rankSumKernelSize} and by test/oracle/compute/scale.test.ts): Batcher's network for
 * `2^k` inputs has `2^(k-2) * k * (k + 1)` comparators; at 256 rows (k = 8) that is 4,608, each
 * at most {@link COMPARATOR_BYTES} bytes, so the body stays below 160 KB (the limit is 7.65 MB),
 * the locals (`n + 3` v128 and i32) far under 50,000 and the memory at 34 pages. The bound is set
 * there, not at the engine's limits, because the kernel keeps every row live in a v128 local:
 * past a few hundred rows the engine spills them to the stack on every comparator, and the
 * network's `n log^2 n` comparisons per element lose to the general path's `O(n)` selection
 * (`npm run bench -- aggregate --kernels` shows both sides).
 */
export const MAX_RANK_SUM_ROWS = 256;

/** Bytes of one comparator: 4 local.get and 2 local.set (1 + 3-byte LEB index each), min and max (2 + 2 bytes). */
const COMPARATOR_BYTES = 6 * 4 + 2 * 4;

/** Code size and local counts of a rank-sum kernel, from the same arithmetic as the generator. */
export function rankSumKernelSize(n: number, comparators: number, count: number, saturating = false): { maxBodyBytes: number; locals: number; pages: (width: 1 | 2) => number } {
  const perRow = 4 + 6 + 4 + 4; // local.get x2, v128.load with memarg, local.set (3-byte LEBs)
  const perRank = 2 * (4 + 2 + 4 + 2 + 4);
  // Saturating: up to MAX_SATURATING_SHIFT doublings per row (two local.get, add_sat, local.set), and
  // per kept rank two comparisons with constant vectors OR-ed into the flag; the flag's any_true at the end.
  const saturation = saturating ? n * MAX_SATURATING_SHIFT * (3 * 4 + 3) + count * (2 * (4 + 18 + 3) + 2 * 3 + 2 * 4) + 8 : 0;
  return {
    maxBodyBytes: 128 + n * perRow + (comparators / 2) * COMPARATOR_BYTES + count * perRank + saturation,
    locals: 3 + n + 2 + (saturating ? 1 : 0),
    pages: (width) => Math.ceil((n * rankSumRowBytes(width) + 16 + BLOCK * 2 * width + 32 + STAGE_ROW_BYTES + 16) / PAGE_BYTES),
  };
}

/**
 * Code size and local counts of a widening kernel ({@link compileWideningRankSum}): `narrow` and
 * `wide` comparator-list lengths (two entries per comparator), `count` summed ranks.
 */
export function wideningKernelSize(n: number, narrow: number, wide: number, count: number): { maxBodyBytes: number; locals: number; pages: number } {
  const perLoad = 4 + 6 + 4 + 4;
  const perWiden = 4 + 3 + 2 + 3 + 4; // local.get, extend, i32.const shift, i16x8.shl, local.set
  const perRank = 2 * (4 + 3 + 4 + 3 + 4) + 4; // a chunk's first row takes the most: its tee and widenings
  const perStore = 4 + 2 + 2 + 1 + 1 + 4 + 7;
  // Per shift (at most 16) summed early: four widenings, shifts and adds; per half, the accumulators' start.
  const perGroup = 4 * (4 + 3 + 2 + 3 + 4 + 3 + 4);
  const perStart = 2 * (4 + 4);
  return {
    maxBodyBytes: 128 + n * perLoad + (narrow / 2) * COMPARATOR_BYTES + 16 * perGroup + 2 * (n * perWiden + (wide / 2) * COMPARATOR_BYTES + count * perRank + 2 * perStore + perStart),
    locals: 4 + 2 * n + 9,
    pages: Math.ceil((n * rankSumRowBytes(1) + 16 + BLOCK * 4 + 32 + STAGE_ROW_BYTES + 16) / PAGE_BYTES),
  };
}

/**
 * Doublings past which every nonzero int8 value saturates (|q| >= 1 gives 2^7 >= 128); a larger
 * shift saturates the same values the same way.
 */
export const MAX_SATURATING_SHIFT = 7;

/**
 * The body of `run(in, out, bytes)`: locals 0-2 are the params, 3 the byte offset, 4.. the rows.
 * With `saturate` (int8 rows, one shift per row), each loaded row is doubled `saturate[i]` times with
 * saturation before the comparators, and `run` returns whether no kept rank's value is -128 or 127
 * (local 6 + n accumulates the lanes where one is).
 */
function body(width: 1 | 2, n: number, comparators: readonly number[], lo: number, hi: number, saturate?: readonly number[]): number[] {
  const OFF = 3;
  // Every local index is LEB128-encoded: indices of 128 and more take several bytes.
  const row = (i: number): number[] => uleb(4 + i);
  const ACC_LOW = uleb(4 + n);
  const ACC_HIGH = uleb(5 + n);
  const FLAG = uleb(6 + n);
  const [min, max] = width === 1 ? [SIMD_OP.i8Min, SIMD_OP.i8Max] : [SIMD_OP.i16Min, SIMD_OP.i16Max];
  const [extLow, extHigh, add] = width === 1 ? [SIMD_OP.i16ExtLowI8, SIMD_OP.i16ExtHighI8, SIMD_OP.i16Add] : [SIMD_OP.i32ExtLowI16, SIMD_OP.i32ExtHighI16, SIMD_OP.i32Add];
  const code: number[] = [OP.block, OP.void, OP.loop, OP.void];
  code.push(OP.localGet, OFF, OP.localGet, 2, OP.i32GeU, OP.brIf, 1);
  const load = (i: number): number[] => [OP.localGet, 0, OP.localGet, OFF, OP.i32Add, ...simd(SIMD_OP.load, 4, ...uleb(i * rankSumRowBytes(width)))];
  // Rows the comparators touch are loaded first; the others are loaded where they are summed (or not
  // at all), so that without comparators (the mean) no row stays live, and none spills.
  const touched = new Uint8Array(n);
  for (const r of comparators) touched[r] = 1;
  // A saturating kernel doubles every row it uses before the comparators, the kept ones included.
  if (saturate !== undefined) for (let r = lo; r < hi; r++) touched[r] = 1;
  for (let i = 0; i < n; i++) {
    if (touched[i] === 0) continue;
    code.push(...load(i), OP.localSet, ...row(i));
    for (let d = 0; d < Math.min(saturate?.[i] ?? 0, MAX_SATURATING_SHIFT); d++) code.push(OP.localGet, ...row(i), OP.localGet, ...row(i), ...simd(SIMD_OP.i8AddSat), OP.localSet, ...row(i));
  }
  for (let c = 0; c < comparators.length; c += 2) {
    const a = row(comparators[c] as number);
    const b = row(comparators[c + 1] as number);
    code.push(OP.localGet, ...a, OP.localGet, ...b, ...simd(min), OP.localGet, ...a, OP.localGet, ...b, ...simd(max), OP.localSet, ...b, OP.localSet, ...a);
  }
  for (let r = lo; r < hi; r++) {
    if (touched[r] === 1) code.push(OP.localGet, ...row(r));
    else code.push(...load(r), OP.localTee, ...row(r));
    code.push(...simd(extLow));
    if (r > lo) code.push(OP.localGet, ...ACC_LOW, ...simd(add));
    code.push(OP.localSet, ...ACC_LOW, OP.localGet, ...row(r), ...simd(extHigh));
    if (r > lo) code.push(OP.localGet, ...ACC_HIGH, ...simd(add));
    code.push(OP.localSet, ...ACC_HIGH);
    if (saturate !== undefined) {
      const extremes = [127, -128].flatMap((v) => [OP.localGet, ...row(r), ...simd(SIMD_OP.const, ...new Array<number>(16).fill(v & 0xff)), ...simd(SIMD_OP.i8Eq)]);
      code.push(...extremes, ...simd(SIMD_OP.or), OP.localGet, ...FLAG, ...simd(SIMD_OP.or), OP.localSet, ...FLAG);
    }
  }
  // Output address: out + 2 * off, the same for both widths (sums are twice as wide as inputs).
  for (const [acc, offset] of [[ACC_LOW, 0], [ACC_HIGH, 16]] as const) {
    code.push(OP.localGet, 1, OP.localGet, OFF, OP.i32Const, 1, OP.i32Shl, OP.i32Add, OP.localGet, ...acc, ...simd(SIMD_OP.store, 4, ...uleb(offset)));
  }
  code.push(OP.localGet, OFF, OP.i32Const, ...sleb(16), OP.i32Add, OP.localSet, OFF, OP.br, 0, OP.end, OP.end);
  // The saturating kernel's result: 1 when no kept value was at an int8 extreme.
  if (saturate !== undefined) code.push(OP.localGet, ...FLAG, ...simd(SIMD_OP.anyTrue), OP.i32Eqz);
  code.push(OP.end);
  const locals = [2, 1, OP.i32, ...uleb(n + 2 + (saturate === undefined ? 0 : 1)), OP.v128];
  const fn = [...locals, ...code];
  return [...uleb(fn.length), ...fn];
}

/**
 * The body of the widening kernel's `run(in, out, bytes)`. Per 16 elements: the int8 rows are
 * loaded and the narrow comparators run on 16 lanes; then, for each half, every row the rest needs
 * is sign-extended to int16 and shifted left by its row's shift, the wide comparators run on 8
 * lanes, and the ranks are summed into int32. Locals: 0-2 params, 3 the byte offset, 4.. the int8
 * rows, then the int16 rows, two int32 accumulators, an int16 chunk sum, two int16 group sums and
 * four int32 sums of the rows summed before widening.
 */
function wideningBody(n: number, shifts: readonly number[], narrow: readonly number[], wide: readonly number[], summed: readonly number[]): number[] {
  const OFF = 3;
  const row = (i: number): number[] => uleb(4 + i);
  const half = (i: number): number[] => uleb(4 + n + i);
  const ACC_LOW = uleb(4 + 2 * n);
  const ACC_HIGH = uleb(5 + 2 * n);
  const CHUNK = uleb(6 + 2 * n);
  const GROUP_LOW = uleb(7 + 2 * n);
  const GROUP_HIGH = uleb(8 + 2 * n);
  /** The int32 sums of the rows summed before widening, elements 0-3, 4-7, 8-11 and 12-15 of the step. */
  const NARROW_SUMS = [9, 10, 11, 12].map((k) => uleb(k + 2 * n));
  // Every widened value is some row's `q * 2^d` with |q| <= 128, so |value| <= 128 * 2^max(d); a
  // chunk of `chunk` such values sums within int16.
  const chunk = Math.max(1, Math.floor(32_767 / (128 * 2 ** Math.max(...shifts))));
  const comparator = (code: number[], local: (i: number) => number[], a: number, b: number, min: number, max: number): void => {
    const x = local(a);
    const y = local(b);
    code.push(OP.localGet, ...x, OP.localGet, ...y, ...simd(min), OP.localGet, ...x, OP.localGet, ...y, ...simd(max), OP.localSet, ...y, OP.localSet, ...x);
  };
  // Summed rows no wide comparator touches keep their own shift's values: they are summed per shift
  // on int8 lanes (in int16: at most 256 rows of |q| <= 128, so within 2^15), and only those sums are
  // widened and shifted (in int32: below 2^15 * 2^15 = 2^30). The other summed rows are widened first.
  const inWide = new Uint8Array(n);
  for (const r of wide) inWide[r] = 1;
  const early = summed.filter((r) => inWide[r] === 0);
  const late = summed.filter((r) => inWide[r] === 1);
  const code: number[] = [OP.block, OP.void, OP.loop, OP.void];
  code.push(OP.localGet, OFF, OP.localGet, 2, OP.i32GeU, OP.brIf, 1);
  for (let i = 0; i < n; i++) code.push(OP.localGet, 0, OP.localGet, OFF, OP.i32Add, ...simd(SIMD_OP.load, 4, ...uleb(i * rankSumRowBytes(1))), OP.localSet, ...row(i));
  for (let c = 0; c < narrow.length; c += 2) comparator(code, row, narrow[c] as number, narrow[c + 1] as number, SIMD_OP.i8Min, SIMD_OP.i8Max);
  let firstGroup = true;
  for (const d of [...new Set(early.map((r) => shifts[r] as number))]) {
    const rows = early.filter((r) => shifts[r] === d);
    for (const [group, extend] of [[GROUP_LOW, SIMD_OP.i16ExtLowI8], [GROUP_HIGH, SIMD_OP.i16ExtHighI8]] as const) {
      rows.forEach((r, k) => {
        code.push(OP.localGet, ...row(r), ...simd(extend));
        if (k > 0) code.push(OP.localGet, ...group, ...simd(SIMD_OP.i16Add));
        code.push(OP.localSet, ...group);
      });
    }
    [[GROUP_LOW, SIMD_OP.i32ExtLowI16], [GROUP_LOW, SIMD_OP.i32ExtHighI16], [GROUP_HIGH, SIMD_OP.i32ExtLowI16], [GROUP_HIGH, SIMD_OP.i32ExtHighI16]].forEach(([group, extend], k) => {
      const sums = NARROW_SUMS[k] as number[];
      code.push(OP.localGet, ...(group as number[]), ...simd(extend as number));
      if (d !== 0) code.push(OP.i32Const, ...sleb(d), ...simd(SIMD_OP.i32Shl));
      if (!firstGroup) code.push(OP.localGet, ...sums, ...simd(SIMD_OP.i32Add));
      code.push(OP.localSet, ...sums);
    });
    firstGroup = false;
  }
  for (const [h, extend, outOffset] of [[0, SIMD_OP.i16ExtLowI8, 0], [1, SIMD_OP.i16ExtHighI8, 32]] as const) {
    for (let i = 0; i < n; i++) {
      if (inWide[i] === 0) continue;
      code.push(OP.localGet, ...row(i), ...simd(extend));
      const shift = shifts[i] as number;
      if (shift !== 0) code.push(OP.i32Const, ...sleb(shift), ...simd(SIMD_OP.i16Shl));
      code.push(OP.localSet, ...half(i));
    }
    for (let c = 0; c < wide.length; c += 2) comparator(code, half, wide[c] as number, wide[c + 1] as number, SIMD_OP.i16Min, SIMD_OP.i16Max);
    // The accumulators start from this half's early sums, if any.
    const started = early.length > 0;
    if (started) code.push(OP.localGet, ...(NARROW_SUMS[2 * h] as number[]), OP.localSet, ...ACC_LOW, OP.localGet, ...(NARROW_SUMS[2 * h + 1] as number[]), OP.localSet, ...ACC_HIGH);
    // The other summed rows in chunks of `chunk`, added in int16 lanes (exact: see above), each chunk then widened to int32.
    for (let k = 0; k < late.length; k += chunk) {
      code.push(OP.localGet, ...half(late[k] as number));
      for (const r of late.slice(k + 1, k + chunk)) code.push(OP.localGet, ...half(r), ...simd(SIMD_OP.i16Add));
      code.push(OP.localTee, ...CHUNK, ...simd(SIMD_OP.i32ExtLowI16));
      if (started || k > 0) code.push(OP.localGet, ...ACC_LOW, ...simd(SIMD_OP.i32Add));
      code.push(OP.localSet, ...ACC_LOW, OP.localGet, ...CHUNK, ...simd(SIMD_OP.i32ExtHighI16));
      if (started || k > 0) code.push(OP.localGet, ...ACC_HIGH, ...simd(SIMD_OP.i32Add));
      code.push(OP.localSet, ...ACC_HIGH);
    }
    // Output address: out + 4 * off (int32 sums of int8 elements), this half's 8 sums after the first's.
    for (const [acc, offset] of [[ACC_LOW, outOffset], [ACC_HIGH, outOffset + 16]] as const) {
      code.push(OP.localGet, 1, OP.localGet, OFF, OP.i32Const, 2, OP.i32Shl, OP.i32Add, OP.localGet, ...acc, ...simd(SIMD_OP.store, 4, ...uleb(offset)));
    }
  }
  code.push(OP.localGet, OFF, OP.i32Const, ...sleb(16), OP.i32Add, OP.localSet, OFF, OP.br, 0, OP.end, OP.end, OP.end);
  const locals = [2, 1, OP.i32, ...uleb(2 * n + 9), OP.v128];
  const fn = [...locals, ...code];
  return [...uleb(fn.length), ...fn];
}

/**
 * Compiles a kernel for `n` rows of `width`-byte integers and the given comparators (see
 * {@link pruneForRankSum}); the sum covers ranks `[lo, hi)`, `lo < hi`.
 */
export function compileRankSum(width: 1 | 2, n: number, comparators: readonly number[], lo: number, hi: number): RankSumKernel {
  assertInvariant(n >= 1 && n <= MAX_RANK_SUM_ROWS && lo < hi && hi <= n, `rank-sum kernel for ${n} rows [${lo}, ${hi}) is outside the generator's range`);
  const size = rankSumKernelSize(n, comparators.length, hi - lo);
  assertInvariant(size.locals <= WASM_LIMITS.locals && size.pages(width) <= WASM_LIMITS.pages, "rank-sum kernel exceeds the WebAssembly limits");
  const code = body(width, n, comparators, lo, hi);
  // The derived bound, not the engine, decides: a body over it is a generator bug.
  assertInvariant(code.length <= size.maxBodyBytes && size.maxBodyBytes <= WASM_LIMITS.functionBytes, `rank-sum kernel body of ${code.length} bytes exceeds its derived bound`);
  return instantiate(width, width === 1 ? 2 : 4, n, size.pages(width), code);
}

/**
 * Compiles a saturating kernel: int8 rows, row `i` standing for the values `r * 2^shifts[i]` of which
 * only `r` is stored; `comparators` sort any `n` rows ({@link pruneForRankSum} of Batcher's network),
 * the sum covers ranks `[lo, hi)`, `hi - lo` within {@link rankSumFits} for int8.
 *
 * Exactness: each row is doubled `shifts[i]` times with int8 saturation, which gives
 * `clamp(r * 2^shifts[i])` to [-128, 127] (a doubling of an already saturated value stays saturated),
 * and clamping is monotone, so the sorted clamped rows are the clamped sorted values. A kept rank's
 * clamped value is the exact one whenever it lies strictly inside (-128, 127); `run` returns false
 * when any kept value is -128 or 127 (the sums are then not to be used), true otherwise.
 */
export function compileSaturatingRankSum(n: number, shifts: readonly number[], comparators: readonly number[], lo: number, hi: number): RankSumKernel {
  assertInvariant(n >= 1 && n <= MAX_RANK_SUM_ROWS && lo < hi && hi <= n && rankSumFits(1, hi - lo) && shifts.length === n && shifts.every((d) => Number.isInteger(d) && d >= 0), `saturating rank-sum kernel for ${n} rows [${lo}, ${hi}) is outside the generator's range`);
  const size = rankSumKernelSize(n, comparators.length, hi - lo, true);
  assertInvariant(size.locals <= WASM_LIMITS.locals && size.pages(1) <= WASM_LIMITS.pages, "rank-sum kernel exceeds the WebAssembly limits");
  const code = body(1, n, comparators, lo, hi, shifts);
  assertInvariant(code.length <= size.maxBodyBytes && size.maxBodyBytes <= WASM_LIMITS.functionBytes, `rank-sum kernel body of ${code.length} bytes exceeds its derived bound`);
  return instantiate(1, 2, n, size.pages(1), code, true);
}

/**
 * Compiles a widening kernel: int8 rows, row `i` holding values `r * 2^shifts[i]` of which only `r`
 * is stored. The `narrow` comparators (see {@link splitNarrow}) compare rows of equal shift and run
 * on the int8 values, 16 lanes; then each row is widened to int16 and shifted, and the `wide`
 * comparators run on 8 lanes; the sum is over the rows `summed` (the ranks' rows, see
 * {@link pruneRankedForRankSum}), in int32. The caller proves every shifted value fits int16.
 */
export function compileWideningRankSum(n: number, shifts: readonly number[], narrow: readonly number[], wide: readonly number[], summed: readonly number[]): RankSumKernel {
  assertInvariant(n >= 1 && n <= MAX_RANK_SUM_ROWS && summed.length >= 1 && shifts.length === n && shifts.every((d) => Number.isInteger(d) && d >= 0 && d <= 15), `widening rank-sum kernel for ${n} rows is outside the generator's range`);
  const size = wideningKernelSize(n, narrow.length, wide.length, summed.length);
  assertInvariant(size.locals <= WASM_LIMITS.locals && size.pages <= WASM_LIMITS.pages, "rank-sum kernel exceeds the WebAssembly limits");
  const code = wideningBody(n, shifts, narrow, wide, summed);
  assertInvariant(code.length <= size.maxBodyBytes && size.maxBodyBytes <= WASM_LIMITS.functionBytes, `rank-sum kernel body of ${code.length} bytes exceeds its derived bound`);
  return instantiate(1, 4, n, size.pages, code);
}

/** The module around a `run` body, its memory and the views and helpers of {@link RankSumKernel}. */
function instantiate(width: 1 | 2, sumBytes: 2 | 4, n: number, pages: number, code: number[], returnsExact = false): RankSumKernel {
  const rowBytes = rankSumRowBytes(width);
  const inBytes = n * rowBytes;
  const outBytes = BLOCK * sumBytes + 32;
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 3, OP.i32, OP.i32, OP.i32, ...(returnsExact ? [1, OP.i32] : [0])]),
    ...section(2, [1, ...name("m"), ...name("mem"), 0x02, 0x00, ...uleb(pages)]),
    ...section(3, [1, 0]),
    ...section(7, [1, ...name("run"), 0x00, 0]),
    ...section(10, [1, ...code]),
  ];
  const memory = new wasm.Memory({ initial: pages });
  const instance = new wasm.Instance(new wasm.Module(new Uint8Array(bytes)), { m: { mem: memory } });
  const run = instance.exports["run"] as (input: number, output: number, bytes: number) => number | undefined;
  // Rows are padded by 16 bytes so the last vector load of a partial block stays in bounds.
  const outAt = inBytes + 16;
  const rows = width === 1 ? new Int8Array(memory.buffer, 0, inBytes) : new Int16Array(memory.buffer, 0, inBytes / 2);
  const sums = sumBytes === 2 ? new Int16Array(memory.buffer, outAt, BLOCK + 16) : new Int32Array(memory.buffer, outAt, BLOCK + 8);
  // A scratch area after the sums, where a source row is staged before a widening shift into `rows`.
  const scratchAt = outAt + outBytes;
  const scratch8 = new Int8Array(memory.buffer, scratchAt, STAGE_ROW_BYTES);
  const scratch16 = new Int16Array(memory.buffer, scratchAt, STAGE_ROW_BYTES / 2);
  const stream = streamKernelsOver(memory);
  const cfgAt = scratchAt + STAGE_ROW_BYTES;
  const cfg = new Float64Array(memory.buffer, cfgAt, 2);
  const quotients = new Float64Array(memory.buffer, scratchAt, BLOCK + 2);
  const stageRow = (i: number, source: Int8Array | Int16Array, from: number, to: number, shift: number): void => {
    const at = i * rowBytes;
    if (source instanceof Int8Array && width === 1) {
      assertInvariant(shift === 0, "int8 rows take unshifted int8 sources");
      copyElements(rows.subarray(at), source, from, to);
    } else if (source instanceof Int8Array) {
      stream.widen8(scratchAt, at, stageInto(scratch8, source, from, to), shift);
    } else {
      assertInvariant(width === 2, "int8 rows take unshifted int8 sources");
      stream.shift16(scratchAt, at, stageInto(scratch16, source, from, to), shift);
    }
  };
  const writeQuotients = (len: number, scale: number, count: number, out: Float64Array, at: number): void => {
    cfg[0] = scale;
    cfg[1] = count;
    // Two sums per step: the byte count covers len rounded up to even (the extra lane is ignored).
    const bytes = (len + (len & 1)) * sumBytes;
    if (sumBytes === 2) stream.rhe16(outAt, scratchAt, bytes, cfgAt);
    else stream.rhe32(outAt, scratchAt, bytes, cfgAt);
    out.set(quotients.subarray(0, len), at);
  };
  return { rows, sums, stageRow, writeQuotients, run: (len) => run(0, outAt, Math.ceil((len * width) / 16) * 16) !== 0 || !returnsExact };
}

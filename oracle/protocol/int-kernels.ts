import { Buffer } from "node:buffer";

import { assertInvariant } from "../errors.ts";
import type { IntArray } from "./typed-views.ts";
import { countedLoop, moduleBytes, OP, PAGE_BYTES, simd, SIMD_OP as S, vload, vstore, vzero, wasm, type WasmFunction } from "./wasm-binary.ts";

/*
 * Streaming WebAssembly SIMD kernels over int8/int16 arrays: exact sums of squares with the largest
 * magnitude (the norm check of §1.2 and the bound of §3 alignment), dot products (scores, §4) and
 * widening shifts (aligned rows for the rank-sum kernels). Each processes a staged chunk of at most
 * {@link STAGE_BYTES} bytes; callers copy a chunk of an update into the staging area (one streaming
 * copy, cache-resident) and call the kernel. Every lane bound is stated where the kernel is called.
 */

/** Bytes of one staging area: a chunk of at most this many bytes is processed per call. */
export const STAGE_BYTES = 65_536;
const X_AT = 0;
const A_AT = STAGE_BYTES;
const OUT_AT = 2 * STAGE_BYTES;
const PAGES = Math.ceil((OUT_AT + 64) / PAGE_BYTES);

// Parameter and local indices shared by the kernels below.
const [P0, P1, P2, P3] = [0, 1, 2, 3];

/** sq8(x, bytes, out): i32x4 sum of squares at out, u8x16 max |x| at out + 16. */
function sq8(): WasmFunction {
  const [OFF, ACC, MAX, V, W] = [3, 4, 5, 6, 7];
  const body = [
    OP.localGet, P0, OP.localGet, OFF, OP.i32Add, ...vload(), OP.localSet, V,
    OP.localGet, V, ...simd(S.i16ExtLowI8), OP.localTee, W, OP.localGet, W, ...simd(S.i32DotI16), OP.localGet, ACC, ...simd(S.i32Add), OP.localSet, ACC,
    OP.localGet, V, ...simd(S.i16ExtHighI8), OP.localTee, W, OP.localGet, W, ...simd(S.i32DotI16), OP.localGet, ACC, ...simd(S.i32Add), OP.localSet, ACC,
    OP.localGet, V, ...simd(S.i8Abs), OP.localGet, MAX, ...simd(S.i8MaxU), OP.localSet, MAX,
  ];
  const code = [...vzero(), OP.localSet, ACC, ...vzero(), OP.localSet, MAX, ...countedLoop(OFF, P1, 16, body),
    OP.localGet, P2, OP.localGet, ACC, ...vstore(0), OP.localGet, P2, OP.localGet, MAX, ...vstore(16)];
  return { name: "sq8", params: 3, i32Locals: 1, v128Locals: 4, code };
}

/** sq16(x, bytes, out): i64x2 sum of squares at out, u16x8 max |x| at out + 16. */
function sq16(): WasmFunction {
  const [OFF, ACC, MAX, V, W] = [3, 4, 5, 6, 7];
  const body = [
    OP.localGet, P0, OP.localGet, OFF, OP.i32Add, ...vload(), OP.localSet, V,
    // Squares are at most 2^30, so the sum of two lies below 2^31 <= 2^32: exact as unsigned 32-bit lanes.
    OP.localGet, V, OP.localGet, V, ...simd(S.i32ExtMulLowI16), OP.localGet, V, OP.localGet, V, ...simd(S.i32ExtMulHighI16), ...simd(S.i32Add), OP.localSet, W,
    OP.localGet, W, ...simd(S.i64ExtLowU32), OP.localGet, ACC, ...simd(S.i64Add), OP.localGet, W, ...simd(S.i64ExtHighU32), ...simd(S.i64Add), OP.localSet, ACC,
    OP.localGet, V, ...simd(S.i16Abs), OP.localGet, MAX, ...simd(S.i16MaxU), OP.localSet, MAX,
  ];
  const code = [...vzero(), OP.localSet, ACC, ...vzero(), OP.localSet, MAX, ...countedLoop(OFF, P1, 16, body),
    OP.localGet, P2, OP.localGet, ACC, ...vstore(0), OP.localGet, P2, OP.localGet, MAX, ...vstore(16)];
  return { name: "sq16", params: 3, i32Locals: 1, v128Locals: 4, code };
}

/**
 * dotSq8(x, a, bytes, out): i32x4 lanes of sum x[j] * a[j] at out and of sum x[j]^2 at out + 16,
 * in one pass; x int8 (`bytes` of them), a int16. A vector adds at most 4 squares of at most 2^14
 * to a square lane, so calls over at most 2^14 vectors (256 KB) keep those lanes below 2^31.
 */
function dotSq8(): WasmFunction {
  const [OFF, PA, ACC, SQ, V, W] = [4, 5, 6, 7, 8, 9];
  const half = (extend: number, offset: number): number[] => [
    OP.localGet, V, ...simd(extend), OP.localTee, W, OP.localGet, PA, ...vload(offset), ...simd(S.i32DotI16), OP.localGet, ACC, ...simd(S.i32Add), OP.localSet, ACC,
    OP.localGet, W, OP.localGet, W, ...simd(S.i32DotI16), OP.localGet, SQ, ...simd(S.i32Add), OP.localSet, SQ,
  ];
  const body = [
    OP.localGet, P0, OP.localGet, OFF, OP.i32Add, ...vload(), OP.localSet, V,
    OP.localGet, P1, OP.localGet, OFF, OP.i32Add, OP.localGet, OFF, OP.i32Add, OP.localSet, PA,
    ...half(S.i16ExtLowI8, 0),
    ...half(S.i16ExtHighI8, 16),
  ];
  const code = [...vzero(), OP.localSet, ACC, ...vzero(), OP.localSet, SQ, ...countedLoop(OFF, P2, 16, body),
    OP.localGet, P3, OP.localGet, ACC, ...vstore(0), OP.localGet, P3, OP.localGet, SQ, ...vstore(16)];
  return { name: "dotSq8", params: 4, i32Locals: 2, v128Locals: 4, code };
}

/** dot16(x, a, bytes, out): i64x2 lanes of sum x[j] * a[j], both int16, requiring every |x| * |a| <= 2^30 - 2^15. */
function dot16(): WasmFunction {
  const [OFF, ACC, T] = [4, 5, 6];
  const body = [
    OP.localGet, P0, OP.localGet, OFF, OP.i32Add, ...vload(), OP.localGet, P1, OP.localGet, OFF, OP.i32Add, ...vload(), ...simd(S.i32DotI16), OP.localSet, T,
    OP.localGet, T, ...simd(S.i64ExtLowI32), OP.localGet, ACC, ...simd(S.i64Add), OP.localGet, T, ...simd(S.i64ExtHighI32), ...simd(S.i64Add), OP.localSet, ACC,
  ];
  const code = [...vzero(), OP.localSet, ACC, ...countedLoop(OFF, P2, 16, body), OP.localGet, P3, OP.localGet, ACC, ...vstore(0)];
  return { name: "dot16", params: 4, i32Locals: 1, v128Locals: 2, code };
}

/** widen8(src, dst, bytes, shift): int8 at src to int16 at dst, each shifted left by `shift`. */
function widen8(): WasmFunction {
  const [OFF, PD, V] = [4, 5, 6];
  const body = [
    OP.localGet, P0, OP.localGet, OFF, OP.i32Add, ...vload(), OP.localSet, V,
    OP.localGet, P1, OP.localGet, OFF, OP.i32Add, OP.localGet, OFF, OP.i32Add, OP.localTee, PD,
    OP.localGet, V, ...simd(S.i16ExtLowI8), OP.localGet, P3, ...simd(S.i16Shl), ...vstore(0),
    OP.localGet, PD, OP.localGet, V, ...simd(S.i16ExtHighI8), OP.localGet, P3, ...simd(S.i16Shl), ...vstore(16),
  ];
  return { name: "widen8", params: 4, i32Locals: 2, v128Locals: 1, code: countedLoop(OFF, P2, 16, body) };
}

/** shift16(src, dst, bytes, shift): int16 at src to dst, each shifted left by `shift`. */
function shift16(): WasmFunction {
  const OFF = 4;
  const body = [
    OP.localGet, P1, OP.localGet, OFF, OP.i32Add,
    OP.localGet, P0, OP.localGet, OFF, OP.i32Add, ...vload(), OP.localGet, P3, ...simd(S.i16Shl), ...vstore(0),
  ];
  return { name: "shift16", params: 4, i32Locals: 1, v128Locals: 0, code: countedLoop(OFF, P2, 16, body) };
}

/** toI64(src, dst, bytes): float64 integers at src to int64 at dst (in place when src = dst); |value| < 2^63. */
function toI64(): WasmFunction {
  const OFF = 3;
  const F64_LOAD = 0x2b;
  const I64_TRUNC_F64_S = 0xb0;
  const I64_STORE = 0x37;
  const body = [
    OP.localGet, P1, OP.localGet, OFF, OP.i32Add,
    OP.localGet, P0, OP.localGet, OFF, OP.i32Add, F64_LOAD, 3, 0, I64_TRUNC_F64_S, I64_STORE, 3, 0,
  ];
  return { name: "toI64", params: 3, i32Locals: 1, v128Locals: 0, code: countedLoop(OFF, P2, 8, body) };
}

/** A v128 constant of two equal float64 lanes. */
function f64x2Const(x: number): number[] {
  const bytes = new Uint8Array(new Float64Array([x, x]).buffer);
  return simd(S.const, ...bytes);
}

/**
 * The body computing `rhe(n, d)` of the float64 lanes in local `N` (integers, `|n| < 2^52`, `d` a
 * positive integer in local `D`) into local `Q`: `nearest(n / d) + 0`, the float64 quotient rounded
 * to the nearest integer, ties to even (`f64x2.nearest`), `+ 0` turning a -0 into +0.
 *
 * Exactness: `n` and `d` are exact float64 integers and the division is correctly rounded. If
 * `n / d` is an integer or a half-integer it is representable (`|n / d| < 2^52`), so the division
 * is exact and `nearest` rounds it as rhe does, ties to even. Otherwise `n / d` differs from every
 * half-integer by at least `1 / (2d)` (`n / d - (k + 1/2) = (2n - (2k + 1) d) / 2d`, a non-zero
 * numerator), while the division's error is at most half an ulp, `|n / d| * 2^-53 < 2^52 / d * 2^-53
 * = 1 / (2d)`: the float64 quotient lies strictly between the same two half-integers as `n / d`,
 * so it has the same nearest integer.
 */
function rheLanes(N: number, Q: number, D: number, zero: number): number[] {
  const F64X2_DIV = 0xf3;
  const F64X2_NEAREST = 0x94;
  return [OP.localGet, N, OP.localGet, D, ...simd(F64X2_DIV), ...simd(F64X2_NEAREST), OP.localGet, zero, ...simd(0xf0), OP.localSet, Q];
}

/**
 * rhe16(src, dst, bytes, cfg) and rhe32: int16 (int32) sums at src times `scale`, rounded-half-even
 * quotients by `d` as float64 at dst; `cfg` points at the float64 pair (scale, d). Requires
 * `|sum * scale| + d <= 2^52`, scale a power of two.
 */
function rheOf(width: 2 | 4): WasmFunction {
  const [OFF, PD, SCALE, D, N, Q, ZERO] = [4, 5, 6, 7, 8, 9, 10];
  const LOAD64_SPLAT = 0x0a;
  const LOAD32_ZERO = 0x5c;
  const LOAD64_ZERO = 0x5d;
  const CONVERT_LOW = 0xfe;
  const load = width === 2 ? [...simd(LOAD32_ZERO, 2, 0), ...simd(S.i32ExtLowI16)] : simd(LOAD64_ZERO, 3, 0);
  const body = [
    OP.localGet, P0, OP.localGet, OFF, OP.i32Add, ...load, ...simd(CONVERT_LOW), OP.localGet, SCALE, ...simd(0xf2), OP.localSet, N,
    ...rheLanes(N, Q, D, ZERO),
    // dst + off * (8 / width): two float64 lanes per two input elements.
    OP.localGet, P1, OP.localGet, OFF, OP.i32Const, width === 2 ? 2 : 1, OP.i32Shl, OP.i32Add, OP.localTee, PD, OP.localGet, Q, ...vstore(0),
  ];
  const code = [
    OP.localGet, P3, ...simd(LOAD64_SPLAT, 3, 0), OP.localSet, SCALE,
    OP.localGet, P3, ...simd(LOAD64_SPLAT, 3, 8), OP.localSet, D,
    ...f64x2Const(0), OP.localSet, ZERO,
    ...countedLoop(OFF, P2, 2 * width, body),
  ];
  return { name: width === 2 ? "rhe16" : "rhe32", params: 4, i32Locals: 2, v128Locals: 5, code };
}

/**
 * wsum8(rows, coef, coefBytes, bytes, out, rowBytes) and wsum16: for each column of int8 (int16) rows
 * (row i at `rows + i * rowBytes`), `sum_i coef[i] * row_i[column]` in int32 lanes at out (column j at
 * `out + 4j`); `coef` holds int32 coefficients, `coefBytes` = 4 x rows. The caller proves every
 * `sum_i |coef[i]| * max |row_i| < 2^31`, so no lane overflows.
 */
function wsumOf(width: 1 | 2): WasmFunction {
  const [OFF, I, P, V, C, W] = [6, 7, 8, 9, 10, 11];
  const ACC = [12, 13, 14, 15].slice(0, width === 1 ? 4 : 2);
  const I32_MUL = 0xb5;
  const LOAD32_SPLAT = 0x09;
  const madd = (acc: number, extend: number): number[] => [OP.localGet, W, ...simd(extend), OP.localGet, C, ...simd(I32_MUL), OP.localGet, acc, ...simd(S.i32Add), OP.localSet, acc];
  const perRow = width === 1
    ? [
      OP.localGet, V, ...simd(S.i16ExtLowI8), OP.localSet, W, ...madd(ACC[0] as number, S.i32ExtLowI16), ...madd(ACC[1] as number, S.i32ExtHighI16),
      OP.localGet, V, ...simd(S.i16ExtHighI8), OP.localSet, W, ...madd(ACC[2] as number, S.i32ExtLowI16), ...madd(ACC[3] as number, S.i32ExtHighI16),
    ]
    : [OP.localGet, V, OP.localSet, W, ...madd(ACC[0] as number, S.i32ExtLowI16), ...madd(ACC[1] as number, S.i32ExtHighI16)];
  const rows = [
    OP.localGet, P0, OP.localGet, OFF, OP.i32Add, OP.localSet, P,
    ...countedLoop(I, P2, 4, [
      OP.localGet, P, ...vload(), OP.localSet, V,
      OP.localGet, P1, OP.localGet, I, OP.i32Add, ...simd(LOAD32_SPLAT, 2, 0), OP.localSet, C,
      ...perRow,
      OP.localGet, P, OP.localGet, 5, OP.i32Add, OP.localSet, P,
    ]),
  ];
  // out + 4 * (off / width): each column's int32 sum.
  const at = [OP.localGet, 4, OP.localGet, OFF, OP.i32Const, width === 1 ? 2 : 1, OP.i32Shl, OP.i32Add];
  const body = [
    ...ACC.flatMap((a) => [...vzero(), OP.localSet, a]),
    ...rows,
    ...ACC.flatMap((a, k) => [...at, OP.localGet, a, ...vstore(16 * k)]),
  ];
  return { name: width === 1 ? "wsum8" : "wsum16", params: 6, i32Locals: 3, v128Locals: 3 + ACC.length, code: countedLoop(OFF, P3, 16, body) };
}

type Exports = {
  wsum8: (rows: number, coef: number, coefBytes: number, bytes: number, out: number, rowBytes: number) => void;
  wsum16: (rows: number, coef: number, coefBytes: number, bytes: number, out: number, rowBytes: number) => void;
  rhe16: (src: number, dst: number, bytes: number, cfg: number) => void;
  rhe32: (src: number, dst: number, bytes: number, cfg: number) => void;
  toI64: (src: number, dst: number, bytes: number) => void;
  sq8: (x: number, bytes: number, out: number) => void;
  sq16: (x: number, bytes: number, out: number) => void;
  dotSq8: (x: number, a: number, bytes: number, out: number) => void;
  dot16: (x: number, a: number, bytes: number, out: number) => void;
  widen8: (src: number, dst: number, bytes: number, shift: number) => void;
  shift16: (src: number, dst: number, bytes: number, shift: number) => void;
};

let compiled: object | undefined;

function streamModule(): object {
  compiled ??= new wasm.Module(moduleBytes([sq8(), sq16(), dotSq8(), dot16(), widen8(), shift16(), toI64(), rheOf(2), rheOf(4), wsumOf(1), wsumOf(2)], 1));
  return compiled;
}

/** The kernels instantiated over `memory` (any memory of at least one page; pointers are byte offsets into it). */
export function streamKernelsOver(memory: { buffer: ArrayBuffer }): Exports {
  return new wasm.Instance(streamModule(), { m: { mem: memory } }).exports as Exports;
}

/** Rounds a byte count up to whole 16-byte vectors (the staging areas are zero-padded to them). */
export function vectorBytes(bytes: number): number {
  return Math.ceil(bytes / 16) * 16;
}

/**
 * This thread's staging memory and kernels: `x` (int8 or int16 view) and `a` (int16) areas of
 * {@link STAGE_BYTES} each, and the output lanes.
 */
export type Stage = {
  /** The x area as float64 and its bytes. */
  xF64: Float64Array;
  xBytes: Uint8Array;
  x8: Int8Array;
  x16: Int16Array;
  a16: Int16Array;
  kernels: Exports;
  /** Output lanes as int32 (`[0, 4)`), uint8 (`[16, 32)` bytes), uint16 and int64 views. */
  out32: Int32Array;
  outU8: Uint8Array;
  outU16: Uint16Array;
  out64: BigInt64Array;
  xAt: number;
  aAt: number;
  outAt: number;
};

let stage: Stage | undefined;

/** This thread's {@link Stage} (created on first use). */
export function threadStage(): Stage {
  if (stage !== undefined) return stage;
  const memory = new wasm.Memory({ initial: PAGES });
  const { buffer } = memory;
  stage = {
    xF64: new Float64Array(buffer, X_AT, STAGE_BYTES / 8),
    xBytes: new Uint8Array(buffer, X_AT, STAGE_BYTES),
    x8: new Int8Array(buffer, X_AT, STAGE_BYTES),
    x16: new Int16Array(buffer, X_AT, STAGE_BYTES / 2),
    a16: new Int16Array(buffer, A_AT, STAGE_BYTES / 2),
    kernels: streamKernelsOver(memory),
    out32: new Int32Array(buffer, OUT_AT, 8),
    outU8: new Uint8Array(buffer, OUT_AT + 16, 16),
    outU16: new Uint16Array(buffer, OUT_AT + 16, 8),
    out64: new BigInt64Array(buffer, OUT_AT, 2),
    xAt: X_AT,
    aAt: A_AT,
    outAt: OUT_AT,
  };
  return stage;
}

/**
 * Copies `source[from, to)` into the staging view `target` (same element type) and zero-fills it up
 * to the next 16-byte boundary; zeros add nothing to any sum, square or maximum the kernels form.
 * Returns the byte count to pass to a kernel.
 */
export function stageInto(target: Int8Array | Int16Array, source: Int8Array | Int16Array, from: number, to: number): number {
  const len = to - from;
  copyElements(target, source, from, to);
  const bytes = vectorBytes(len * source.BYTES_PER_ELEMENT);
  target.fill(0, len, bytes / source.BYTES_PER_ELEMENT);
  return bytes;
}

/**
 * `target.set(source.subarray(from, to))` for arrays of one element type. From shared memory (updates
 * are read into SharedArrayBuffers so worker threads can see them), typed-array `set` copies
 * element-wise; Buffer's copy is a plain memcpy, about twice as fast. `target` is a view at the
 * destination offset, of the same element type as `source`.
 */
export function copyElements(target: Int8Array | Int16Array, source: Int8Array | Int16Array, from: number, to: number): void {
  if (!(source.buffer instanceof SharedArrayBuffer)) {
    target.set(source.subarray(from, to));
    return;
  }
  const width = source.BYTES_PER_ELEMENT;
  const start = source.byteOffset + from * width;
  bufferOf(source.buffer).copy(bufferOf(target.buffer), target.byteOffset, start, start + (to - from) * width);
}

/** One Buffer view per backing buffer (kernels copy many small chunks: no view per copy). */
const buffers = new WeakMap<ArrayBufferLike, Buffer>();

function bufferOf(buffer: ArrayBufferLike): Buffer {
  let view = buffers.get(buffer);
  // A WebAssembly memory that grew detaches its old buffer: the byte length tells a stale view.
  if (view === undefined || view.byteLength !== buffer.byteLength) {
    view = Buffer.from(buffer);
    buffers.set(buffer, view);
  }
  return view;
}

/** Exact statistics of one integer tensor: `sum_j q[j]^2` and `max_j |q[j]|`. */
export type TensorStats = { sumSquares: bigint; maxAbs: number };

/**
 * {@link TensorStats} of `q`, exact. int8 and int16 run in SIMD: per 16-byte vector an int8 lane pair
 * adds at most `2 * 2 * 128^2 = 2^16` to an int32 lane, so a {@link STAGE_BYTES} chunk (4,096
 * vectors) stays below `2^28`; int16 squares (at most 2^30) add in pairs below 2^31 and then in int64.
 * int32 values split into 16-bit limbs in float64 (each partial sum exact below 2^53 over 2^20 terms).
 */
export function tensorStats(q: IntArray): TensorStats {
  if (q instanceof Int32Array) return wideStats(q);
  const s = threadStage();
  let sum8 = 0;
  let sum16 = 0n;
  let max = 0;
  const step = STAGE_BYTES / q.BYTES_PER_ELEMENT;
  for (let from = 0; from < q.length; from += step) {
    const to = Math.min(q.length, from + step);
    if (q instanceof Int8Array) {
      s.kernels.sq8(s.xAt, stageInto(s.x8, q, from, to), s.outAt);
      // Four lanes below 2^28 each; the running total stays below 2^14 * 2^31 < 2^53.
      sum8 += (s.out32[0] as number) + (s.out32[1] as number) + (s.out32[2] as number) + (s.out32[3] as number);
      for (let l = 0; l < 16; l++) max = Math.max(max, s.outU8[l] as number);
    } else {
      s.kernels.sq16(s.xAt, stageInto(s.x16, q, from, to), s.outAt);
      sum16 += (s.out64[0] as bigint) + (s.out64[1] as bigint);
      for (let l = 0; l < 8; l++) max = Math.max(max, s.outU16[l] as number);
    }
  }
  return { sumSquares: BigInt(sum8) + sum16, maxAbs: max };
}

/** Block length for exact float64 limb sums: 2^20 terms of at most 2^32 stay below 2^53. */
const LIMB_BLOCK = 2 ** 20;
const LIMB = 2 ** 16;

function wideStats(q: Int32Array): TensorStats {
  let total = 0n;
  let max = 0;
  for (let start = 0; start < q.length; start += LIMB_BLOCK) {
    const end = Math.min(q.length, start + LIMB_BLOCK);
    // q = hi * 2^16 + lo with lo in [0, 2^16): hi^2 <= 2^30, |hi * lo| < 2^31, lo^2 < 2^32, each summed exactly.
    let hh = 0;
    let hl = 0;
    let ll = 0;
    for (let j = start; j < end; j++) {
      const v = q[j] as number;
      const a = v < 0 ? -v : v;
      if (a > max) max = a;
      const hi = Math.floor(v / LIMB);
      const lo = v - hi * LIMB;
      hh += hi * hi;
      hl += hi * lo;
      ll += lo * lo;
    }
    total += (BigInt(hh) << 32n) + (BigInt(hl) << 17n) + BigInt(ll);
  }
  return { sumSquares: total, maxAbs: max };
}

assertInvariant(STAGE_BYTES % 16 === 0 && STAGE_BYTES / 16 <= 2 ** 15, "staging chunks must keep the int8 square lanes below 2^31");

// WebAssembly binary encoding for the project's generated SIMD kernels (protocol and compute):
// LEB128 integers, sections, opcodes, and a module of exported functions over one imported memory.

// The few WebAssembly JS API members used here (the project's TS libs do not declare the global).
type WasmApi = {
  Memory: new (descriptor: { initial: number }) => { buffer: ArrayBuffer };
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
};

/** The engine's WebAssembly API. */
export const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** Bytes of one WebAssembly memory page. */
export const PAGE_BYTES = 65_536;

/** Core opcodes used by the generators (WebAssembly core specification, binary format). */
export const OP = {
  block: 0x02, loop: 0x03, br: 0x0c, brIf: 0x0d, end: 0x0b, localGet: 0x20, localSet: 0x21, localTee: 0x22,
  i32Const: 0x41, i32Eqz: 0x45, i32LtU: 0x49, i32GeU: 0x4f, i32Add: 0x6a, i32Sub: 0x6b, i32Mul: 0x6c, i32Shl: 0x74,
  void: 0x40, i32: 0x7f, v128: 0x7b,
} as const;

/** SIMD opcodes (after the 0xfd prefix), from the WebAssembly SIMD specification. */
export const SIMD_OP = {
  load: 0, store: 11, const: 12,
  i8Eq: 35, or: 80, anyTrue: 83,
  i8Abs: 96, i8AddSat: 111, i8Min: 118, i8Max: 120, i8MaxU: 121,
  i16ExtLowI8: 135, i16ExtHighI8: 136, i16Shl: 139, i16Add: 142, i16Min: 150, i16Max: 152, i16MaxU: 153, i16Abs: 128,
  i32ExtLowI16: 167, i32ExtHighI16: 168, i32Shl: 171, i32Add: 174, i32DotI16: 186, i32ExtMulLowI16: 188, i32ExtMulHighI16: 189,
  i64ExtLowU32: 201, i64ExtHighU32: 202, i64ExtLowI32: 199, i64ExtHighI32: 200, i64Add: 206,
} as const;

const SIMD_PREFIX = 0xfd;

/** Unsigned LEB128. */
export function uleb(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

/** Signed LEB128 (32-bit). */
export function sleb(value: number): number[] {
  const out: number[] = [];
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0)) return [...out, byte];
    out.push(byte | 0x80);
  }
}

/** A section: id, byte length, body. */
export function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

/** A name: byte length and ASCII bytes. */
export function name(text: string): number[] {
  return [...uleb(text.length), ...Array.from(text, (c) => c.charCodeAt(0))];
}

/** One SIMD instruction and its immediates. */
export function simd(op: number, ...rest: number[]): number[] {
  return [SIMD_PREFIX, ...uleb(op), ...rest];
}

/** `v128.load` / `v128.store` with 16-byte alignment and a constant offset. */
export function vload(offset = 0): number[] {
  return simd(SIMD_OP.load, 4, ...uleb(offset));
}

/** See {@link vload}. */
export function vstore(offset = 0): number[] {
  return simd(SIMD_OP.store, 4, ...uleb(offset));
}

/** A v128 of zeros. */
export function vzero(): number[] {
  return simd(SIMD_OP.const, ...new Array<number>(16).fill(0));
}

/** One exported function: `params` i32 parameters (no results), extra i32 and v128 locals, and its code (without the final `end`). */
export type WasmFunction = { name: string; params: number; i32Locals: number; v128Locals: number; code: number[] };

/**
 * A module of exported functions that all import one memory as `m.mem` (so one compiled module can be
 * instantiated over any memory). Each function takes `params` i32 parameters and returns nothing.
 */
export function moduleBytes(functions: readonly WasmFunction[], pages: number): Uint8Array {
  const arities = [...new Set(functions.map((f) => f.params))];
  const types = arities.map((n) => [0x60, ...uleb(n), ...new Array<number>(n).fill(OP.i32), 0]);
  const bodies = functions.map((f) => {
    const fn = [2, ...uleb(f.i32Locals), OP.i32, ...uleb(f.v128Locals), OP.v128, ...f.code, OP.end];
    return [...uleb(fn.length), ...fn];
  });
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [...uleb(types.length), ...types.flat()]),
    ...section(2, [1, ...name("m"), ...name("mem"), 0x02, 0x00, ...uleb(pages)]),
    ...section(3, [...uleb(functions.length), ...functions.map((f) => arities.indexOf(f.params))]),
    ...section(7, [...uleb(functions.length), ...functions.flatMap((f, i) => [...name(f.name), 0x00, ...uleb(i)])]),
    ...section(10, [...uleb(functions.length), ...bodies.flat()]),
  ]);
}

/**
 * The loop every streaming kernel runs: `off` (an i32 local) from 0 while below the `bytes` local, in
 * steps of `step`, running `body` each time.
 */
export function countedLoop(off: number, bytes: number, step: number, body: number[]): number[] {
  return [
    OP.i32Const, 0, OP.localSet, off,
    OP.block, OP.void, OP.loop, OP.void,
    OP.localGet, off, OP.localGet, bytes, OP.i32GeU, OP.brIf, 1,
    ...body,
    OP.localGet, off, OP.i32Const, ...sleb(step), OP.i32Add, OP.localSet, off,
    OP.br, 0, OP.end, OP.end,
  ];
}

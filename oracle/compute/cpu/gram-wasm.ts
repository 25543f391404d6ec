import { BLOCK } from "../blocks.ts";
import { OP, PAGE_BYTES, section, simd, sleb, uleb, name, wasm } from "./rank-sum-wasm.ts";

/**
 * A WebAssembly SIMD kernel for the Gram matrix of `n` int16 rows over one block: for every pair
 * `i <= k` (row-major upper triangle with the diagonal) four int32 lanes whose sum is
 * `sum_j row_i[j] * row_k[j]`.
 *
 * Exactness: rows hold int8 values widened to int16, so each product is at most 2^14 in magnitude
 * and each lane adds at most `2 * BLOCK / 8` products, `2^10 * 2^14 = 2^24 < 2^31`, no overflow.
 */
export type GramKernel = { rows: Int16Array; lanes: Int32Array; run(len: number): void };

const DOT_I16 = 186;
const V128_CONST = 12;
const I32_MUL = 0x6c;
const I32_LT_U = 0x49;

function body(n: number): number[] {
  const [IN, OUT, BYTES, I, K, OFF, PA, PB, O, ACC] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const rowBytes = BLOCK * 2;
  const c: number[] = [OP.localGet, OUT, OP.localSet, O, OP.loop, OP.void];
  c.push(OP.localGet, I, OP.localSet, K, OP.loop, OP.void);
  c.push(OP.localGet, IN, OP.localGet, I, OP.i32Const, ...sleb(rowBytes), I32_MUL, OP.i32Add, OP.localSet, PA);
  c.push(OP.localGet, IN, OP.localGet, K, OP.i32Const, ...sleb(rowBytes), I32_MUL, OP.i32Add, OP.localSet, PB);
  c.push(...simd(V128_CONST, ...new Array<number>(16).fill(0)), OP.localSet, ACC, OP.i32Const, 0, OP.localSet, OFF, OP.loop, OP.void);
  c.push(OP.localGet, ACC, OP.localGet, PA, OP.localGet, OFF, OP.i32Add, ...simd(0, 4, 0), OP.localGet, PB, OP.localGet, OFF, OP.i32Add, ...simd(0, 4, 0), ...simd(DOT_I16));
  c.push(...simd(174), OP.localSet, ACC);
  c.push(OP.localGet, OFF, OP.i32Const, 16, OP.i32Add, OP.localSet, OFF, OP.localGet, OFF, OP.localGet, BYTES, I32_LT_U, OP.brIf, 0, OP.end);
  c.push(OP.localGet, O, OP.localGet, ACC, ...simd(11, 4, 0), OP.localGet, O, OP.i32Const, 16, OP.i32Add, OP.localSet, O);
  c.push(OP.localGet, K, OP.i32Const, 1, OP.i32Add, OP.localSet, K, OP.localGet, K, OP.i32Const, ...sleb(n), I32_LT_U, OP.brIf, 0, OP.end);
  c.push(OP.localGet, I, OP.i32Const, 1, OP.i32Add, OP.localSet, I, OP.localGet, I, OP.i32Const, ...sleb(n), I32_LT_U, OP.brIf, 0, OP.end, OP.end);
  const fn = [2, 6, OP.i32, 1, OP.v128, ...c];
  return [...uleb(fn.length), ...fn];
}

/** Compiles a Gram kernel for `n` rows of `BLOCK` int16 values. */
export function compileGram(n: number): GramKernel {
  const inBytes = n * BLOCK * 2;
  const pairs = (n * (n + 1)) / 2;
  const pages = Math.ceil((inBytes + pairs * 16) / PAGE_BYTES);
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 3, OP.i32, OP.i32, OP.i32, 0]),
    ...section(2, [1, ...name("m"), ...name("mem"), 0x02, 0x00, ...uleb(pages)]),
    ...section(3, [1, 0]),
    ...section(7, [1, ...name("run"), 0x00, 0]),
    ...section(10, [1, ...body(n)]),
  ];
  const memory = new wasm.Memory({ initial: pages });
  const instance = new wasm.Instance(new wasm.Module(new Uint8Array(bytes)), { m: { mem: memory } });
  const run = instance.exports["run"] as (input: number, output: number, bytes: number) => void;
  const rows = new Int16Array(memory.buffer, 0, n * BLOCK);
  const lanes = new Int32Array(memory.buffer, inBytes, pairs * 4);
  return { rows, lanes, run: (len) => run(0, inBytes, Math.ceil((len * 2) / 16) * 16) };
}

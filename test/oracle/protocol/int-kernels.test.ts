import { createHash } from "node:crypto";

import { expect } from "chai";
import fc from "fast-check";

import { aggregateSha256 } from "../../../oracle/protocol/aggregate-hash.ts";
import { STAGE_BYTES, streamKernelsOver, tensorStats } from "../../../oracle/protocol/int-kernels.ts";
import { rhe } from "../../../oracle/protocol/rounding.ts";
import type { IntArray } from "../../../oracle/protocol/typed-views.ts";
import { PAGE_BYTES, wasm } from "../../../oracle/protocol/wasm-binary.ts";

const TYPES = { I8: Int8Array, I16: Int16Array, I32: Int32Array } as const;
const MIN = { I8: -(2 ** 7), I16: -(2 ** 15), I32: -(2 ** 31) } as const;

/** Lengths around the vector and staging-chunk edges the kernels care about. */
const LENGTHS = [0, 1, 15, 16, 17, 4095, 4096, 32_767, 32_768, 32_769, STAGE_BYTES - 1, STAGE_BYTES, STAGE_BYTES + 1, 3 * STAGE_BYTES + 5];

function referenceStats(q: IntArray): { sumSquares: bigint; maxAbs: number } {
  let sum = 0n;
  let max = 0;
  for (const v of q) {
    sum += BigInt(v) * BigInt(v);
    max = Math.max(max, Math.abs(v));
  }
  return { sumSquares: sum, maxAbs: max };
}

function filled(dtype: keyof typeof TYPES, length: number, seed: number, extremes: boolean): IntArray {
  const q = new TYPES[dtype](length);
  let x = seed | 1;
  const min = MIN[dtype];
  for (let j = 0; j < length; j++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const r = (x >>> 0) / 2 ** 32;
    q[j] = extremes ? (r < 0.5 ? min : -min - 1) : Math.floor(r * -2 * min) + min;
  }
  return q;
}

describe("streaming SIMD kernels (oracle/protocol/int-kernels.ts) against BigInt", function () {
  it("gives the exact sum of squares and largest magnitude of every dtype, at chunk edges and extremes", function () {
    for (const dtype of ["I8", "I16", "I32"] as const) {
      for (const length of LENGTHS) {
        for (const extremes of [false, true]) {
          const q = filled(dtype, length, length * 31 + 7, extremes);
          expect(tensorStats(q), `${dtype} x ${length}${extremes ? " extremes" : ""}`).to.deep.equal(referenceStats(q));
        }
      }
    }
  });

  it("gives exact statistics of arbitrary int8 and int16 arrays", function () {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -128, max: 127 }), { maxLength: 300 }), fc.array(fc.integer({ min: -32_768, max: 32_767 }), { maxLength: 300 }), (a, b) => {
        expect(tensorStats(Int8Array.from(a))).to.deep.equal(referenceStats(Int8Array.from(a)));
        expect(tensorStats(Int16Array.from(b))).to.deep.equal(referenceStats(Int16Array.from(b)));
      }),
      { seed: 17, numRuns: 200 },
    );
  });

  it("rounds sums half to even by any divisor and power-of-two scale, as rhe does", function () {
    const memory = new wasm.Memory({ initial: 4 });
    const kernels = streamKernelsOver(memory);
    const cfg = new Float64Array(memory.buffer, 0, 2);
    fc.assert(
      fc.property(
        fc.constantFrom(2, 4),
        fc.integer({ min: 1, max: 70_000 }),
        fc.integer({ min: 0, max: 21 }),
        fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { minLength: 1, maxLength: 64 }),
        (width, d, e, raw) => {
          const scale = 2 ** e;
          const values = raw.map((v) => (width === 2 ? v >> 16 : v));
          // Ties and near-ties of this divisor, besides the random values; for int32 sums also the
          // largest ties (odd multiples of d / 2) below 2^31, where the quotient's ulp is largest.
          values.push(d, -d, d >> 1, -(d >> 1), (d >> 1) + 1, 3 * d, 0);
          if (width === 4 && d % 2 === 0) {
            const tie = (2 * Math.floor((2 ** 31 / (d / 2) - 1) / 2) + 1) * (d / 2);
            values.push(tie, tie - 1, tie + 1 - (tie + 1 > 2 ** 31 - 1 ? 2 : 0), -tie, -tie + 1, -tie - 1);
          }
          // The kernel's precondition: |sum * scale| + d <= 2^52.
          const fits = values.map((v) => (width === 2 ? Math.max(-32_768, Math.min(32_767, v)) : v)).filter((v) => Math.abs(v) * scale + d <= 2 ** 52);
          values.length = 0;
          values.push(...fits);
          if (values.length === 0) return;
          const sums = width === 2 ? new Int16Array(memory.buffer, 64, values.length + 1) : new Int32Array(memory.buffer, 64, values.length + 1);
          sums.set(values);
          cfg[0] = scale;
          cfg[1] = d;
          // Two sums per step: an odd count reads one extra (zero) lane.
          (width === 2 ? kernels.rhe16 : kernels.rhe32)(64, PAGE_BYTES, (values.length + (values.length & 1)) * width, 0);
          const out = new Float64Array(memory.buffer, PAGE_BYTES, values.length);
          for (let j = 0; j < values.length; j++) {
            const expected = Number(rhe(BigInt(sums[j] as number) * BigInt(scale), BigInt(d)));
            expect(Object.is(out[j], expected + 0), `rhe(${sums[j]} * ${scale}, ${d})`).to.equal(true);
          }
        },
      ),
      { seed: 5, numRuns: 600 },
    );
  });

  it("widens int8 and shifts int16 left exactly", function () {
    const memory = new wasm.Memory({ initial: 2 });
    const kernels = streamKernelsOver(memory);
    const src8 = new Int8Array(memory.buffer, 0, 64);
    const src16 = new Int16Array(memory.buffer, 0, 32);
    const dst = new Int16Array(memory.buffer, 4096, 64);
    for (const shift of [0, 1, 3, 7]) {
      src8.set(Array.from({ length: 64 }, (_, j) => (j * 37) % 256 - 128));
      kernels.widen8(0, 4096, 64, shift);
      for (let j = 0; j < 64; j++) expect(dst[j]).to.equal((src8[j] as number) * 2 ** shift);
      src16.set(Array.from({ length: 32 }, (_, j) => ((j * 1231) % 512) - 256));
      kernels.shift16(0, 4096, 64, shift);
      for (let j = 0; j < 32; j++) expect(dst[j]).to.equal((src16[j] as number) * 2 ** shift);
    }
  });

  it("hashes the aggregate as little-endian int64 words, at the int32 and 2^52 edges", function () {
    const values = [0, 1, -1, 2 ** 31 - 1, 2 ** 31, -(2 ** 31), -(2 ** 31) - 1, 2 ** 32, -(2 ** 32), 2 ** 52, -(2 ** 52), 123_456_789_012, -98_765_432_109];
    const aggregate = new Float64Array(20_000);
    for (let j = 0; j < aggregate.length; j++) aggregate[j] = values[j % values.length] as number;
    const words = new BigInt64Array(aggregate.length);
    for (let j = 0; j < aggregate.length; j++) words[j] = BigInt(aggregate[j] as number);
    const expected = `0x${createHash("sha256").update(new Uint8Array(words.buffer)).digest("hex")}`;
    expect(aggregateSha256(aggregate)).to.equal(expected);
  });
});

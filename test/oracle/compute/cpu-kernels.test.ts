import { expect } from "chai";
import fc from "fast-check";

import { BLOCK } from "../../../oracle/compute/blocks.ts";
import { aggregatePartial } from "../../../oracle/compute/cpu/aggregate.ts";
import { distancePartial } from "../../../oracle/compute/cpu/distances.ts";
import { GRAM_ACCUMULATED_ELEMENTS } from "../../../oracle/compute/cpu/gram-wasm.ts";
import { distanceStrings, distancesFitFloat64 } from "../../../oracle/compute/pair-totals.ts";
import { roundedQuotientInt32 } from "../../../oracle/compute/cpu/weighted-mean.ts";
import { rheSmall } from "../../../oracle/protocol/rounding.ts";
import type { AggregatePlan } from "../../../oracle/compute/types.ts";
import { alignUpdates, type AlignedRound } from "../../../oracle/protocol/alignment.ts";
import { rhe } from "../../../oracle/protocol/rounding.ts";
import { referenceAggregate, referenceDistances, referenceScoreDots } from "../../support/aggregation-reference.ts";
import { scorePartial } from "../../../oracle/compute/cpu/score-dots.ts";
import type { Update } from "../../../oracle/protocol/update-file.ts";

const SEED = 20_250_101;
const DTYPES = { I8: Int8Array, I16: Int16Array, I32: Int32Array } as const;
type Dtype = keyof typeof DTYPES;
const LIMIT = { I8: 2 ** 7, I16: 2 ** 15, I32: 2 ** 31 } as const;
/** How values are drawn: anywhere in the dtype, only its two extremes, or a few small values (ties). */
type Fill = "full" | "extremes" | "ties";

function filled(dtype: Dtype, size: number, fill: Fill, seed: number): Int8Array | Int16Array | Int32Array {
  const q = new DTYPES[dtype](size);
  let x = seed | 1;
  const max = LIMIT[dtype] - 1;
  for (let j = 0; j < size; j++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const r = (x >>> 0) / 2 ** 32;
    q[j] = fill === "extremes" ? (r < 0.5 ? -max - 1 : max) : fill === "ties" ? Math.floor(r * 5) - 2 : Math.floor(r * (2 * max + 2)) - max - 1;
  }
  return q;
}

/** Random aligned rounds: 1-40 updates, tensors straddling block edges, shared or mixed dtypes and exponents. */
const roundArb = fc
  .record({
    n: fc.integer({ min: 1, max: 40 }),
    sizes: fc.array(fc.constantFrom(1, 7, BLOCK - 1, BLOCK + 3, 2 * BLOCK + 17), { minLength: 1, maxLength: 3 }),
    dtype: fc.constantFrom<Dtype | "mixed">("I8", "I16", "I32", "mixed"),
    exps: fc.constantFrom("same", "mixed", "extreme"),
    fill: fc.constantFrom<Fill>("full", "extremes", "ties"),
    seed: fc.integer(),
    samples: fc.constantFrom("one", "small", "huge"),
  })
  .map(({ n, sizes, dtype, exps, fill, seed, samples }): AlignedRound => {
    const layout = sizes.map((size, t) => ({ name: `t${t}`, size }));
    const updates = Array.from({ length: n }, (_, i): Update => {
      const tensors = layout.map((t, ti) => {
        const k = seed + 7919 * i + 104_729 * ti;
        const d: Dtype = dtype === "mixed" ? (["I8", "I16", "I32"] as const)[Math.abs(k) % 3] ?? "I8" : dtype;
        // Exponents span at most 21, so |Q| <= 2^31 * 2^21 = 2^52 as for valid (clipped) updates.
        const exp = exps === "same" ? -8 : exps === "mixed" ? -8 - (Math.abs(k) % 3) : -19 - (Math.abs(k) % 22);
        return { name: t.name, shape: [t.size], dtype: d, exp, q: filled(d, t.size, fill, k) };
      });
      const weight = samples === "one" ? 1 : samples === "small" ? 1 + (Math.abs(seed + i) % 1000) : 2 ** 32 - 1 - i;
      return { round: "1", base: "0x00", samples: weight, tensors } as Update;
    });
    return alignUpdates(updates, layout, { weighting: samples === "one" ? "uniform" : "samples", maxSampleWeight: 2 ** 32 });
  });

function expectSameValues(actual: Float64Array, expected: Float64Array): void {
  expect(actual.length).to.equal(expected.length);
  for (let j = 0; j < expected.length; j++) {
    if (!Object.is(actual[j], expected[j])) expect.fail(`element ${j}: ${actual[j]} !== ${expected[j]}`);
  }
}

describe("cpu kernels against the BigInt reference", function () {
  this.timeout(300_000);
  const whole = (round: AlignedRound) => ({ start: 0, end: round.size });
  const members = (round: AlignedRound) => round.updates.map((_, i) => i);

  it("computes fedavg bit-identically, also for weights at and past the exact bounds", function () {
    fc.assert(
      fc.property(roundArb, (round) => {
        const plan: AggregatePlan = { kind: "weighted-mean", members: members(round), weights: round.updates.map((u) => u.weight) };
        expectSameValues(aggregatePartial(round, plan, whole(round)), referenceAggregate(round, plan));
      }),
      { seed: SEED, numRuns: 60 },
    );
  });

  it("computes the median bit-identically", function () {
    fc.assert(
      fc.property(roundArb, (round) => {
        const plan: AggregatePlan = { kind: "median", members: members(round) };
        expectSameValues(aggregatePartial(round, plan, whole(round)), referenceAggregate(round, plan));
      }),
      { seed: SEED, numRuns: 60 },
    );
  });

  it("computes the trimmed mean bit-identically for every trim count", function () {
    fc.assert(
      fc.property(roundArb, fc.nat(), (round, t) => {
        const n = round.updates.length;
        const plan: AggregatePlan = { kind: "trimmed-mean", members: members(round), trim: t % ((n + 1) >>> 1) };
        expectSameValues(aggregatePartial(round, plan, whole(round)), referenceAggregate(round, plan));
      }),
      { seed: SEED, numRuns: 60 },
    );
  });

  it("computes multi-krum distances exactly", function () {
    fc.assert(
      fc.property(roundArb, (round) => {
        const actual = distancePartial(round, whole(round));
        // The float64 form exactly when the proven bound allows it.
        expect(actual.kind).to.equal(distancesFitFloat64(round, whole(round)) ? "float64" : "bigint");
        expect(distanceStrings(actual)).to.deep.equal(referenceDistances(round).map(String));
      }),
      { seed: SEED, numRuns: 25 },
    );
  });

  it("computes multi-krum distances exactly over tensors longer than the Gram kernel's lanes may accumulate", function () {
    // Extremes at every element: each product is 2^14, so lanes left to add past
    // GRAM_ACCUMULATED_ELEMENTS (2^18) would pass 2^31 within the tensor.
    const size = 3 * GRAM_ACCUMULATED_ELEMENTS + 17;
    const layout = [{ name: "w", size }];
    const updates = [0, 1, 2, 3].map((i): Update => {
      const q = new Int8Array(size).fill(i % 2 === 0 ? -128 : 127);
      for (let j = i; j < size; j += 5) q[j] = -128;
      return { round: "1", base: "0x00", samples: 1, tensors: [{ name: "w", shape: [size], dtype: "I8", exp: -8 - (i % 2), q }] } as Update;
    });
    const round = alignUpdates(updates, layout, { weighting: "uniform", maxSampleWeight: 1 });
    const actual = distancePartial(round, whole(round));
    expect(actual.kind).to.equal("float64");
    expect(distanceStrings(actual)).to.deep.equal(referenceDistances(round).map(String));
  });

  it("computes multi-krum distances exactly for int16 updates over long tensors, -32,768 (the int16 Gram kernel's excluded value) included", function () {
    const size = 2 * GRAM_ACCUMULATED_ELEMENTS + 9;
    const layout = [{ name: "a", size }, { name: "b", size: 4099 }];
    const updates = [0, 1, 2].map((i): Update => ({
      round: "1",
      base: "0x00",
      samples: 1,
      tensors: [
        // Tensor a: extremes of int16 within the kernel's bound, and one int8 update among them.
        { name: "a", shape: [size], dtype: i === 2 ? "I8" : "I16", exp: -10 - i, q: i === 2 ? new Int8Array(size).fill(-128) : Int16Array.from({ length: size }, (_, j) => ((j + i) % 3 === 0 ? -32_767 : 32_767)) },
        // Tensor b: -32,768 appears, so its slice takes the exact fallback.
        { name: "b", shape: [4099], dtype: "I16", exp: -9, q: Int16Array.from({ length: 4099 }, (_, j) => (j === i ? -32_768 : (j * 31 + i) % 1000)) },
      ],
    }) as Update);
    const round = alignUpdates(updates, layout, { weighting: "uniform", maxSampleWeight: 1 });
    expect(distanceStrings(distancePartial(round, whole(round)))).to.deep.equal(referenceDistances(round).map(String));
  });

  it("computes score dot products exactly, also where products pass 2^53", function () {
    fc.assert(
      fc.property(roundArb, (round) => {
        const plan: AggregatePlan = { kind: "median", members: members(round) };
        const aggregate = referenceAggregate(round, plan);
        expect(scorePartial(round, plan.members, aggregate, whole(round))).to.deep.equal(referenceScoreDots(round, plan.members, aggregate));
      }),
      { seed: SEED, numRuns: 40 },
    );
  });

  it("rounds quotients half to even at the int32 and 2^52 bounds", function () {
    const cases: [number, number][] = [];
    for (const d of [1, 2, 3, 7, 32, 1000, 2 ** 20 + 1]) {
      for (const n of [0, 1, -1, d / 2, -d / 2, 3 * d / 2, -3 * d / 2, 2 ** 31 - 1 - d, -(2 ** 31) + 1 + d, 12_345_678]) cases.push([Math.trunc(n), d]);
    }
    for (const [n, d] of cases) {
      const expected = Number(rhe(BigInt(n), BigInt(d)));
      if (Math.abs(n) + d < 2 ** 31) expect(Object.is(roundedQuotientInt32(n, d), expected + 0), `${n}/${d}`).to.equal(true);
      expect(Object.is(rheSmall(n, d), expected + 0), `${n}/${d}`).to.equal(true);
    }
    for (const [n, d] of [[2 ** 52 - 3, 3], [-(2 ** 52) + 5, 5], [2 ** 52 - 2, 2], [2 ** 51 + 1, 2 ** 51 - 1]] as const) {
      expect(rheSmall(n, d)).to.equal(Number(rhe(BigInt(n), BigInt(d))));
    }
  });
});

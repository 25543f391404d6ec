import { expect } from "chai";
import { pino } from "pino";

import { createBackend } from "../../../oracle/compute/backends.ts";
import { combineDistances } from "../../../oracle/compute/combine.ts";
import { CpuBackend } from "../../../oracle/compute/cpu/backend.ts";
import { bandPairs, compileGram, GRAM_ACCUMULATED_ELEMENTS, GRAM_MAX_STRIDE, gramBandPairs, gramPages, MAX_GRAM_ROWS } from "../../../oracle/compute/cpu/gram-wasm.ts";
import { compileRankSum, compileWideningRankSum, MAX_RANK_SUM_ROWS, rankSumKernelSize, rankSumRowBytes, WASM_LIMITS, wideningKernelSize } from "../../../oracle/compute/cpu/rank-sum-wasm.ts";
import { batcherNetwork, groupedNetwork, pruneForRankSum, pruneRankedForRankSum, splitNarrow } from "../../../oracle/compute/cpu/sorting-network.ts";
import { distanceBound, FLOAT64_EXACT } from "../../../oracle/compute/pair-totals.ts";
import type { AggregatePlan, ComputeBackend, DistancePartial } from "../../../oracle/compute/types.ts";
import { WebgpuBackend } from "../../../oracle/compute/webgpu/backend.ts";
import { openWebgpu } from "../../../oracle/compute/webgpu/device.ts";
import { alignUpdates, type AlignedRound } from "../../../oracle/protocol/alignment.ts";
import { pairTotal, selectKrum } from "../../../oracle/protocol/krum.ts";
import type { Update } from "../../../oracle/protocol/update-file.ts";
import { referenceAggregate, referenceDistances, referenceDistancesFloat64, referenceKrum, referenceScoreDots } from "../../support/aggregation-reference.ts";

/** Contributor counts around every power of two the kernels care about (122/123 was the old cliff). */
const COUNTS = [1, 2, 3, 100, 122, 123, 127, 128, 129, 255, 256, 257, 1000, 10_000];
/**
 * Multi-krum distances are checked against the BigInt reference up to N = 257 (32,896 pairs);
 * beyond, against the float64 reference, which is exact because `before` asserts that
 * `distanceBound` is below 2^53 for those rounds (50M BigInts at N = 10,000 would not fit the time).
 */
const MAX_BIGINT_REFERENCE = 257;

type Exponents = "equal" | "mixed";

/** A deterministic round of `n` updates over two small tensors; mixed rounds vary dtype and exponent. */
function scaleRound(n: number, exps: Exponents): AlignedRound {
  const layout = [
    { name: "a", size: 5 },
    { name: "b", size: 19 },
  ];
  let x = 0x9e3779b9 ^ n;
  const next = (): number => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
  const updates = Array.from({ length: n }, (_, i): Update => {
    const tensors = layout.map((t, ti) => {
      const wide = exps === "mixed" && (i + ti) % 3 === 0;
      const q = wide ? new Int16Array(t.size) : new Int8Array(t.size);
      const max = wide ? 32_767 : 127;
      // A few small values give ties; the rest span the dtype, extremes included.
      for (let j = 0; j < t.size; j++) q[j] = j % 4 === 0 ? Math.floor(next() * 5) - 2 : Math.floor(next() * (2 * max + 2)) - max - 1;
      const exp = exps === "equal" ? -8 : -8 - ((i * 7 + ti) % 4);
      return { name: t.name, shape: [t.size], dtype: wide ? "I16" : "I8", exp, q };
    });
    return { round: "1", base: "0x00", samples: 1 + ((i * 7919) % 1000), tensors } as Update;
  });
  return alignUpdates(updates, layout, { weighting: "samples", maxSampleWeight: 500 });
}

/**
 * A round whose distances cannot be float64: I32 extremes in one tensor (`(2 M)^2 = 2^64`) and
 * exponents spread over the other, with duplicated updates so that scores tie.
 */
function wideRound(n: number): AlignedRound {
  const layout = [
    { name: "w", size: 3 },
    { name: "x", size: 6 },
  ];
  const updates = Array.from({ length: n }, (_, i): Update => {
    const v = i % 4 === 3 ? i - 1 : i;
    const w = Int32Array.from({ length: 3 }, (_, j) => ((v * 7 + j * 3) % 5 === 0 ? -(2 ** 31) : 2 ** 31 - 1 - ((v * 131 + j) % 977)));
    const xq = Int8Array.from({ length: 6 }, (_, j) => ((v * 37 + j * 11) % 256) - 128);
    return {
      round: "1",
      base: "0x00",
      samples: 1,
      tensors: [
        { name: "w", shape: [3], dtype: "I32", exp: -21, q: w },
        { name: "x", shape: [6], dtype: "I8", exp: -(v % 3) * 20, q: xq },
      ],
    } as Update;
  });
  return alignUpdates(updates, layout, { weighting: "uniform", maxSampleWeight: 1 });
}

function plansFor(round: AlignedRound): { rule: string; plan: AggregatePlan }[] {
  const n = round.updates.length;
  const members = round.updates.map((_, i) => i);
  return [
    { rule: "fedavg", plan: { kind: "weighted-mean", members, weights: round.updates.map((u) => u.weight) } },
    { rule: "fedavg (uniform)", plan: { kind: "weighted-mean", members, weights: members.map(() => 1) } },
    { rule: "median", plan: { kind: "median", members } },
    { rule: "trimmed-mean 10%", plan: { kind: "trimmed-mean", members, trim: Math.floor((n * 1000) / 10_000) } },
  ];
}

/** krumF for a round of n: about a quarter of the contributors may be Byzantine (n >= 2f + 3). */
function krumF(n: number): number {
  return Math.max(0, Math.floor((n - 3) / 4));
}

function expectSameValues(actual: Float64Array, expected: Float64Array, label: string): void {
  expect(actual.length, label).to.equal(expected.length);
  for (let j = 0; j < expected.length; j++) {
    if (!Object.is(actual[j], expected[j])) expect.fail(`${label}, element ${j}: ${actual[j]} !== ${expected[j]}`);
  }
}

/** Every pair total equal to the reference (BigInt, or float64 holding exact integers). */
function expectSameDistances(actual: DistancePartial, expected: readonly bigint[] | Float64Array, label: string): void {
  expect(actual.totals.length, label).to.equal(expected.length);
  if (expected instanceof Float64Array) {
    expect(actual.kind, label).to.equal("float64");
    const totals = actual.totals as Float64Array;
    for (let p = 0; p < expected.length; p++) if (totals[p] !== expected[p]) expect.fail(`${label}, pair ${p}: ${totals[p]} !== ${expected[p]}`);
    return;
  }
  for (let p = 0; p < expected.length; p++) {
    const v = pairTotal(actual, p);
    if (v !== expected[p]) expect.fail(`${label}, pair ${p}: ${v} !== ${expected[p]}`);
  }
}

const silent = pino({ level: "silent" });

/** A backend, or why there is none (webgpu without an adapter: no GPU and no Mesa EGL). */
type Maker = () => Promise<ComputeBackend | string>;

const BACKENDS: { label: string; make: Maker }[] = [
  { label: "cpu (1 thread)", make: () => createBackend("cpu", { threads: 1 }) },
  // minThreadedElements 0: these rounds are small, and would otherwise run on the calling thread.
  { label: "cpu (2 threads)", make: () => Promise.resolve(new CpuBackend({ threads: 2, minThreadedElements: 0 })) },
  { label: "tfjs", make: () => createBackend("tfjs") },
  {
    label: "webgpu",
    make: async () => {
      const opened = await openWebgpu({ allowSoftware: true, log: silent });
      return typeof opened === "string" ? opened : new WebgpuBackend(opened, silent);
    },
  },
];

type Expected = { round: AlignedRound; aggregates: Map<string, Float64Array>; distances?: readonly bigint[] | Float64Array; selected?: number[] };

describe("every rule at every contributor count on every backend, against the reference", function () {
  this.timeout(600_000);
  const rounds = new Map<string, Expected>();
  before(function () {
    for (const n of COUNTS) {
      for (const exps of ["equal", "mixed"] as const) {
        const round = scaleRound(n, exps);
        const aggregates = new Map(plansFor(round).map(({ rule, plan }) => [rule, referenceAggregate(round, plan)]));
        let distances: readonly bigint[] | Float64Array | undefined;
        if (n >= 2 && n <= MAX_BIGINT_REFERENCE) distances = referenceDistances(round);
        else if (n > MAX_BIGINT_REFERENCE) {
          // What makes the float64 reference exact (and every backend's float64 form legitimate).
          expect(distanceBound(round, { start: 0, end: round.size }) < FLOAT64_EXACT, `distance bound at N = ${n}`).to.equal(true);
          distances = referenceDistancesFloat64(round);
        }
        const selected = distances !== undefined && n >= 3 ? referenceKrum(distances, n, krumF(n)) : undefined;
        rounds.set(`${n}/${exps}`, { round, aggregates, distances, selected });
      }
    }
  });

  for (const backendCase of BACKENDS) {
    describe(backendCase.label, function () {
      let backend: ComputeBackend | undefined;
      before(async function () {
        const made = await backendCase.make();
        if (typeof made === "string") {
          console.log(`    ${backendCase.label} skipped: ${made}`);
          this.skip();
        }
        backend = made;
      });
      after(async function () {
        await backend?.dispose();
      });

      for (const n of COUNTS) {
        for (const exps of ["equal", "mixed"] as const) {
          it(`aggregates, scores, measures distances and selects multi-krum members exactly for ${n} contributors, ${exps} exponents`, async function () {
            const { round, aggregates, distances, selected } = rounds.get(`${n}/${exps}`) ?? expect.fail("round not built");
            const whole = { start: 0, end: round.size };
            const session = await (backend ?? expect.fail("no backend")).open(round);
            try {
              for (const { rule, plan } of plansFor(round)) {
                const aggregate = await session.aggregate(plan, whole);
                expectSameValues(aggregate, aggregates.get(rule) ?? expect.fail(rule), `${rule} at N = ${n}`);
                if (rule === "fedavg") expect(await session.scoreDots(plan.members, aggregate, whole)).to.deep.equal(referenceScoreDots(round, plan.members, aggregate));
              }
              if (distances !== undefined) {
                const actual = await session.distances(whole);
                expect(actual.kind, "the compact form under the bound").to.equal("float64");
                expectSameDistances(actual, distances, `distances at N = ${n}`);
                if (selected !== undefined) expect(selectKrum(actual, n, krumF(n)), `multi-krum at N = ${n}`).to.deep.equal(selected);
              }
            } finally {
              await session.close();
            }
          });
        }
      }

      for (const n of [3, 7, 21]) {
        it(`falls back to exact BigInt distances when the float64 bound fails (${n} contributors)`, async function () {
          const round = wideRound(n);
          const whole = { start: 0, end: round.size };
          expect(distanceBound(round, whole) >= FLOAT64_EXACT).to.equal(true);
          const expected = referenceDistances(round);
          // The totals really are beyond 2^53: the float64 form could not hold them.
          expect(expected.some((d) => d >= FLOAT64_EXACT)).to.equal(true);
          const session = await (backend ?? expect.fail("no backend")).open(round);
          try {
            const actual = await session.distances(whole);
            expect(actual.kind).to.equal("bigint");
            expectSameDistances(actual, expected, `wide distances at N = ${n}`);
            const f = krumF(n);
            expect(selectKrum(actual, n, f)).to.deep.equal(referenceKrum(expected, n, f));
            // Partials of disjoint ranges add up to the same totals.
            const split = [await session.distances({ start: 0, end: 2 }), await session.distances({ start: 2, end: round.size })];
            expectSameDistances(combineDistances(split, n), expected, `split wide distances at N = ${n}`);
          } finally {
            await session.close();
          }
        });
      }
    });
  }
});

describe("the rank-sum kernel generator's limits", function () {
  it("keeps the widest kernel it accepts within the WebAssembly limits, by its derived bound", function () {
    // Prepare
    const n = MAX_RANK_SUM_ROWS;
    const network = batcherNetwork(n);
    for (const [lo, hi] of [[(n - 1) >>> 1, (n >>> 1) + 1], [Math.floor(n / 10), n - Math.floor(n / 10)], [0, n]] as const) {
      const comparators = pruneForRankSum(network, n, lo, hi);
      const size = rankSumKernelSize(n, comparators.length, hi - lo);
      // Assert
      expect(size.maxBodyBytes).to.be.at.most(WASM_LIMITS.functionBytes);
      expect(size.locals).to.be.at.most(WASM_LIMITS.locals);
      for (const width of [1, 2] as const) {
        expect(size.pages(width)).to.be.at.most(WASM_LIMITS.pages);
        // Execute: compiling checks the emitted body against the same bound.
        expect(compileRankSum(width, n, comparators, lo, hi).rows.length).to.equal((n * rankSumRowBytes(width)) / width);
      }
    }
  });

  it("keeps the widest widening kernel (int8 rows of mixed shifts) within the WebAssembly limits, by its derived bound", function () {
    const n = MAX_RANK_SUM_ROWS;
    for (const kinds of [2, 3, 16]) {
      const shifts = Array.from({ length: n }, (_, i) => i % kinds).sort((a, b) => a - b);
      const groups: number[][] = [];
      shifts.forEach((d, i) => (i > 0 && d === shifts[i - 1] ? (groups.at(-1) as number[]).push(i) : groups.push([i])));
      const network = groupedNetwork(groups);
      for (const [lo, hi] of [[(n - 1) >>> 1, (n >>> 1) + 1], [Math.floor(n / 10), n - Math.floor(n / 10)], [0, n]] as const) {
        const { narrow, wide } = splitNarrow(pruneRankedForRankSum(network, n, lo, hi), shifts);
        const size = wideningKernelSize(n, narrow.length, wide.length, hi - lo);
        expect(size.maxBodyBytes).to.be.at.most(WASM_LIMITS.functionBytes);
        expect(size.locals).to.be.at.most(WASM_LIMITS.locals);
        expect(size.pages).to.be.at.most(WASM_LIMITS.pages);
        // Compiling checks the emitted body against the same bound.
        expect(compileWideningRankSum(n, shifts.map((d) => Math.min(d, 15)), narrow, wide, network.rankRow.slice(lo, hi)).rows.length).to.equal(n * rankSumRowBytes(1));
      }
    }
    expect(() => compileWideningRankSum(2, [0, 16], [], [0, 1], [0])).to.throw(/outside the generator's range/);
  });

  it("refuses a kernel wider than its derived row limit", function () {
    expect(() => compileRankSum(1, MAX_RANK_SUM_ROWS + 1, [], 0, 1)).to.throw(/outside the generator's range/);
  });
});

describe("the Gram kernel generator's limits", function () {
  it("keeps the largest kernel it accepts within the WebAssembly memory limit, and one row more beyond it", function () {
    expect(MAX_GRAM_ROWS - 1).to.be.at.least(2 ** 18);
    expect(gramPages(MAX_GRAM_ROWS, GRAM_MAX_STRIDE)).to.be.at.most(WASM_LIMITS.pages);
    expect(gramPages(MAX_GRAM_ROWS + 1, GRAM_MAX_STRIDE)).to.be.greaterThan(WASM_LIMITS.pages);
    // The int32 lanes: each adds stride / 4 products of at most 2^14.
    expect((GRAM_MAX_STRIDE / 4) * 2 ** 14).to.be.below(2 ** 31);
  });

  it("refuses kernels outside its derived row and stride limits", function () {
    expect(() => compileGram(MAX_GRAM_ROWS + 1, 8)).to.throw(/outside the generator's range/);
    expect(() => compileGram(4, GRAM_MAX_STRIDE + 8)).to.throw(/outside the generator's range/);
    expect(() => compileGram(4, 12)).to.throw(/outside the generator's range/);
  });

  it("computes every band's off-diagonal dot products exactly, the widest stride at the extremes included", function () {
    // Prepare
    const n = 37;
    const stride = 16;
    const kernel = compileGram(n, stride);
    let x = 12_345;
    const rows = Array.from({ length: n }, () =>
      Int8Array.from({ length: 13 }, () => {
        x = (x * 1_103_515_245 + 12_345) >>> 0;
        return (x >>> 16) % 256 - 128;
      }),
    );
    rows.forEach((r, i) => {
      kernel.rows.set(r, i * kernel.pitch);
      kernel.rows.fill(0, i * kernel.pitch + r.length, i * kernel.pitch + stride);
    });
    for (const [i0, i1] of [[0, 5], [5, 36], [35, 36], [36, 37]] as const) {
      // Execute
      kernel.lanes.fill(0);
      kernel.run(13, i0, i1);
      // Assert
      let l = 0;
      for (let i = i0; i < i1; i++) {
        for (let k = i + 1; k < n; k++, l += 4) {
          let dot = 0;
          for (let j = 0; j < 13; j++) dot += (rows[i]?.[j] ?? 0) * (rows[k]?.[j] ?? 0);
          const lanes = kernel.lanes;
          expect((lanes[l] ?? 0) + (lanes[l + 1] ?? 0) + (lanes[l + 2] ?? 0) + (lanes[l + 3] ?? 0), `pair ${i}, ${k}`).to.equal(dot);
        }
      }
      expect(l / 4).to.equal(bandPairs(n, i0, i1));
    }
    const widest = compileGram(2, GRAM_MAX_STRIDE);
    widest.rows.fill(-128);
    // Runs add to the lanes: as many as GRAM_ACCUMULATED_ELEMENTS allows, at the extremes, stay exact.
    const runs = GRAM_ACCUMULATED_ELEMENTS / GRAM_MAX_STRIDE;
    for (let r = 0; r < runs; r++) widest.run(GRAM_MAX_STRIDE, 0, 1);
    const lanes = Array.from(widest.lanes.subarray(0, 4));
    expect(lanes.every((v) => v > 0 && v < 2 ** 31)).to.equal(true);
    expect(lanes.reduce((s, v) => s + v, 0)).to.equal(GRAM_ACCUMULATED_ELEMENTS * 2 ** 14);
    // Width 2 (int16 rows, int64 lanes) at its extremes, 32,767 against -32,767, over as many runs.
    const wide = compileGram(3, GRAM_MAX_STRIDE, 2);
    const column = Int16Array.from({ length: GRAM_MAX_STRIDE }, (_, j) => (j % 3 === 0 ? -32_767 : 32_767));
    wide.stageRow(0, column, 0, GRAM_MAX_STRIDE);
    wide.stageRow(1, Int16Array.from(column, (v) => -v), 0, GRAM_MAX_STRIDE);
    wide.stageRow(2, Int8Array.from({ length: GRAM_MAX_STRIDE }, (_, j) => (j % 2 === 0 ? -128 : 127)), 0, GRAM_MAX_STRIDE);
    for (let r = 0; r < runs; r++) wide.run(GRAM_MAX_STRIDE, 0, 2);
    const rowsOf = [column, Int16Array.from(column, (v) => -v), Int8Array.from({ length: GRAM_MAX_STRIDE }, (_, j) => (j % 2 === 0 ? -128 : 127))];
    [[0, 1], [0, 2], [1, 2]].forEach(([i, k], p) => {
      let dot = 0n;
      for (let j = 0; j < GRAM_MAX_STRIDE; j++) dot += BigInt(rowsOf[i as number]?.[j] ?? 0) * BigInt(rowsOf[k as number]?.[j] ?? 0);
      expect((wide.lanes64[2 * p] as bigint) + (wide.lanes64[2 * p + 1] as bigint), `pair ${i}, ${k}`).to.equal(dot * BigInt(runs));
    });
    expect(() => compileGram(2, GRAM_MAX_STRIDE).stageRow(0, column, 0, 8)).to.throw(/width-2/);
    expect(gramBandPairs(n)).to.be.at.least(bandPairs(n, 0, 1));
  });
});

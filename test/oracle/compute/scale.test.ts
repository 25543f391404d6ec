import { expect } from "chai";

import { createBackend } from "../../../oracle/compute/backends.ts";
import { compileRankSum, MAX_RANK_SUM_ROWS, rankSumKernelSize, WASM_LIMITS } from "../../../oracle/compute/cpu/rank-sum-wasm.ts";
import { batcherNetwork, pruneForRankSum } from "../../../oracle/compute/cpu/sorting-network.ts";
import type { AggregatePlan, ComputeBackend } from "../../../oracle/compute/types.ts";
import { alignUpdates, type AlignedRound } from "../../../oracle/protocol/alignment.ts";
import type { Update } from "../../../oracle/protocol/update-file.ts";
import { referenceAggregate, referenceDistances, referenceScoreDots } from "../../support/aggregation-reference.ts";

/** Contributor counts around every power of two the kernels care about (122/123 was the old cliff). */
const COUNTS = [1, 2, 3, 100, 122, 123, 127, 128, 129, 255, 256, 257, 1000, 10_000];
/**
 * Multi-krum distances are `N (N - 1) / 2` pair totals held as decimal strings, so the distance
 * check stops at 1000 contributors (500k pairs); 10,000 would be 50M strings.
 */
const MAX_DISTANCE_COUNT = 1000;

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

function expectSameValues(actual: Float64Array, expected: Float64Array, label: string): void {
  expect(actual.length, label).to.equal(expected.length);
  for (let j = 0; j < expected.length; j++) {
    if (!Object.is(actual[j], expected[j])) expect.fail(`${label}, element ${j}: ${actual[j]} !== ${expected[j]}`);
  }
}

/**
 * `maxDistanceCount`: the largest N whose distances are checked. tfjs (pure JS here, no GPU) takes
 * about a minute for the 32k pairs of N = 256 on this machine, so its distance check stops there.
 */
// NOTE: tfjs stops at 257 contributors: at 1000 it failed once under a load average of 15-26 (most
// likely the 600 s timeout; not diagnosed), see the issue 17 report.
const BACKENDS: { label: string; maxCount: number; maxDistanceCount: number; make: () => Promise<ComputeBackend> }[] = [
  { label: "cpu (1 thread)", maxCount: Infinity, maxDistanceCount: MAX_DISTANCE_COUNT, make: () => createBackend("cpu", { threads: 1 }) },
  { label: "cpu (2 threads)", maxCount: Infinity, maxDistanceCount: MAX_DISTANCE_COUNT, make: () => createBackend("cpu", { threads: 2 }) },
  { label: "tfjs", maxCount: 257, maxDistanceCount: 257, make: () => createBackend("tfjs") },
];

describe("every rule at every contributor count, against the BigInt reference", function () {
  this.timeout(600_000);
  const rounds = new Map<string, { round: AlignedRound; expected: Map<string, Float64Array>; distances?: string[] }>();
  before(function () {
    for (const n of COUNTS) {
      for (const exps of ["equal", "mixed"] as const) {
        const round = scaleRound(n, exps);
        const expected = new Map(plansFor(round).map(({ rule, plan }) => [rule, referenceAggregate(round, plan)]));
        rounds.set(`${n}/${exps}`, { round, expected, distances: n <= MAX_DISTANCE_COUNT && n >= 2 ? referenceDistances(round) : undefined });
      }
    }
  });

  for (const backendCase of BACKENDS) {
    describe(backendCase.label, function () {
      let backend: ComputeBackend;
      before(async function () {
        backend = await backendCase.make();
      });
      after(async function () {
        await backend.dispose();
      });

      for (const n of COUNTS.filter((c) => c <= backendCase.maxCount)) {
        for (const exps of ["equal", "mixed"] as const) {
          it(`aggregates, scores and measures distances exactly for ${n} contributors, ${exps} exponents`, async function () {
            const { round, expected, distances } = rounds.get(`${n}/${exps}`) ?? expect.fail("round not built");
            const whole = { start: 0, end: round.size };
            const session = await backend.open(round);
            try {
              for (const { rule, plan } of plansFor(round)) {
                const aggregate = await session.aggregate(plan, whole);
                expectSameValues(aggregate, expected.get(rule) ?? expect.fail(rule), `${rule} at N = ${n}`);
                if (rule === "fedavg") expect(await session.scoreDots(plan.members, aggregate, whole)).to.deep.equal(referenceScoreDots(round, plan.members, aggregate));
              }
              if (distances !== undefined && n <= backendCase.maxDistanceCount) expect(await session.distances(whole)).to.deep.equal(distances);
            } finally {
              await session.close();
            }
          });
        }
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
        expect(compileRankSum(width, n, comparators, lo, hi).rows.length).to.equal(n * 4096);
      }
    }
  });

  it("refuses a kernel wider than its derived row limit", function () {
    expect(() => compileRankSum(1, MAX_RANK_SUM_ROWS + 1, [], 0, 1)).to.throw(/outside the generator's range/);
  });
});

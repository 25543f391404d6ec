import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import fc from "fast-check";

import { combineDistances } from "../../../oracle/compute/combine.ts";
import type { DistancePartial } from "../../../oracle/compute/types.ts";
import { InvariantError } from "../../../oracle/errors.ts";
import { getPartial, putPartial } from "../../../oracle/operator/round-manifest.ts";
import { pairCount, pairTotal, selectKrum, selectSmallest } from "../../../oracle/protocol/krum.ts";
import { LocalDirectoryStore } from "../../../oracle/storage/local-directory-store.ts";
import { referenceKrum } from "../../support/aggregation-reference.ts";

const SEED = 20_260_117;

/** Pair totals of n contributors drawn from few values (ties) or up to 2^53 - 1 (limb sums). */
const totalsArb = fc.integer({ min: 3, max: 40 }).chain((n) =>
  fc.record({
    n: fc.constant(n),
    f: fc.integer({ min: 0, max: Math.floor((n - 3) / 2) }),
    values: fc.array(fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.constant(Number.MAX_SAFE_INTEGER)), { minLength: pairCount(n), maxLength: pairCount(n) }),
  }),
);

describe("multi-krum selection on the compact distance forms", function () {
  it("selects the same members from float64 and BigInt totals as the full-sort reference, ties and 2^53 - 1 included", function () {
    fc.assert(
      fc.property(totalsArb, ({ n, f, values }) => {
        const float = Float64Array.from(values);
        const wide = values.map(BigInt);
        const expected = referenceKrum(wide, n, f);
        expect(selectKrum({ kind: "float64", totals: float }, n, f)).to.deep.equal(expected);
        expect(selectKrum({ kind: "bigint", totals: wide }, n, f)).to.deep.equal(expected);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it("breaks equal scores by the lower index", function () {
    // All distances equal: every score ties, so the n - f lowest indices win.
    const n = 9;
    expect(selectKrum({ kind: "float64", totals: new Float64Array(pairCount(n)).fill(5) }, n, 2)).to.deep.equal([0, 1, 2, 3, 4, 5, 6]);
  });

  it("puts the count smallest values first, for any count, adversarial orders included", function () {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 1, maxLength: 300 }), fc.nat(), fc.boolean(), (values, c, sorted) => {
        const row = Float64Array.from(sorted ? [...values].sort((a, b) => b - a) : values);
        const count = 1 + (c % row.length);
        selectSmallest(row, count);
        const expected = Float64Array.from(values).sort().subarray(0, count);
        expect(Array.from(row.subarray(0, count)).sort((a, b) => a - b)).to.deep.equal(Array.from(expected));
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it("refuses float64 totals that are not exact integers below 2^53, and rounds that are too small", function () {
    expect(() => selectKrum({ kind: "float64", totals: Float64Array.from([1, 2, 2 ** 53]) }, 3, 0)).to.throw(InvariantError);
    expect(() => selectKrum({ kind: "float64", totals: Float64Array.from([1, 2.5, 3]) }, 3, 0)).to.throw(InvariantError);
    expect(() => selectKrum({ kind: "float64", totals: Float64Array.from([1, 2, 3]) }, 3, 1)).to.throw(/n >= 2f \+ 3/);
    expect(() => selectKrum({ kind: "float64", totals: Float64Array.from([1, 2]) }, 3, 0)).to.throw(/2 distances for 3/);
  });
});

describe("combining distance partials", function () {
  it("stays float64 while the parts' maxima sum below 2^53 and turns BigInt, still exact, beyond", function () {
    const n = 3;
    const small: DistancePartial = { kind: "float64", totals: Float64Array.from([1, 2 ** 52, 7]) };
    const sum = combineDistances([small, small], n);
    expect(sum.kind).to.equal("bigint");
    expect([0, 1, 2].map((p) => pairTotal(sum, p))).to.deep.equal([2n, 2n ** 53n, 14n]);
    const fits = combineDistances([small, { kind: "float64", totals: Float64Array.from([3, 2 ** 52 - 1, 0]) }], n);
    expect(fits.kind).to.equal("float64");
    expect(Array.from(fits.totals as Float64Array)).to.deep.equal([4, 2 ** 53 - 1, 7]);
    const mixed = combineDistances([small, { kind: "bigint", totals: [1n, 2n ** 80n, 0n] }], n);
    expect([0, 1, 2].map((p) => pairTotal(mixed, p))).to.deep.equal([2n, 2n ** 80n + 2n ** 52n, 7n]);
  });

  it("refuses a part of the wrong length", function () {
    expect(() => combineDistances([{ kind: "float64", totals: new Float64Array(2) }], 3)).to.throw(InvariantError);
  });
});

describe("stored distance partials", function () {
  let dir: string;
  beforeEach(async function () {
    dir = await mkdtemp(join(tmpdir(), "cw-partials-"));
  });
  afterEach(async function () {
    await rm(dir, { recursive: true, force: true });
  });

  it("round-trips both forms, float64 as raw bytes, and still reads the older all-string form", async function () {
    const store = new LocalDirectoryStore(dir);
    const float: DistancePartial = { kind: "float64", totals: Float64Array.from([0, 1, 2 ** 53 - 1]) };
    const wide: DistancePartial = { kind: "bigint", totals: [0n, 2n ** 90n, 5n] };
    for (const distances of [float, wide]) {
      const hash = await putPartial(store, { pass: "distances", distances });
      expect(await getPartial(store, hash)).to.deep.equal({ pass: "distances", distances });
    }
    const floatHash = await putPartial(store, { pass: "distances", distances: float });
    // 16 bytes of prefix, then 8 bytes a pair.
    expect((await store.get(floatHash))?.byteLength).to.equal(16 + 3 * 8);
    const old = await store.put(new TextEncoder().encode(JSON.stringify({ pass: "distances", distances: ["3", "4", "5"] })));
    expect(await getPartial(store, old.hash)).to.deep.equal({ pass: "distances", distances: { kind: "bigint", totals: [3n, 4n, 5n] } });
  });
});

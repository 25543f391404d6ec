import { expect } from "chai";
import fc from "fast-check";

import { BLOCK, slicesOf } from "../../../oracle/compute/blocks.ts";
import { orderStatisticSlice } from "../../../oracle/compute/cpu/order-statistic.ts";
import { compileSaturatingRankSum, compileWideningRankSum, MAX_RANK_SUM_ROWS } from "../../../oracle/compute/cpu/rank-sum-wasm.ts";
import { batcherNetwork, groupedNetwork, mergeSortedRows, pruneForRankSum, pruneForSummedRows, pruneRankedForRankSum, splitNarrow, trimmedNetwork } from "../../../oracle/compute/cpu/sorting-network.ts";
import type { AggregatePlan } from "../../../oracle/compute/types.ts";
import { alignUpdates } from "../../../oracle/protocol/alignment.ts";
import type { Update } from "../../../oracle/protocol/update-file.ts";
import { referenceAggregate } from "../../support/aggregation-reference.ts";

const SEED = 20_261_201;

/** Runs comparators `[a0, b0, ...]` (smaller value to `a`) on a copy of `values`. */
function apply(comparators: readonly number[], values: readonly number[]): number[] {
  const v = [...values];
  for (let c = 0; c < comparators.length; c += 2) {
    const a = comparators[c] as number;
    const b = comparators[c + 1] as number;
    if ((v[a] as number) > (v[b] as number)) [v[a], v[b]] = [v[b] as number, v[a] as number];
  }
  return v;
}

/** Consecutive groups of the given sizes over rows 0.. . */
function groupsOf(sizes: readonly number[]): number[][] {
  let next = 0;
  return sizes.map((size) => Array.from({ length: size }, () => next++));
}

const sizesArb = (maxRows: number) => fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 8 }).filter((s) => s.reduce((a, b) => a + b, 0) <= maxRows);

describe("grouped sorting networks", function () {
  this.timeout(120_000);

  it("sort every 0-1 input, for every split of up to 10 rows into groups (so every input, by the 0-1 principle)", function () {
    for (let n = 1; n <= 10; n++) {
      // Every composition of n: bit k of `cuts` set means a group ends after row k.
      for (let cuts = 0; cuts < 2 ** (n - 1); cuts++) {
        const sizes: number[] = [];
        let size = 0;
        for (let k = 0; k < n; k++) {
          size++;
          if (k === n - 1 || (cuts >> k) & 1) {
            sizes.push(size);
            size = 0;
          }
        }
        const network = groupedNetwork(groupsOf(sizes));
        expect([...network.rankRow].sort((a, b) => a - b)).to.deep.equal(Array.from({ length: n }, (_, i) => i));
        for (let bits = 0; bits < 2 ** n; bits++) {
          const input = Array.from({ length: n }, (_, i) => (bits >> i) & 1);
          const out = apply(network.comparators, input);
          const ranked = network.rankRow.map((row) => out[row] as number);
          const expected = [...input].sort((a, b) => a - b);
          if (ranked.join() !== expected.join()) expect.fail(`groups ${sizes.join("+")}, input ${input.join("")}: ${ranked.join("")}`);
        }
      }
    }
  });

  it("merge two sorted lists of any lengths, comparing only real rows", function () {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -5, max: 5 }), { maxLength: 70 }), fc.array(fc.integer({ min: -5, max: 5 }), { maxLength: 70 }), (a, b) => {
        const values = [...[...a].sort((x, y) => x - y), ...[...b].sort((x, y) => x - y)];
        const comparators: number[] = [];
        const rows = mergeSortedRows(a.map((_, i) => i), b.map((_, i) => a.length + i), comparators);
        expect(comparators.every((r) => r >= 0 && r < values.length)).to.equal(true);
        const out = apply(comparators, values);
        expect(rows.map((r) => out[r])).to.deep.equal([...values].sort((x, y) => x - y));
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it("keep every rank sum when pruned and split into narrow comparators first, then wide ones", function () {
    fc.assert(
      fc.property(sizesArb(MAX_RANK_SUM_ROWS), fc.integer(), fc.nat(), (sizes, seed, pick) => {
        const n = sizes.reduce((a, b) => a + b, 0);
        const network = groupedNetwork(groupsOf(sizes));
        const group = sizes.flatMap((size, g) => Array.from({ length: size }, () => g));
        let x = seed | 1;
        const input = Array.from({ length: n }, () => {
          x ^= x << 13;
          x ^= x >>> 17;
          x ^= x << 5;
          return (x >>> 0) % 7;
        });
        const lo = pick % n;
        const hi = lo + 1 + ((pick >>> 8) % (n - lo));
        const { narrow, wide } = splitNarrow(pruneRankedForRankSum(network, n, lo, hi), group);
        // A narrow comparator never sees a row another group's value reached.
        const out = apply([...narrow, ...wide], input);
        const sum = network.rankRow.slice(lo, hi).reduce((s, r) => s + (out[r] as number), 0);
        const sorted = [...input].sort((a, b) => a - b);
        expect(sum).to.equal(sorted.slice(lo, hi).reduce((s, v) => s + v, 0));
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
});

describe("the trimmed-mean network over groups", function () {
  it("sums ranks [t, n - t) by merging only the groups' heads and tails, pruned and split, for any groups of at least 2t rows", function () {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 30 }), { minLength: 1, maxLength: 6 }), fc.integer({ min: 0, max: 8 }), fc.integer(), (extra, t, seed) => {
        const sizes = extra.map((e) => 2 * t + e).filter((size) => size > 0);
        fc.pre(sizes.length > 0);
        const n = sizes.reduce((a, b) => a + b, 0);
        fc.pre(n - 2 * t >= 1);
        const groups = groupsOf(sizes);
        const group = sizes.flatMap((size, g) => Array.from({ length: size }, () => g));
        const network = trimmedNetwork(groups, t);
        if (network === undefined) return expect.fail("every group has 2t rows");
        let x = seed | 1;
        const input = Array.from({ length: n }, () => {
          x ^= x << 13;
          x ^= x >>> 17;
          x ^= x << 5;
          return ((x >>> 0) % 9) - 4;
        });
        const { narrow, wide } = splitNarrow(pruneForSummedRows(network.comparators, n, network.summed), group);
        const out = apply([...narrow, ...wide], input);
        const sum = network.summed.reduce((s, r) => s + (out[r] as number), 0);
        const sorted = [...input].sort((a, b) => a - b);
        expect(sum).to.equal(sorted.slice(t, n - t).reduce((s, v) => s + v, 0));
        expect(new Set(network.summed).size).to.equal(n - 2 * t);
      }),
      { seed: SEED, numRuns: 400 },
    );
    expect(trimmedNetwork(groupsOf([5, 3]), 2)).to.equal(undefined);
  });
});

describe("the widening rank-sum kernel", function () {
  this.timeout(300_000);

  it("sums the ranks of shifted int8 rows exactly, zero rows at the largest shift included", function () {
    fc.assert(
      fc.property(
        fc.array(fc.record({ size: fc.integer({ min: 1, max: 40 }), shift: fc.integer({ min: 0, max: 8 }) }), { minLength: 1, maxLength: 7 }),
        fc.constantFrom("full", "extremes", "ties"),
        fc.integer(),
        fc.nat(),
        fc.boolean(),
        (groups, fill, seed, pick, zeroRow) => {
          // Groups by ascending shift (as order-statistic.ts orders them), equal shifts merged.
          const sorted = [...groups].sort((a, b) => a.shift - b.shift);
          const shifts = sorted.flatMap((g) => Array.from({ length: g.size }, () => g.shift));
          if (zeroRow) shifts.push(15);
          const n = Math.min(shifts.length, MAX_RANK_SUM_ROWS);
          shifts.length = n;
          const bounds: number[][] = [];
          shifts.forEach((d, i) => (i > 0 && d === shifts[i - 1] ? (bounds.at(-1) as number[]).push(i) : bounds.push([i])));
          const network = groupedNetwork(bounds);
          // Every fourth case sums all ranks (the mean: no comparators, every row summed before widening).
          const all = pick % 4 === 0;
          const lo = all ? 0 : pick % n;
          const hi = all ? n : lo + 1 + ((pick >>> 8) % (n - lo));
          const { narrow, wide } = splitNarrow(pruneRankedForRankSum(network, n, lo, hi), shifts);
          if (all) expect(narrow.length + wide.length).to.equal(0);
          const kernel = compileWideningRankSum(n, shifts, narrow, wide, network.rankRow.slice(lo, hi));
          const len = BLOCK - 5;
          let x = seed | 1;
          const value = (d: number): number => {
            x ^= x << 13;
            x ^= x >>> 17;
            x ^= x << 5;
            const r = (x >>> 0) / 2 ** 32;
            // |q * 2^d| within int16, as the caller proves: -128 up to shift 7, |q| <= 127 at 8, only zeros at 15.
            if (d === 15) return 0;
            const min = d <= 7 ? -128 : -127;
            return fill === "extremes" ? (r < 0.5 ? min : 127) : fill === "ties" ? Math.floor(r * 3) - 1 : Math.floor(r * (128 - min)) + min;
          };
          const rows = Array.from({ length: n }, (_, i) => Int8Array.from({ length: len }, () => value(shifts[i] as number)));
          rows.forEach((row, i) => kernel.stageRow(i, row, 0, len, 0));
          kernel.run(len);
          for (let j = 0; j < len; j++) {
            const column = rows.map((row, i) => (row[j] as number) * 2 ** (shifts[i] as number)).sort((a, b) => a - b);
            const expected = column.slice(lo, hi).reduce((s, v) => s + v, 0);
            if (kernel.sums[j] !== expected) expect.fail(`n ${n}, shifts ${shifts.join(",")}, ranks [${lo}, ${hi}), element ${j}: ${kernel.sums[j]} !== ${expected}`);
          }
        },
      ),
      { seed: SEED, numRuns: 60 },
    );
  });

  it("gives the reference median and trimmed mean for int8 updates of mixed exponents, at every member count it serves", function () {
    for (const n of [2, 3, 5, 17, 32, 100, 129, 256]) {
      const size = BLOCK + 3;
      const layout = [{ name: "w", size }];
      let x = 0x1234_5678 ^ n;
      const updates = Array.from({ length: n }, (_, i): Update => {
        const q = Int8Array.from({ length: size }, (_, j) => {
          x ^= x << 13;
          x ^= x >>> 17;
          x ^= x << 5;
          return j % 5 === 0 ? ((x >>> 0) % 3) - 1 : ((x >>> 0) % 255) - 127;
        });
        // Exponents -8 to -12 in runs, so groups of several sizes, and one member all zeros at a far
        // exponent; from 100 members three long groups, so the trimmed mean takes the heads-and-tails network.
        const zero = i === n - 1 && n > 2 && n < 100;
        const exp = n >= 100 ? -8 - (i % 3) : -8 - (Math.floor(i / 3) % 5);
        return { round: "1", base: "0x00", samples: 1, tensors: [{ name: "w", shape: [size], dtype: "I8", exp: zero ? 20 : exp, q: zero ? new Int8Array(size) : q }] } as Update;
      });
      const round = alignUpdates(updates, layout, { weighting: "uniform", maxSampleWeight: 1 });
      const members = round.updates.map((_, i) => i);
      const plans: Exclude<AggregatePlan, { kind: "weighted-mean" }>[] = [
        { kind: "median", members },
        { kind: "trimmed-mean", members, trim: Math.floor(n / 10) },
        { kind: "trimmed-mean", members, trim: (n - 1) >>> 1 },
      ];
      for (const plan of plans) {
        // Every slice takes the widening kernel where it is cheaper, however small (the default skips compiling it for small tensors).
        const actual = new Float64Array(round.size);
        for (const slice of slicesOf(round, { start: 0, end: round.size })) expect(orderStatisticSlice(round, plan, slice, actual, slice.tensor.offset + slice.from, 0)).to.equal(true);
        const expected = referenceAggregate(round, plan);
        for (let j = 0; j < expected.length; j++) {
          if (!Object.is(actual[j], expected[j])) expect.fail(`n ${n}, ${plan.kind}: element ${j}: ${actual[j]} !== ${expected[j]}`);
        }
      }
    }
  });
});

describe("the saturating rank-sum kernel (medians of int8 rows of mixed shifts, on int8 lanes)", function () {
  this.timeout(120_000);

  it("returns false whenever a kept value saturated, and exact sums whenever it returns true", function () {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: MAX_RANK_SUM_ROWS }),
        fc.integer({ min: 0, max: 2 ** 30 }),
        fc.constantFrom("uniform", "small", "extremes", "near"),
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        (n, pick, fill, seed) => {
          let x = seed | 1;
          const next = (): number => {
            x ^= x << 13;
            x ^= x >>> 17;
            x ^= x << 5;
            return (x >>> 0) / 2 ** 32;
          };
          // Shifts 0-9 (past 7 every nonzero value saturates); "small" keeps every |q * 2^d| at most 126.
          const shifts = Array.from({ length: n }, () => (fill === "small" ? Math.floor(next() * 3) : Math.floor(next() * 10)));
          // The median's one or two ranks, or (every eighth case) a wider range within the int16 sums.
          const wide = pick % 8 === 0;
          const lo = wide ? pick % n : (n - 1) >>> 1;
          const hi = wide ? Math.min(n, lo + 1 + ((pick >>> 8) % 255)) : (n >>> 1) + 1;
          const kernel = compileSaturatingRankSum(n, shifts, pruneForRankSum(batcherNetwork(n), n, lo, hi), lo, hi);
          const len = BLOCK - 16 * (pick % 3);
          const value = (d: number): number => {
            const r = next();
            if (fill === "small") return Math.floor(r * 63) - 31;
            if (fill === "extremes") return r < 0.5 ? -128 : 127;
            // "near": values whose shifted form lies around the int8 extremes.
            if (fill === "near") return Math.round(((r < 0.5 ? -1 : 1) * (120 + Math.floor(next() * 16))) / 2 ** Math.min(d, 7));
            return Math.floor(r * 256) - 128;
          };
          const rows = Array.from({ length: n }, (_, i) => Int8Array.from({ length: len }, () => value(shifts[i] as number)));
          rows.forEach((row, i) => kernel.stageRow(i, row, 0, len, 0));
          const exact = kernel.run(len);
          let saturated = false;
          for (let j = 0; j < len; j++) {
            const column = rows.map((row, i) => (row[j] as number) * 2 ** (shifts[i] as number)).sort((a, b) => a - b);
            const kept = column.slice(lo, hi);
            saturated ||= kept.some((v) => v >= 127 || v <= -128);
            const expected = kept.reduce((s, v) => s + v, 0);
            if (exact && kernel.sums[j] !== expected) expect.fail(`n ${n}, shifts ${shifts.join(",")}, ranks [${lo}, ${hi}), element ${j}: ${kernel.sums[j]} !== ${expected}`);
          }
          if (saturated) expect(exact, "a kept value saturated, yet run said the sums were exact").to.equal(false);
          if (fill === "small") expect(exact, "no value can saturate, yet run said the sums were not exact").to.equal(true);
        },
      ),
      { seed: SEED, numRuns: 80 },
    );
  });

  it("gives the reference median when some blocks' medians saturate int8 (those blocks, and the rest of the slice, take the exact kernel)", function () {
    for (const n of [2, 3, 33, 100, 256]) {
      const size = 4 * BLOCK + 9;
      const layout = [{ name: "w", size }];
      let x = 0x0bad_cafe ^ n;
      const updates = Array.from({ length: n }, (_, i): Update => {
        const exp = -8 - (i % 3);
        const q = Int8Array.from({ length: size }, (_, j) => {
          x ^= x << 13;
          x ^= x >>> 17;
          x ^= x << 5;
          // Block 2 holds coordinates whose median is far beyond int8 once aligned (exponent -8 is shift 2).
          if (Math.floor(j / BLOCK) === 2 && j % 7 === 0) return i % 3 === 0 ? 127 : 100;
          return ((x >>> 0) % 255) - 127;
        });
        return { round: "1", base: "0x00", samples: 1, tensors: [{ name: "w", shape: [size], dtype: "I8", exp, q }] } as Update;
      });
      const round = alignUpdates(updates, layout, { weighting: "uniform", maxSampleWeight: 1 });
      const plan = { kind: "median", members: round.updates.map((_, i) => i) } as const;
      const actual = new Float64Array(round.size);
      for (const slice of slicesOf(round, { start: 0, end: round.size })) expect(orderStatisticSlice(round, plan, slice, actual, slice.tensor.offset + slice.from, 0)).to.equal(true);
      const expected = referenceAggregate(round, plan);
      for (let j = 0; j < expected.length; j++) {
        if (!Object.is(actual[j], expected[j])) expect.fail(`n ${n}: element ${j}: ${actual[j]} !== ${expected[j]}`);
      }
    }
  });
});

describe("the grouped trimmed-mean kernel (int8 updates of one exponent)", function () {
  this.timeout(120_000);

  it("gives the reference trimmed mean for every member count and trim it takes, extremes and ties included", function () {
    for (const n of [4, 5, 21, 32, 100, 129, 256]) {
      for (const trim of [...new Set([1, Math.floor(n / 10), Math.floor(n / 4)])].filter((t) => t >= 1 && 4 * t <= n)) {
        const size = 2 * BLOCK + 5;
        const layout = [{ name: "w", size }];
        let x = 0x5eed_0001 ^ (n * 977 + trim);
        const updates = Array.from({ length: n }, (): Update => {
          const q = Int8Array.from({ length: size }, (_, j) => {
            x ^= x << 13;
            x ^= x >>> 17;
            x ^= x << 5;
            const r = x >>> 0;
            // Extremes in one stretch, ties in another, uniform values elsewhere.
            if (j < 300) return r % 2 === 0 ? -128 : 127;
            if (j < 600) return (r % 3) - 1;
            return (r % 256) - 128;
          });
          return { round: "1", base: "0x00", samples: 1, tensors: [{ name: "w", shape: [size], dtype: "I8", exp: -9, q }] } as Update;
        });
        const round = alignUpdates(updates, layout, { weighting: "uniform", maxSampleWeight: 1 });
        const plan = { kind: "trimmed-mean", members: round.updates.map((_, i) => i), trim } as const;
        const actual = new Float64Array(round.size);
        for (const slice of slicesOf(round, { start: 0, end: round.size })) expect(orderStatisticSlice(round, plan, slice, actual, slice.tensor.offset + slice.from, 0)).to.equal(true);
        const expected = referenceAggregate(round, plan);
        for (let j = 0; j < expected.length; j++) {
          if (!Object.is(actual[j], expected[j])) expect.fail(`n ${n}, trim ${trim}: element ${j}: ${actual[j]} !== ${expected[j]}`);
        }
      }
    }
  });
});

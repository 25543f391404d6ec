import { readFile } from "node:fs/promises";

import { expect } from "chai";
import fc from "fast-check";
import { pino } from "pino";

import { aggregateRound } from "../../../oracle/compute/aggregate-round.ts";
import { loadCase } from "../../../oracle/storage/case-loader.ts";
import { CpuBackend } from "../../../oracle/compute/cpu/backend.ts";
import type { AggregatePlan, RoundSession } from "../../../oracle/compute/types.ts";
import { WebgpuBackend } from "../../../oracle/compute/webgpu/backend.ts";
import { openWebgpu } from "../../../oracle/compute/webgpu/device.ts";
import { alignUpdates, type AlignedRound } from "../../../oracle/protocol/alignment.ts";
import { canonicalJson } from "../../../oracle/protocol/result.ts";
import { rhe } from "../../../oracle/protocol/rounding.ts";
import type { Update } from "../../../oracle/protocol/update-file.ts";
import { vectorCaseNames, VECTORS_DIR } from "./vectors-dir.ts";

const SEED = 20_251_201;
const silent = pino({ level: "silent" });

/** The webgpu backend on whatever adapter exists (llvmpipe in CI), or why there is none. */
async function webgpuOrReason(): Promise<WebgpuBackend | string> {
  const opened = await openWebgpu({ allowSoftware: true, log: silent });
  return typeof opened === "string" ? opened : new WebgpuBackend(opened, silent);
}

const DTYPES = { I8: Int8Array, I16: Int16Array, I32: Int32Array } as const;
type Dtype = keyof typeof DTYPES;

function filled(dtype: Dtype, size: number, extremes: boolean, seed: number): Int8Array | Int16Array | Int32Array {
  const q = new DTYPES[dtype](size);
  const max = { I8: 127, I16: 32_767, I32: 2 ** 31 - 1 }[dtype];
  let x = seed | 1;
  for (let j = 0; j < size; j++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const r = (x >>> 0) / 2 ** 32;
    q[j] = extremes ? (r < 0.5 ? -max - 1 : max) : Math.floor(r * (2 * max + 2)) - max - 1;
  }
  return q;
}

/**
 * Random aligned rounds: up to a few hundred updates, tensors straddling the 4-element words,
 * I8/I16/I32 or mixed, equal or mixed exponents (aligned values up to 2^52), uniform or huge weights.
 */
const roundArb = fc
  .record({
    n: fc.oneof(fc.integer({ min: 1, max: 12 }), fc.constantFrom(63, 130, 260)),
    sizes: fc.array(fc.constantFrom(1, 5, 34, 131), { minLength: 1, maxLength: 3 }),
    dtype: fc.constantFrom<Dtype | "mixed">("I8", "I16", "I32", "mixed"),
    exps: fc.constantFrom("same", "mixed", "extreme"),
    extremes: fc.boolean(),
    seed: fc.integer(),
    samples: fc.constantFrom("one", "small", "huge"),
  })
  .map(({ n, sizes, dtype, exps, extremes, seed, samples }): AlignedRound => {
    const layout = sizes.map((size, t) => ({ name: `t${t}`, size }));
    const updates = Array.from({ length: n }, (_, i): Update => {
      const tensors = layout.map((t, ti) => {
        const k = seed + 7919 * i + 104_729 * ti;
        const d: Dtype = dtype === "mixed" ? (["I8", "I16", "I32"] as const)[Math.abs(k) % 3] ?? "I8" : dtype;
        // Exponents span at most 21, so |Q| <= 2^31 * 2^21 = 2^52, the bound of valid updates.
        const exp = exps === "same" ? -8 : exps === "mixed" ? -8 - (Math.abs(k) % 3) : -19 - (Math.abs(k) % 22);
        return { name: t.name, shape: [t.size], dtype: d, exp, q: filled(d, t.size, extremes, k) };
      });
      const weight = samples === "one" ? 1 : samples === "small" ? 1 + (Math.abs(seed + i) % 1000) : 2 ** 32 - 1 - i;
      return { round: "1", base: "0x00", samples: weight, tensors } as Update;
    });
    return alignUpdates(updates, layout, { weighting: samples === "one" ? "uniform" : "samples", maxSampleWeight: 2 ** 32 });
  });

function alignedQ(round: AlignedRound, u: number, t: number, j: number): bigint {
  const update = round.updates[u];
  return BigInt(update?.q[t]?.[j] ?? 0) << BigInt(update?.shift[t] ?? 0);
}

/**
 * §3 per element in BigInt, straight from the definitions. (The cpu backend is the comparison for
 * distances and dots; its wasm rank-sum kernel does not compile for 130 members, see the report.)
 */
function referenceAggregate(round: AlignedRound, plan: AggregatePlan): Float64Array {
  const out = new Float64Array(round.size);
  round.tensors.forEach((tensor, t) => {
    for (let j = 0; j < tensor.size; j++) {
      const values = plan.members.map((u) => alignedQ(round, u, t, j));
      let a: bigint;
      if (plan.kind === "weighted-mean") {
        const s = values.reduce((acc, v, i) => acc + v * BigInt(plan.weights[i] ?? 0), 0n);
        a = rhe(s, BigInt(plan.weights.reduce((x, w) => x + w, 0)));
      } else {
        values.sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
        const n = values.length;
        const [lo, hi] = plan.kind === "median" ? [(n - 1) >>> 1, (n >>> 1) + 1] : [plan.trim, n - plan.trim];
        a = rhe(values.slice(lo, hi).reduce((x, v) => x + v, 0n), BigInt(hi - lo));
      }
      out[tensor.offset + j] = Number(a);
    }
  });
  return out;
}

function expectSameValues(actual: Float64Array, expected: Float64Array): void {
  expect(actual.length).to.equal(expected.length);
  for (let j = 0; j < expected.length; j++) {
    if (!Object.is(actual[j], expected[j])) expect.fail(`element ${j}: ${actual[j]} !== ${expected[j]}`);
  }
}

describe("webgpu backend", function () {
  this.timeout(600_000);
  let backend: WebgpuBackend | undefined;
  const cpu = new CpuBackend({ threads: 1 });

  before(async function () {
    const opened = await webgpuOrReason();
    if (typeof opened === "string") {
      // Only where no adapter exists at all (no GPU and no Mesa EGL: see .ci/run for the packages).
      console.log(`    webgpu tests skipped: ${opened}`);
      this.skip();
    }
    backend = opened;
  });
  after(async function () {
    await backend?.dispose();
    await cpu.dispose();
  });

  describe("conformance vectors (docs/protocol.md §6)", function () {
    for (const name of vectorCaseNames()) {
      for (const shards of [1, 3]) {
        it(`${name} with ${shards} shard(s) reproduces expected.json and the model bytes`, async function () {
          const dir = new URL(`${name}/`, VECTORS_DIR);
          const expected = JSON.parse(await readFile(new URL("expected.json", dir), "utf8")) as Record<string, unknown>;
          const expectedModel = await readFile(new URL("expected-model.safetensors", dir)).catch(() => null);

          const { result, model } = await aggregateRound(await loadCase(dir.pathname), { backend: backend as WebgpuBackend, shards });

          expect(canonicalJson(result)).to.equal(canonicalJson(expected));
          if (expectedModel === null) expect(model).to.equal(null);
          else expect(Buffer.from(model ?? new Uint8Array()).equals(expectedModel)).to.equal(true);
        });
      }
    }
  });

  describe("random rounds against the BigInt reference and the cpu backend", function () {
    async function both<T>(round: AlignedRound, run: (s: RoundSession) => Promise<T>): Promise<[T, T]> {
      const [g, c] = [await (backend as WebgpuBackend).open(round), await cpu.open(round)];
      try {
        return [await run(g), await run(c)];
      } finally {
        await Promise.all([g.close(), c.close()]);
      }
    }
    const whole = (round: AlignedRound) => ({ start: 0, end: round.size });
    const all = (round: AlignedRound) => round.updates.map((_, i) => i);

    it("computes weighted means bit-identically, mixed exponents and huge weights included", async function () {
      await fc.assert(
        fc.asyncProperty(roundArb, async (round) => {
          const plan: AggregatePlan = { kind: "weighted-mean", members: all(round), weights: round.updates.map((u) => u.weight) };
          const session = await (backend as WebgpuBackend).open(round);
          expectSameValues(await session.aggregate(plan, whole(round)), referenceAggregate(round, plan));
        }),
        { seed: SEED, numRuns: 10 },
      );
    });

    it("computes medians and trimmed means bit-identically for every trim count", async function () {
      await fc.assert(
        fc.asyncProperty(roundArb, fc.nat(), fc.boolean(), async (round, t, median) => {
          const n = round.updates.length;
          const plan: AggregatePlan = median ? { kind: "median", members: all(round) } : { kind: "trimmed-mean", members: all(round), trim: t % ((n + 1) >>> 1) };
          const session = await (backend as WebgpuBackend).open(round);
          expectSameValues(await session.aggregate(plan, whole(round)), referenceAggregate(round, plan));
        }),
        { seed: SEED, numRuns: 10 },
      );
    });

    it("computes multi-krum distances exactly over any coordinate range", async function () {
      await fc.assert(
        fc.asyncProperty(roundArb, fc.nat(), async (round, cut) => {
          const range = { start: cut % round.size, end: round.size };
          const [g, c] = await both(round, (s) => s.distances(range));
          expect(g).to.deep.equal(c);
        }),
        { seed: SEED, numRuns: 8 },
      );
    });

    it("computes score dot products exactly, for I8 aggregates and wide ones", async function () {
      await fc.assert(
        fc.asyncProperty(roundArb, async (round) => {
          const members = all(round).filter((i) => i % 2 === 0);
          const plan: AggregatePlan = { kind: "weighted-mean", members, weights: members.map(() => 1) };
          const aggregate = await (await (backend as WebgpuBackend).open(round)).aggregate(plan, whole(round));
          const [g, c] = await both(round, (s) => s.scoreDots(members, aggregate, whole(round)));
          expect(g).to.deep.equal(c);
        }),
        { seed: SEED, numRuns: 8 },
      );
    });
  });
});

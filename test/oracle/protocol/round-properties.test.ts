import { expect } from "chai";
import fc from "fast-check";

import { aggregateRound } from "../../../oracle/compute/aggregate-round.ts";
import { createBackend } from "../../../oracle/compute/backends.ts";
import type { ComputeBackend } from "../../../oracle/compute/types.ts";
import { encodeModel } from "../../../oracle/protocol/model-file.ts";
import { canonicalJson } from "../../../oracle/protocol/result.ts";
import { hashBytes } from "../../../oracle/protocol/hash.ts";
import { parsePolicy } from "../../../oracle/protocol/policy.ts";
import type { RoundInput } from "../../../oracle/protocol/round-input.ts";
import { encodeUpdate } from "../../../oracle/protocol/update-file.ts";
import { LAYOUT, ROUND_ID, roundArb } from "./round-arbitraries.ts";

const FEDAVG = parsePolicy({ rule: "fedavg", trimBps: 0, krumF: 0, weighting: "uniform", maxSampleWeight: 1, clipMantissa: 1, clipExp: 12, minContributors: 1, rewardPool: "1000" });

const SEED = 20_240_603;

describe("aggregation properties", function () {
  this.timeout(120_000);
  let cpu: ComputeBackend;
  let tfjs: ComputeBackend;
  before(async function () {
    cpu = await createBackend("cpu", { threads: 1 });
    tfjs = await createBackend("tfjs");
  });
  after(async function () {
    await cpu.dispose();
    await tfjs.dispose();
  });

  let okRounds = 0;
  it("does not depend on the order updates arrive in nor on the shard count", async function () {
    await fc.assert(
      fc.asyncProperty(roundArb, fc.integer({ min: 2, max: 7 }), fc.func(fc.integer()), async (input, shards, key) => {
        const reference = await aggregateRound(input, { backend: cpu, shards: 1 });
        if (reference.result.status === "ok") okRounds++;
        const shuffled = { ...input, contributors: [...input.contributors].sort((a, b) => key(a.address) - key(b.address)) };
        const other = await aggregateRound(shuffled, { backend: cpu, shards });
        expect(canonicalJson(other.result)).to.equal(canonicalJson(reference.result));
        expect(other.model).to.deep.equal(reference.model);
      }),
      { seed: SEED, numRuns: 150 },
    );
    // The generator must reach the interesting case: rounds that aggregate, not only failures.
    expect(okRounds).to.be.at.least(50);
  });

  it("gives bit-identical results on the cpu and tfjs backends, including extreme exponents", async function () {
    await fc.assert(
      fc.asyncProperty(roundArb, fc.integer({ min: 1, max: 4 }), async (input, shards) => {
        const a = await aggregateRound(input, { backend: cpu, shards: 1 });
        const b = await aggregateRound(input, { backend: tfjs, shards });
        expect(canonicalJson(b.result)).to.equal(canonicalJson(a.result));
        expect(b.model).to.deep.equal(a.model);
      }),
      { seed: SEED, numRuns: 80 },
    );
  });

  for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
    it(`fails the round when the base holds ${bad}, and only then`, async function () {
      await fc.assert(
        fc.asyncProperty(fc.nat(), fc.integer({ min: -100, max: 100 }), async (at, q) => {
          const values = LAYOUT.map((t) => new Float32Array(t.shape.reduce((x, y) => x * y, 1)).fill(0.5));
          const round = (base: Uint8Array): RoundInput => {
            const file = encodeUpdate({ round: ROUND_ID, base: hashBytes(base), samples: 1, tensors: LAYOUT.map((t) => ({ name: t.name, shape: t.shape, dtype: "I8", exp: 0, q: new Int8Array(t.shape.reduce((x, y) => x * y, 1)).fill(q) })) });
            return { roundId: ROUND_ID, policy: FEDAVG, base, contributors: [{ address: `0x${"1".repeat(40)}`, revealedHash: hashBytes(file), file }] };
          };
          const finite = await aggregateRound(round(encodeModel(LAYOUT.map((t, i) => ({ ...t, values: values[i] as Float32Array })))), { backend: cpu });
          (values[at % 2] as Float32Array)[at % 3] = bad;
          const poisoned = await aggregateRound(round(encodeModel(LAYOUT.map((t, i) => ({ ...t, values: values[i] as Float32Array })))), { backend: cpu });

          expect(finite.result.status).to.equal("ok");
          expect(poisoned.result.status).to.equal("failed");
          expect(poisoned.model).to.equal(null);
        }),
        { seed: SEED, numRuns: 20 },
      );
    });
  }
});

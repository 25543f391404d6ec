import { expect } from "chai";

import { subset } from "../../../oracle/contributor/dataset.ts";
import { initialWeights } from "../../../oracle/contributor/model.ts";
import { partition } from "../../../oracle/contributor/partition.ts";
import { evaluate, trainLocal } from "../../../oracle/contributor/train.ts";
import { makeUpdate } from "../../../oracle/contributor/update.ts";
import { modelFileToWeights, weightsToModelFile } from "../../../oracle/contributor/weights.ts";
import { aggregateRound } from "../../../oracle/compute/aggregate-round.ts";
import { createBackend } from "../../../oracle/compute/backends.ts";
import { hashBytes } from "../../../oracle/protocol/hash.ts";
import { parsePolicy } from "../../../oracle/protocol/policy.ts";
import { mnistSplit } from "./mnist-fixture.ts";

const CONTRIBUTORS = 4;
const ROUND = "1";

describe("contributor → oracle: one federated round on real digits", function () {
  it("aggregates client-made updates (fedavg) into a model that beats the base on the test split", async function () {
    // Prepare: a random base, four IID contributors, C = 16 · 2^-1 = 8 >= Cdp·sqrt(1 + P z²)·1.2 ≈ 2.7.
    const { train, test } = mnistSplit();
    const parts = partition(train.labels, CONTRIBUTORS, { kind: "iid" }, "federated");
    const baseFile = weightsToModelFile(initialWeights("federated"));
    const base = modelFileToWeights(baseFile);
    const baseHash = hashBytes(baseFile);
    const policy = parsePolicy({ rule: "fedavg", trimBps: 0, krumF: 0, weighting: "samples", maxSampleWeight: 10_000, clipMantissa: 16, clipExp: -1, minContributors: CONTRIBUTORS, rewardPool: "1000000" });
    const contributors = [];
    for (let c = 0; c < CONTRIBUTORS; c++) {
      const local = await trainLocal(base, subset(train, parts[c] ?? []), { epochs: 1, seed: c });
      const made = makeUpdate({ delta: local.delta, samples: local.samples, roundId: ROUND, baseHash, policy: { ...policy, dpClipNorm: 2, noiseMultiplier: 0.005, delta: 1e-5 }, noiseSeed: `noise-${c}` });
      contributors.push({ address: `0x${(c + 1).toString(16).padStart(40, "0")}`, revealedHash: made.hash, file: made.bytes });
    }
    const backend = await createBackend("cpu", { threads: 2 });
    try {
      // Execute
      const outcome = await aggregateRound({ roundId: ROUND, policy, base: baseFile, contributors }, { backend });
      // Assert
      expect(outcome.result.status).to.equal("ok");
      expect(outcome.result.invalid).to.deep.equal({});
      expect(outcome.model).to.not.equal(null);
      const before = await evaluate(base, test);
      const after = await evaluate(modelFileToWeights(outcome.model ?? new Uint8Array()), test);
      expect(before.accuracy).to.be.below(0.2);
      expect(after.accuracy).to.be.above(0.5);
    } finally {
      await backend.dispose();
    }
  });
});

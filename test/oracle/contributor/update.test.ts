import { expect } from "chai";

import { InvalidInputError } from "../../../oracle/errors.ts";
import { subset } from "../../../oracle/contributor/dataset.ts";
import { initialWeights } from "../../../oracle/contributor/model.ts";
import { partition } from "../../../oracle/contributor/partition.ts";
import { dequantize } from "../../../oracle/contributor/quantize.ts";
import { trainLocal, type TrainResult } from "../../../oracle/contributor/train.ts";
import { makeUpdate, type ContributorPolicy } from "../../../oracle/contributor/update.ts";
import { weightsToModelFile } from "../../../oracle/contributor/weights.ts";
import { hashBytes, type Hash } from "../../../oracle/protocol/hash.ts";
import { withinClipNorm } from "../../../oracle/protocol/norm.ts";
import { decodeUpdate, encodeUpdate } from "../../../oracle/protocol/update-file.ts";
import { validateUpdate } from "../../../oracle/protocol/validate.ts";
import { mnistSplit } from "./mnist-fixture.ts";

const ROUND = "12";
/** C = 3 · 2^2 = 12, above the expected noised norm Cdp·sqrt(1 + P z²) ≈ 1·sqrt(1 + 50890 · 0.04²) ≈ 9.1. */
const POLICY: ContributorPolicy = { clipMantissa: 3, clipExp: 2, dpClipNorm: 1, noiseMultiplier: 0.04, delta: 1e-5 };

describe("contributor/update: a client-made update against the protocol", function () {
  const base = initialWeights("update-test");
  const baseHash: Hash = hashBytes(weightsToModelFile(base));
  const layout = base.map((t) => ({ name: t.name, shape: t.shape }));
  let trained: TrainResult;

  before(async function () {
    const { train } = mnistSplit();
    const parts = partition(train.labels, 8, { kind: "iid" }, "update-test");
    trained = await trainLocal(base, subset(train, parts[2] ?? []), { epochs: 1, seed: 1 });
  });

  for (const dtype of ["I8", "I16"] as const) {
    it(`passes the oracle's validation (${dtype})`, function () {
      const made = makeUpdate({ delta: trained.delta, samples: trained.samples, roundId: ROUND, baseHash, policy: POLICY, noiseSeed: "n", dtype });
      const validation = validateUpdate(made.bytes, made.hash, { roundId: ROUND, baseHash, layout }, POLICY);
      expect(validation.valid).to.equal(true);
      expect(made.update.tensors.every((t) => t.dtype === dtype)).to.equal(true);
    });
  }

  it("survives a decode/encode round trip byte for byte", function () {
    const made = makeUpdate({ delta: trained.delta, samples: trained.samples, roundId: ROUND, baseHash, policy: POLICY, noiseSeed: "n" });
    const decoded = decodeUpdate(made.bytes, { roundId: ROUND, baseHash, layout });
    expect(decoded.samples).to.equal(1000);
    expect(decoded.tensors.map((t) => [t.name, t.exp])).to.deep.equal(made.update.tensors.map((t) => [t.name, t.exp]));
    decoded.tensors.forEach((t, i) => expect(Array.from(t.q)).to.deep.equal(Array.from(made.update.tensors[i]?.q ?? [])));
    expect(encodeUpdate(decoded)).to.deep.equal(made.bytes);
  });

  it("keeps its norm within the clip: quantized <= noised <= C", function () {
    const made = makeUpdate({ delta: trained.delta, samples: trained.samples, roundId: ROUND, baseHash, policy: POLICY, noiseSeed: "n" });
    expect(made.dp.rawNorm).to.be.above(POLICY.dpClipNorm);
    expect(made.dp.clipped).to.equal(true);
    expect(made.quantizedNorm).to.be.at.most(made.dp.finalNorm);
    expect(made.dp.finalNorm).to.be.at.most(made.boundNorm);
    expect(withinClipNorm(made.update.tensors, POLICY.clipMantissa, POLICY.clipExp)).to.equal(true);
  });

  it("still passes when the noise forces the scaling down to C", function () {
    // Noise norm ≈ z·Cdp·sqrt(P) = 0.5 · 225 ≈ 113, far above C = 12.
    const noisy = { ...POLICY, noiseMultiplier: 0.5 };
    const made = makeUpdate({ delta: trained.delta, samples: trained.samples, roundId: ROUND, baseHash, policy: noisy, noiseSeed: "n" });
    expect(made.dp.scaledToBound).to.equal(true);
    expect(validateUpdate(made.bytes, made.hash, { roundId: ROUND, baseHash, layout }, noisy).valid).to.equal(true);
    // Truncation shrinks the norm a little below C, never above.
    expect(made.quantizedNorm).to.be.at.most(made.boundNorm);
    expect(made.quantizedNorm).to.be.above(0.98 * made.boundNorm);
  });

  it("keeps the delta's direction through clip, noise and quantization (small noise)", function () {
    // Noise norm ≈ 1e-4 · sqrt(50890) ≈ 0.023 against a clipped signal of norm 1: cosine ≈ 0.9997 before quantization.
    const made = makeUpdate({ delta: trained.delta, samples: trained.samples, roundId: ROUND, baseHash, policy: { ...POLICY, noiseMultiplier: 1e-4 }, noiseSeed: "n" });
    let dot = 0;
    let n1 = 0;
    let n2 = 0;
    made.update.tensors.forEach((t, i) => {
      const real = dequantize(t);
      const raw = trained.delta[i]?.values ?? new Float32Array();
      real.forEach((v, j) => {
        const r = raw[j] ?? 0;
        dot += v * r;
        n1 += v * v;
        n2 += r * r;
      });
    });
    expect(dot / Math.sqrt(n1 * n2)).to.be.above(0.99);
  });

  it("is rejected by the oracle as norm when the policy's C is lower than the one it was made for", function () {
    const made = makeUpdate({ delta: trained.delta, samples: trained.samples, roundId: ROUND, baseHash, policy: POLICY, noiseSeed: "n" });
    const stricter = { clipMantissa: 1, clipExp: 0 };
    expect(validateUpdate(made.bytes, made.hash, { roundId: ROUND, baseHash, layout }, stricter)).to.deep.equal({ valid: false, reason: "norm" });
  });

  it("rejects a policy whose C does not fit I8 at exponent 0", function () {
    // C = 2^12 with no noise scaling down: a bias of 200 cannot be written as I8.
    const delta = base.map((t) => ({ ...t, values: new Float32Array(t.values.length) }));
    delta[0]?.values.fill(200, 0, 1);
    const loose = { clipMantissa: 1, clipExp: 12, dpClipNorm: 1000, noiseMultiplier: 0, delta: 1e-5 };
    expect(() => makeUpdate({ delta, samples: 1, roundId: ROUND, baseHash, policy: loose, noiseSeed: "n", dtype: "I8" })).to.throw(InvalidInputError);
  });
});

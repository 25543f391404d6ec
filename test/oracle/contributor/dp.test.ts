// NOTE: no chai closeTo/within on fractions: hardhat-ethers-chai-matchers (loaded by other suites) reimplements them for integers only.
import { expect } from "chai";

import { InvalidInputError } from "../../../oracle/errors.ts";
import { l2Norm, privatizeDelta, type TensorValues } from "../../../oracle/contributor/dp.ts";
import { SeededRandom } from "../../../oracle/contributor/random.ts";

/** A delta shaped like the default model (50,890 coordinates) with a given global norm. */
function deltaWithNorm(norm: number, seed: string): TensorValues[] {
  const random = new SeededRandom(seed, "test-delta");
  const shapes: [string, number[]][] = [["dense1/bias", [64]], ["dense1/kernel", [784, 64]], ["dense2/bias", [10]], ["dense2/kernel", [64, 10]]];
  const tensors = shapes.map(([name, shape]) => ({ name, shape, values: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => random.nextGaussian()) }));
  const scale = norm / l2Norm(tensors);
  return tensors.map((t) => ({ ...t, values: Float64Array.from(t.values, (v) => v * scale) }));
}

function zeroDelta(size: number): TensorValues[] {
  return [{ name: "w", shape: [size], values: new Float32Array(size) }];
}

describe("contributor/dp: clip, noise, scale (docs/protocol.md §1.2)", function () {
  it("clips a delta above Cdp to norm <= Cdp", function () {
    const result = privatizeDelta(deltaWithNorm(7.5, "a"), { clipNorm: 2, noiseMultiplier: 0, boundNorm: 100 }, "n");
    expect(Math.abs(result.rawNorm - 7.5)).to.be.below(1e-9);
    expect(result.clipped).to.equal(true);
    expect(result.finalNorm).to.be.at.most(2);
    expect(Math.abs(result.finalNorm - 2)).to.be.below(1e-9);
  });

  it("leaves a delta within Cdp unchanged when there is no noise", function () {
    const delta = deltaWithNorm(1.5, "b");
    const result = privatizeDelta(delta, { clipNorm: 2, noiseMultiplier: 0, boundNorm: 100 }, "n");
    expect(result.clipped).to.equal(false);
    expect(result.scaledToBound).to.equal(false);
    result.tensors.forEach((t, i) => expect(Array.from(t.values)).to.deep.equal(Array.from(delta[i]?.values ?? [])));
  });

  it("adds noise with standard deviation z·Cdp per coordinate", function () {
    // Prepare: a zero delta, so the output is pure noise; sigma = 0.75 * 4 = 3.
    const n = 100_000;
    const sigma = 3;
    // Execute
    const values = privatizeDelta(zeroDelta(n), { clipNorm: 4, noiseMultiplier: 0.75, boundNorm: 4096 }, "noise-seed").tensors[0]?.values ?? new Float64Array();
    // Assert: sample mean and variance within 5 standard errors of N(0, sigma^2).
    const mean = values.reduce((a, b) => a + b, 0) / n;
    const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1);
    expect(Math.abs(mean)).to.be.below((5 * sigma) / Math.sqrt(n));
    // Var(s^2) = 2 sigma^4 / (n - 1) for normal data.
    expect(Math.abs(variance - sigma ** 2)).to.be.below(5 * sigma ** 2 * Math.sqrt(2 / (n - 1)));
    // Shape: the share within one sigma is 0.6827 (binomial standard error sqrt(p(1-p)/n)).
    const within = values.filter((v) => Math.abs(v) <= sigma).length / n;
    expect(Math.abs(within - 0.682689492)).to.be.below(5 * Math.sqrt((0.6827 * 0.3173) / n));
  });

  it("draws different noise for different seeds and the same for the same seed", function () {
    const parameters = { clipNorm: 1, noiseMultiplier: 1, boundNorm: 4096 };
    const a = privatizeDelta(zeroDelta(16), parameters, "s1").tensors[0]?.values;
    const b = privatizeDelta(zeroDelta(16), parameters, "s1").tensors[0]?.values;
    const c = privatizeDelta(zeroDelta(16), parameters, "s2").tensors[0]?.values;
    expect(a).to.deep.equal(b);
    expect(a).to.not.deep.equal(c);
  });

  it("scales the noised delta down to C when it exceeds C", function () {
    // Expected noised norm ~ sqrt(1 + P z^2) * Cdp = sqrt(1 + 50890) ~ 225 > C = 64.
    const result = privatizeDelta(deltaWithNorm(3, "c"), { clipNorm: 1, noiseMultiplier: 1, boundNorm: 64 }, "n");
    expect(result.noisedNorm).to.be.above(64);
    expect(result.scaledToBound).to.equal(true);
    expect(result.finalNorm).to.be.at.most(64);
    expect(Math.abs(result.finalNorm - 64)).to.be.below(1e-6);
  });

  it("does not scale when the noised delta is within C", function () {
    const result = privatizeDelta(deltaWithNorm(3, "c"), { clipNorm: 1, noiseMultiplier: 1, boundNorm: 1024 }, "n");
    expect(result.scaledToBound).to.equal(false);
    expect(result.finalNorm).to.equal(result.noisedNorm);
  });

  it("rejects a non-positive clip norm and a non-finite delta", function () {
    expect(() => privatizeDelta(zeroDelta(2), { clipNorm: 0, noiseMultiplier: 1, boundNorm: 1 }, "n")).to.throw(InvalidInputError);
    const bad = [{ name: "w", shape: [1], values: new Float32Array([Number.NaN]) }];
    expect(() => privatizeDelta(bad, { clipNorm: 1, noiseMultiplier: 1, boundNorm: 1 }, "n")).to.throw(InvalidInputError);
  });
});

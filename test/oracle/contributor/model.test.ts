import { expect } from "chai";

import { InvalidInputError } from "../../../oracle/errors.ts";
import { DEFAULT_ARCHITECTURE, initialWeights, modelLayout } from "../../../oracle/contributor/model.ts";
import { modelFileToWeights, variablesToWeights, weightsToModelFile, weightsToVariables, disposeParameters } from "../../../oracle/contributor/weights.ts";
import { decodeModel, encodeModel, MODEL_FORMAT } from "../../../oracle/protocol/model-file.ts";
import { TENSOR_NAME_PATTERN } from "../../../oracle/protocol/safetensors.ts";

describe("contributor/model: architecture and model-file converters", function () {
  it("has stable tensor names allowed by the protocol, in ascending byte order", function () {
    const names = modelLayout().map((t) => t.name);
    expect(names).to.deep.equal(["dense1/bias", "dense1/kernel", "dense2/bias", "dense2/kernel"]);
    for (const name of names) expect(name).to.match(TENSOR_NAME_PATTERN);
    expect([...names].sort()).to.deep.equal(names);
  });

  it("initialises deterministically from a seed, Glorot-bounded kernels and zero biases", function () {
    const a = initialWeights(5);
    expect(initialWeights(5)).to.deep.equal(a);
    expect(initialWeights(6)[1]?.values).to.not.deep.equal(a[1]?.values);
    const limit = Math.sqrt(6 / (784 + 64));
    expect(a[1]?.values.every((v) => Math.abs(v) <= limit)).to.equal(true);
    expect(a[0]?.values.every((v) => v === 0)).to.equal(true);
    expect(a.reduce((n, t) => n + t.values.length, 0)).to.equal(784 * 64 + 64 + 64 * 10 + 10);
  });

  it("round-trips weights through a canonical model file bit for bit", function () {
    const weights = initialWeights(1);
    const bytes = weightsToModelFile(weights, { round: "3" });
    expect(decodeModel(bytes).metadata.get("format")).to.equal(MODEL_FORMAT);
    expect(modelFileToWeights(bytes)).to.deep.equal(weights);
  });

  it("round-trips weights through tfjs variables", async function () {
    const weights = initialWeights(2);
    const { useCpuBackend } = await import("../../../oracle/contributor/model.ts");
    await useCpuBackend();
    const parameters = weightsToVariables(weights);
    try {
      expect(variablesToWeights(parameters)).to.deep.equal(weights);
    } finally {
      disposeParameters(parameters);
    }
  });

  it("rejects a model file made for another architecture", function () {
    const other = initialWeights(1, { ...DEFAULT_ARCHITECTURE, hidden: 32 });
    expect(() => modelFileToWeights(encodeModel(other))).to.throw(InvalidInputError);
  });

  it("rejects a model with a non-finite value", function () {
    const weights = initialWeights(1);
    weights[0]?.values.fill(Number.NaN, 0, 1);
    expect(() => modelFileToWeights(encodeModel(weights))).to.throw(InvalidInputError);
  });
});

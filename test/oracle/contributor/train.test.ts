import * as tf from "@tensorflow/tfjs";
import { expect } from "chai";

import { InvalidInputError } from "../../../oracle/errors.ts";
import { subset, type Dataset } from "../../../oracle/contributor/dataset.ts";
import { initialWeights } from "../../../oracle/contributor/model.ts";
import { partition } from "../../../oracle/contributor/partition.ts";
import { evaluate, trainLocal, type TrainProgress, type TrainResult } from "../../../oracle/contributor/train.ts";
import { mnistSplit } from "./mnist-fixture.ts";

const OPTIONS = { epochs: 2, batchSize: 32, learningRate: 0.1, seed: "train-test" };

function contributorData(scheme: Parameters<typeof partition>[2], contributor: number): Dataset {
  const { train } = mnistSplit();
  const parts = partition(train.labels, 8, scheme, "train-test");
  return subset(train, parts[contributor] ?? []);
}

describe("contributor/train: local training on tfjs (cpu)", function () {
  const base = initialWeights("train-test");
  let iid: TrainResult;
  const progress: TrainProgress[] = [];

  before(async function () {
    iid = await trainLocal(base, contributorData({ kind: "iid" }, 0), { ...OPTIONS, onProgress: (p) => progress.push(p) });
  });

  it("lowers the loss and raises the accuracy on the contributor's IID partition", function () {
    expect(iid.samples).to.equal(1000);
    expect(iid.after.loss).to.be.below(iid.before.loss / 2);
    expect(iid.after.accuracy).to.be.above(iid.before.accuracy + 0.4);
  });

  it("lowers the loss on a label-skewed partition too", async function () {
    const skewed = await trainLocal(base, contributorData({ kind: "shards", shardsPerContributor: 2 }, 3), { ...OPTIONS, epochs: 1 });
    expect(skewed.after.loss).to.be.below(skewed.before.loss / 2);
  });

  it("generalises to the held-out test split", async function () {
    const { test } = mnistSplit();
    const before = await evaluate(base, test);
    const after = await evaluate(iid.weights, test);
    // Chance is 0.1; 2 epochs on 1,000 digits reach about 0.7.
    expect(after.accuracy).to.be.above(0.5);
    expect(after.loss).to.be.below(before.loss);
  });

  it("returns delta = local − base for every tensor, in float32", function () {
    expect(iid.delta.map((t) => t.name)).to.deep.equal(base.map((t) => t.name));
    iid.delta.forEach((d, t) => {
      const j = 17 % d.values.length;
      expect(d.values[j]).to.equal(Math.fround((iid.weights[t]?.values[j] ?? 0) - (base[t]?.values[j] ?? 0)));
    });
    expect(iid.delta.some((d) => d.values.some((v) => v !== 0))).to.equal(true);
  });

  it("reports progress after every step of every epoch", function () {
    expect(progress.length).to.equal(2 * 32);
    expect(progress.at(-1)).to.include({ epoch: 2, epochs: 2, batch: 32, batches: 32 });
    expect(progress.every((p) => Number.isFinite(p.loss))).to.equal(true);
  });

  it("is deterministic: the same seed, data and base give the same delta", async function () {
    const data = subset(mnistSplit().train, Array.from({ length: 200 }, (_, i) => i));
    const a = await trainLocal(base, data, { ...OPTIONS, epochs: 1 });
    const b = await trainLocal(base, data, { ...OPTIONS, epochs: 1 });
    expect(a.delta).to.deep.equal(b.delta);
  });

  it("frees every tfjs tensor it allocates", async function () {
    const data = subset(mnistSplit().train, Array.from({ length: 100 }, (_, i) => i));
    const before = tf.memory().numTensors;
    await trainLocal(base, data, { epochs: 1 });
    await evaluate(base, data);
    expect(tf.memory().numTensors).to.equal(before);
  });

  it("rejects zero epochs and an empty dataset", async function () {
    const data = contributorData({ kind: "iid" }, 1);
    let error: unknown;
    try {
      await trainLocal(base, data, { epochs: 0 });
    } catch (err) {
      error = err;
    }
    expect(error).to.be.instanceOf(InvalidInputError);
    error = undefined;
    try {
      await trainLocal(base, subset(data, []));
    } catch (err) {
      error = err;
    }
    expect(error).to.be.instanceOf(InvalidInputError);
  });
});

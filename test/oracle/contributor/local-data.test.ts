import { expect } from "chai";

import { InvalidInputError } from "../../../oracle/errors.ts";
import { labelCounts } from "../../../oracle/contributor/dataset.ts";
import { loadLocalData } from "../../../oracle/contributor/local-data.ts";

describe("contributor/local-data: one simulated contributor's share", function () {
  it("gives each of K contributors a disjoint share whose sizes add up to the training pool", function () {
    const shares = [0, 1, 2, 3].map((contributor) => loadLocalData({ contributor, contributors: 4, seed: "ld" }));
    expect(shares.reduce((n, s) => n + s.train.size, 0)).to.equal(8000);
    // Disjoint: pixel rows of different contributors never coincide (MNIST has no duplicate images here in the first rows checked).
    const key = (images: Float32Array, i: number): string => images.subarray(i * 784, (i + 1) * 784).join(",");
    const first = new Set(Array.from({ length: 200 }, (_, i) => key(shares[0]?.train.images ?? new Float32Array(), i)));
    const collisions = Array.from({ length: 200 }, (_, i) => key(shares[1]?.train.images ?? new Float32Array(), i)).filter((k) => first.has(k));
    expect(collisions).to.deep.equal([]);
  });

  it("is reproducible from the options alone and skews labels under the shards scheme", function () {
    const a = loadLocalData({ contributor: 2, contributors: 8, seed: "ld", scheme: { kind: "shards", shardsPerContributor: 1 } });
    const b = loadLocalData({ contributor: 2, contributors: 8, seed: "ld", scheme: { kind: "shards", shardsPerContributor: 1 } });
    expect(a.train.labels).to.deep.equal(b.train.labels);
    expect(labelCounts(a.train).filter((n) => n > 0).length).to.be.at.most(2);
  });

  it("rejects a contributor index outside [0, K)", function () {
    expect(() => loadLocalData({ contributor: 4, contributors: 4 })).to.throw(InvalidInputError);
  });
});

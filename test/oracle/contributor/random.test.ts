import { expect } from "chai";

import { InvalidInputError } from "../../../oracle/errors.ts";
import { SeededRandom } from "../../../oracle/contributor/random.ts";

function draws(random: SeededRandom, n: number): number[] {
  return Array.from({ length: n }, () => random.nextUint32());
}

describe("contributor/random: seeded stream", function () {
  it("repeats exactly for equal seeds and domains", function () {
    expect(draws(new SeededRandom("seed", "a"), 100)).to.deep.equal(draws(new SeededRandom("seed", "a"), 100));
  });

  it("differs between domains of one seed and between seeds", function () {
    const base = draws(new SeededRandom("seed", "a"), 8);
    expect(draws(new SeededRandom("seed", "b"), 8)).to.not.deep.equal(base);
    expect(draws(new SeededRandom("seeds", "a"), 8)).to.not.deep.equal(base);
    expect(draws(new SeededRandom(new Uint8Array([1, 2, 3]), "a"), 8)).to.not.deep.equal(draws(new SeededRandom(new Uint8Array([1, 2, 4]), "a"), 8));
  });

  it("keeps nextInt within range and hits every value", function () {
    const random = new SeededRandom(7);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const v = random.nextInt(10);
      expect(Number.isInteger(v) && v >= 0 && v <= 9).to.equal(true);
      seen.add(v);
    }
    expect(seen.size).to.equal(10);
  });

  it("shuffles into a permutation", function () {
    const items = Array.from({ length: 500 }, (_, i) => i);
    const shuffled = new SeededRandom(3).shuffle([...items]);
    expect(shuffled).to.not.deep.equal(items);
    expect([...shuffled].sort((a, b) => a - b)).to.deep.equal(items);
  });

  it("draws Gamma(shape) with mean equal to shape", function () {
    const random = new SeededRandom(11);
    const n = 20_000;
    for (const shape of [0.3, 2]) {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += random.nextGamma(shape);
      // Var(Gamma(k)) = k: a 5-sigma bound on the sample mean.
      expect(Math.abs(sum / n - shape)).to.be.below(5 * Math.sqrt(shape / n));
    }
  });

  it("rejects a negative numeric seed", function () {
    expect(() => new SeededRandom(-1)).to.throw(InvalidInputError);
  });
});

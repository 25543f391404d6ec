import { expect } from "chai";

import { InvalidInputError } from "../../../oracle/errors.ts";
import { analyticGaussianEpsilon, erfc, normalCdf, updatePrivacy } from "../../../oracle/contributor/privacy.ts";

/**
 * An independent log Φ(x) by quadrature: for t >= 0, Φ(−t) = φ(t) · ∫_0^∞ e^{−ts − s²/2} ds, the
 * integral by composite Simpson on [0, L], L = min(40, 80/t): beyond L the integrand is below
 * e^{-80} of its start, and the step stays well under the decay length 1/t. Shares no code with the
 * erfc under test.
 */
function logPhiByQuadrature(x: number): number {
  const t = Math.abs(x);
  const intervals = 40_000;
  const h = Math.min(40, 80 / t) / intervals;
  let sum = 0;
  for (let i = 0; i <= intervals; i++) {
    const s = i * h;
    const weight = i === 0 || i === intervals ? 1 : i % 2 === 1 ? 4 : 2;
    sum += weight * Math.exp(-t * s - (s * s) / 2);
  }
  const logUpperTail = -(t * t) / 2 - 0.5 * Math.log(2 * Math.PI) + Math.log((sum * h) / 3);
  return x <= 0 ? logUpperTail : Math.log1p(-Math.exp(logUpperTail));
}

/** Balle & Wang's δ(ε) for sensitivity Δ and noise σ, from the quadrature Φ. */
function deltaByQuadrature(epsilon: number, sensitivity: number, sigma: number): number {
  const a = sensitivity / (2 * sigma);
  const b = (epsilon * sigma) / sensitivity;
  return Math.exp(logPhiByQuadrature(a - b)) - Math.exp(epsilon + logPhiByQuadrature(-a - b));
}

describe("contributor/privacy: analytic Gaussian mechanism", function () {
  it("computes erfc to near double precision, far into the tail", function () {
    // Reference values (Abramowitz & Stegun table 7.1 / any arbitrary-precision library).
    const references: [number, number][] = [
      [0.1, 0.8875370839817151],
      [0.5, 0.4795001221869535],
      [1, 0.1572992070502851],
      [2, 0.004677734981047266],
      [3, 2.209049699858544e-5],
      [5, 1.537459794428035e-12],
      [10, 2.088487583762545e-45],
    ];
    for (const [x, want] of references) expect(Math.abs(erfc(x) - want) / want, `erfc(${x})`).to.be.below(1e-13);
    expect(Math.abs(erfc(-1) - (2 - 0.1572992070502851))).to.be.below(1e-15);
  });

  it("agrees with the quadrature Φ across the range", function () {
    for (const x of [-30, -8, -3, -1, 0, 0.5, 2]) {
      expect(Math.abs(Math.log(normalCdf(x)) - logPhiByQuadrature(x)), `Φ(${x})`).to.be.below(1e-9);
    }
  });

  it("returns an ε at which the closed-form δ(ε) equals the target δ", function () {
    for (const [sigma, delta] of [[0.5, 1e-5], [1, 1e-5], [2, 1e-6], [5, 1e-5], [1.1, 1e-3]] as const) {
      const epsilon = analyticGaussianEpsilon({ sensitivity: 1, sigma, delta });
      expect(epsilon).to.be.above(0);
      expect(Math.abs(deltaByQuadrature(epsilon, 1, sigma) - delta) / delta, `σ=${sigma}`).to.be.below(1e-6);
    }
  });

  it("depends only on σ/Δ", function () {
    const a = analyticGaussianEpsilon({ sensitivity: 1, sigma: 1.3, delta: 1e-5 });
    const b = analyticGaussianEpsilon({ sensitivity: 4, sigma: 5.2, delta: 1e-5 });
    expect(Math.abs(a - b) / a).to.be.below(1e-9);
  });

  it("decreases as σ grows and as δ grows", function () {
    const sigmas = [0.2, 0.5, 1, 2, 4, 8];
    const epsilons = sigmas.map((sigma) => analyticGaussianEpsilon({ sensitivity: 1, sigma, delta: 1e-5 }));
    for (let i = 1; i < epsilons.length; i++) expect(epsilons[i]).to.be.below(epsilons[i - 1] ?? 0);
    expect(analyticGaussianEpsilon({ sensitivity: 1, sigma: 1, delta: 1e-3 })).to.be.below(analyticGaussianEpsilon({ sensitivity: 1, sigma: 1, delta: 1e-7 }));
  });

  it("is tighter than the classical bound σ = Δ·sqrt(2 ln(1.25/δ))/ε where that bound applies (ε < 1)", function () {
    const delta = 1e-5;
    const sigma = 5;
    const classical = Math.sqrt(2 * Math.log(1.25 / delta)) / sigma;
    expect(classical).to.be.below(1);
    expect(analyticGaussianEpsilon({ sensitivity: 1, sigma, delta })).to.be.below(classical);
  });

  it("reports very large ε honestly for tiny noise, infinity for none, zero when δ is already met", function () {
    const tiny = analyticGaussianEpsilon({ sensitivity: 1, sigma: 0.01, delta: 1e-5 });
    expect(tiny).to.be.above(1000);
    expect(Math.abs(deltaByQuadrature(tiny, 1, 0.01) - 1e-5) / 1e-5).to.be.below(1e-6);
    expect(analyticGaussianEpsilon({ sensitivity: 1, sigma: 0, delta: 1e-5 })).to.equal(Number.POSITIVE_INFINITY);
    // δ(0) = 2Φ(Δ/2σ) − 1 ≈ 0.0399 for σ = 10.
    expect(analyticGaussianEpsilon({ sensitivity: 1, sigma: 10, delta: 0.05 })).to.equal(0);
  });

  it("reports the replace-one ε (sensitivity 2·Cdp) above the add/remove ε", function () {
    const report = updatePrivacy(1, 1e-5);
    expect(report.epsilon).to.equal(analyticGaussianEpsilon({ sensitivity: 1, sigma: 1, delta: 1e-5 }));
    expect(report.epsilonReplaceOne).to.equal(analyticGaussianEpsilon({ sensitivity: 1, sigma: 0.5, delta: 1e-5 }));
    expect(report.epsilonReplaceOne).to.be.above(report.epsilon);
  });

  it("rejects δ outside (0, 1) and a negative σ", function () {
    expect(() => analyticGaussianEpsilon({ sensitivity: 1, sigma: 1, delta: 0 })).to.throw(InvalidInputError);
    expect(() => analyticGaussianEpsilon({ sensitivity: 1, sigma: 1, delta: 1 })).to.throw(InvalidInputError);
    expect(() => analyticGaussianEpsilon({ sensitivity: 1, sigma: -1, delta: 1e-5 })).to.throw(InvalidInputError);
  });
});

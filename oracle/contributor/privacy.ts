import { InvalidInputError } from "../errors.ts";

/** 1/√π. */
const INV_SQRT_PI = 0.5641895835477563;
/** √2. */
const SQRT2 = Math.SQRT2;
/** Below this argument erfc is 1 − erf (series); above it the continued fraction converges fast. */
const SERIES_LIMIT = 2;
/** Iteration caps: the series needs ~40 terms at x = 2, the fraction ~150 at x = 2 and fewer beyond. */
const MAX_TERMS = 2000;
/** Relative precision targeted by the special functions and the ε search. */
const TOLERANCE = 1e-16;
/** Bisection stops when the bracket is this narrow relative to ε. */
const EPSILON_RELATIVE_TOLERANCE = 1e-12;
/** The ε search gives up (and reports Infinity) above this. */
const MAX_EPSILON = 2 ** 60;

/** erf(x) for 0 <= x < 2 by the positive-term series `2/√π · e^{-x²} · Σ 2^n x^{2n+1} / (2n+1)!!` (no cancellation). */
function erfSeries(x: number): number {
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n < MAX_TERMS && term > sum * TOLERANCE; n++) {
    term *= (2 * x2) / (2 * n + 1);
    sum += term;
  }
  return 2 * INV_SQRT_PI * Math.exp(-x2) * sum;
}

/**
 * Scaled complementary error function `erfcx(x) = e^{x²} · erfc(x)` for x >= 2, by the continued
 * fraction `erfc(x) = e^{-x²}/√π · 1/(x + (1/2)/(x + (2/2)/(x + (3/2)/(x + …))))`
 * evaluated with the modified Lentz method.
 */
function erfcxFraction(x: number): number {
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let n = 1; n < MAX_TERMS; n++) {
    const a = n / 2;
    d = x + a * d;
    d = d === 0 ? tiny : d;
    c = x + a / c;
    c = c === 0 ? tiny : c;
    d = 1 / d;
    const step = c * d;
    f *= step;
    if (Math.abs(step - 1) < TOLERANCE) break;
  }
  return INV_SQRT_PI / f;
}

/** Complementary error function, with full relative precision in the upper tail (until it underflows). */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x < 0) return 2 - erfc(-x);
  if (x < SERIES_LIMIT) return 1 - erfSeries(x);
  return Math.exp(-x * x) * erfcxFraction(x);
}

/** Standard normal CDF Φ(x) = erfc(−x/√2) / 2. */
export function normalCdf(x: number): number {
  return erfc(-x / SQRT2) / 2;
}

/** log Φ(x), finite far into the lower tail where Φ itself underflows. */
export function logNormalCdf(x: number): number {
  const y = -x / SQRT2;
  if (y < SERIES_LIMIT) return Math.log(erfc(y) / 2);
  return Math.log(erfcxFraction(y) / 2) - y * y;
}

/** Parameters of a Gaussian mechanism: L2 sensitivity Δ, noise standard deviation σ, target δ. */
export type GaussianMechanism = { sensitivity: number; sigma: number; delta: number };

/**
 * The tight δ of the Gaussian mechanism at a given ε (Balle & Wang 2018, Theorem 8):
 * `δ(ε) = Φ(Δ/2σ − εσ/Δ) − e^ε Φ(−Δ/2σ − εσ/Δ)`, computed in log space so that neither term
 * overflows or underflows.
 */
export function gaussianDelta(epsilon: number, sensitivity: number, sigma: number): number {
  const a = sensitivity / (2 * sigma);
  const b = (epsilon * sigma) / sensitivity;
  const logFirst = logNormalCdf(a - b);
  const logSecond = epsilon + logNormalCdf(-a - b);
  return Math.exp(logFirst) * -Math.expm1(logSecond - logFirst);
}

/**
 * The smallest ε for which the Gaussian mechanism is (ε, δ)-DP: the analytic Gaussian mechanism of
 * Balle & Wang (2018), by bisection on the decreasing function δ(ε) of {@link gaussianDelta}.
 * Returns 0 when δ is already met at ε = 0, and Infinity for σ = 0 or ε beyond 2^60.
 * @throws {InvalidInputError} unless Δ > 0, σ >= 0 and 0 < δ < 1.
 */
export function analyticGaussianEpsilon({ sensitivity, sigma, delta }: GaussianMechanism): number {
  if (!(sensitivity > 0) || !Number.isFinite(sensitivity)) throw new InvalidInputError(`sensitivity must be positive, got ${sensitivity}`);
  if (!(sigma >= 0) || !Number.isFinite(sigma)) throw new InvalidInputError(`sigma must be >= 0, got ${sigma}`);
  if (!(delta > 0 && delta < 1)) throw new InvalidInputError(`delta must be in (0, 1), got ${delta}`);
  if (sigma === 0) return Number.POSITIVE_INFINITY;
  const excess = (epsilon: number): number => gaussianDelta(epsilon, sensitivity, sigma) - delta;
  if (excess(0) <= 0) return 0;
  let lo = 0;
  let hi = 1;
  while (excess(hi) > 0) {
    lo = hi;
    hi *= 2;
    if (hi > MAX_EPSILON) return Number.POSITIVE_INFINITY;
  }
  while (hi - lo > EPSILON_RELATIVE_TOLERANCE * hi) {
    const mid = (lo + hi) / 2;
    if (excess(mid) > 0) lo = mid;
    else hi = mid;
  }
  // hi always satisfies δ(hi) <= δ: report the side that keeps the guarantee.
  return hi;
}

/** The privacy of one update, as the contributor client reports it. */
export type PrivacyReport = {
  mechanism: "analytic-gaussian";
  noiseMultiplier: number;
  delta: number;
  /**
   * ε against an observer of this one update, for datasets that differ by adding or removing the
   * contributor's whole contribution (sensitivity `Cdp`, σ = z·Cdp): the usual user-level
   * convention of DP federated learning.
   */
  epsilon: number;
  /**
   * ε for datasets that differ by replacing the contributor's whole data with anything else
   * (sensitivity `2·Cdp`): the stricter local-DP reading. Always at least `epsilon`.
   */
  epsilonReplaceOne: number;
};

/**
 * ε of one noised update for the policy's δ. The ratio σ/Δ is `z`, so `Cdp` cancels. Per round:
 * several rounds compose (their ε add up at least), which this figure does not include.
 * @throws {InvalidInputError} unless z >= 0 and 0 < δ < 1.
 */
export function updatePrivacy(noiseMultiplier: number, delta: number): PrivacyReport {
  return {
    mechanism: "analytic-gaussian",
    noiseMultiplier,
    delta,
    epsilon: analyticGaussianEpsilon({ sensitivity: 1, sigma: noiseMultiplier, delta }),
    epsilonReplaceOne: analyticGaussianEpsilon({ sensitivity: 2, sigma: noiseMultiplier, delta }),
  };
}

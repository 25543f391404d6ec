import type { AlignedRound } from "../protocol/alignment.ts";
import type { PairTotals } from "../protocol/krum.ts";
import type { AggregatePlan } from "../protocol/rules.ts";

/** A half-open range `[start, end)` of flattened model coordinates. */
export type CoordinateRange = { start: number; end: number };

/** The per-element plan lives with the rule table in protocol/rules.ts; backends take it as is. */
export type { AggregatePlan };

/**
 * Partial (or combined) multi-krum distances over a range: for every pair i < k (row-major upper
 * triangle, see `pairIndex` in protocol/krum.ts), `sum_t 4^(E[t]-G) * sum_{j in range} (Q_i - Q_k)^2`,
 * exact, in one of the two forms of {@link PairTotals}: `float64` whenever the bound of
 * `distanceBound` (compute/pair-totals.ts), proven before computing, puts every total below 2^53
 * (50M pairs of N = 10,000 take 400 MB); `bigint` otherwise.
 */
export type DistancePartial = PairTotals;

/**
 * Partial score dot products over a range (§4), each `sum_t 4^(E[t]-G) * sum_{j in range} ...`
 * as decimal strings: `qa[m] = dot(Q_m, A)`, `qq[m] = dot(Q_m, Q_m)` for members m, `aa = dot(A, A)`.
 */
export type ScorePartial = { qa: string[]; qq: string[]; aa: string };

/**
 * One round opened on a backend. Every method computes over one coordinate range and returns plain
 * data; results of disjoint ranges combine with the pure functions of `combine.ts`, so ranges may run
 * anywhere (threads, processes, machines). Every backend returns bit-identical values.
 */
export interface RoundSession {
  distances(range: CoordinateRange): Promise<DistancePartial>;
  /** The aggregate A over `range` (exact integers, |A| <= 2^52, never -0). */
  aggregate(plan: AggregatePlan, range: CoordinateRange): Promise<Float64Array>;
  /** `aggregate` holds A for exactly `range`. */
  scoreDots(members: readonly number[], aggregate: Float64Array, range: CoordinateRange): Promise<ScorePartial>;
  close(): Promise<void>;
}

/** A compute backend (cpu, tfjs, ...). */
export interface ComputeBackend {
  readonly name: string;
  open(round: AlignedRound): Promise<RoundSession>;
  /** Releases threads or devices. */
  dispose(): Promise<void>;
}

/** Backend names accepted by the CLI and {@link createBackend}. */
export const BACKEND_NAMES = ["cpu", "tfjs", "webgpu", "auto"] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

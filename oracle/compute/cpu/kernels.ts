import type { AlignedRound } from "../../protocol/alignment.ts";
import type { AggregatePlan, CoordinateRange, DistancePartial, ScorePartial } from "../types.ts";
import { aggregateInto } from "./aggregate.ts";
import { distancePartial } from "./distances.ts";
import { scorePartial } from "./score-dots.ts";

/** A request to run one kernel over one range: plain data, posted to worker threads as is. */
export type KernelRequest =
  | { op: "distances"; range: CoordinateRange }
  | { op: "aggregate"; plan: AggregatePlan; range: CoordinateRange; out: Float64Array }
  | { op: "scoreDots"; members: number[]; aggregate: Float64Array; range: CoordinateRange };

/** What {@link runKernel} returns for each request kind; `aggregate` writes into its `out` (shared memory). */
export type KernelResponse = DistancePartial | null | ScorePartial;

/** Runs one kernel of the cpu backend; pure. */
export function runKernel(round: AlignedRound, request: KernelRequest): KernelResponse {
  switch (request.op) {
    case "distances":
      return distancePartial(round, request.range);
    case "aggregate":
      aggregateInto(round, request.plan, request.range, request.out);
      return null;
    case "scoreDots":
      return scorePartial(round, request.members, request.aggregate, request.range);
  }
}

import type { AlignedRound } from "../../protocol/alignment.ts";
import type { AggregatePlan, CoordinateRange, DistancePartial, ScorePartial } from "../types.ts";
import { aggregatePartial } from "./aggregate.ts";
import { distancePartial } from "./distances.ts";
import { scorePartial } from "./score-dots.ts";

/** A request to run one kernel over one range: plain data, posted to worker threads as is. */
export type KernelRequest =
  | { op: "distances"; range: CoordinateRange }
  | { op: "aggregate"; plan: AggregatePlan; range: CoordinateRange }
  | { op: "scoreDots"; members: number[]; aggregate: Float64Array; range: CoordinateRange };

/** What {@link runKernel} returns for each request kind. */
export type KernelResponse = DistancePartial | Float64Array | ScorePartial;

/** Runs one kernel of the cpu backend; pure. */
export function runKernel(round: AlignedRound, request: KernelRequest): KernelResponse {
  switch (request.op) {
    case "distances":
      return distancePartial(round, request.range);
    case "aggregate":
      return aggregatePartial(round, request.plan, request.range);
    case "scoreDots":
      return scorePartial(round, request.members, request.aggregate, request.range);
  }
}

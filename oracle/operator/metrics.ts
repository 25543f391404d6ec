import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** Stages of a round inside an operator, as labelled in metrics and logs. */
export const STAGES = ["fetch", "aggregate", "assemble", "sign", "submit", "total"] as const;
export type Stage = (typeof STAGES)[number];

/** The operator's Prometheus metrics, all in one registry served on /metrics. */
export interface OperatorMetrics {
  readonly registry: Registry;
  /** Rounds this operator finished, by outcome: attested, finalized-by-others, failed-round, error. */
  readonly rounds: Counter<"outcome">;
  /** Seconds spent per stage of a round. */
  readonly stageSeconds: Histogram<"stage">;
  /** Failures by reason: update reasons (unavailable, hash-mismatch, malformed, norm) and job errors. */
  readonly failures: Counter<"reason">;
  /** Jobs per queue and state, refreshed at each scrape by `queueDepth`. */
  readonly queueDepth: Gauge<"queue" | "state">;
  /** Last block the watcher has processed. */
  readonly watcherBlock: Gauge;
}

/**
 * Creates the registry. `queueDepth` is read at scrape time, so the gauge never goes stale.
 */
export function createOperatorMetrics(queueDepth?: () => Promise<Record<string, Record<string, number>>>): OperatorMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "cw_operator_process_" });
  return {
    registry,
    rounds: new Counter({ name: "cw_operator_rounds_total", help: "Rounds finished by this operator, by outcome", labelNames: ["outcome"], registers: [registry] }),
    stageSeconds: new Histogram({
      name: "cw_operator_stage_seconds",
      help: "Seconds per round stage",
      labelNames: ["stage"],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900],
      registers: [registry],
    }),
    failures: new Counter({ name: "cw_operator_failures_total", help: "Rejected updates and failed jobs, by reason", labelNames: ["reason"], registers: [registry] }),
    queueDepth: new Gauge({
      name: "cw_operator_queue_jobs",
      help: "Jobs per queue and state",
      labelNames: ["queue", "state"],
      registers: [registry],
      async collect() {
        if (!queueDepth) return;
        const counts = await queueDepth();
        for (const [queue, states] of Object.entries(counts)) {
          for (const [state, jobs] of Object.entries(states)) this.set({ queue, state }, jobs);
        }
      },
    }),
    watcherBlock: new Gauge({ name: "cw_operator_watcher_block", help: "Last block processed by the chain watcher", registers: [registry] }),
  };
}

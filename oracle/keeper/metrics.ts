import { Counter, Gauge, Registry, collectDefaultMetrics } from "prom-client";

/** The keeper's Prometheus metrics, served on /metrics. */
export interface KeeperMetrics {
  readonly registry: Registry;
  /** Upkeep actions by kind and outcome (sent, lost-race, failed). */
  readonly actions: Counter<"action" | "outcome">;
  /** Gas the keeper's mined upkeep transactions used, by kind. */
  readonly gasUsed: Counter<"action">;
  /** Rounds not yet finished that the keeper watches. */
  readonly openRounds: Gauge;
  /** Unix seconds of the last pass over every round that completed. */
  readonly lastPassSeconds: Gauge;
}

/** Creates the keeper's registry. */
export function createKeeperMetrics(): KeeperMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "cw_keeper_process_" });
  return {
    registry,
    actions: new Counter({ name: "cw_keeper_actions_total", help: "Upkeep actions by kind and outcome", labelNames: ["action", "outcome"], registers: [registry] }),
    gasUsed: new Counter({ name: "cw_keeper_gas_used_total", help: "Gas used by mined upkeep transactions, by kind", labelNames: ["action"], registers: [registry] }),
    openRounds: new Gauge({ name: "cw_keeper_open_rounds", help: "Rounds with upkeep left", registers: [registry] }),
    lastPassSeconds: new Gauge({ name: "cw_keeper_last_pass_seconds", help: "Unix time of the last completed pass", registers: [registry] }),
  };
}

import { join } from "node:path";

import { OperatorConfigSchema, type OperatorConfig } from "../config.ts";
import type { Devnet } from "./devnet.ts";

/**
 * The settings of devnet operator `index` (0-based): the devnet's RPC bridge, manifest, store and the operator's
 * development key, one confirmation, fast polling, CPU backend, no metrics port, its own work dir and queue prefix
 * under `dir`. The demo, the benchmarks and the end-to-end tests all start operators with it; `overrides` are
 * setting names and text values as in the environment.
 */
export function devnetOperatorConfig(devnet: Devnet, index: number, dir: string, overrides: Partial<Record<keyof OperatorConfig, string>> = {}): OperatorConfig {
  const operator = devnet.operators[index];
  if (!operator) throw new RangeError(`the devnet has no operator ${index}`);
  return OperatorConfigSchema.parse({
    RPC_URL: devnet.bridge.url,
    DEPLOYMENT: devnet.manifestPath,
    ORACLE_PRIVATE_KEY: operator.privateKey,
    CONFIRMATIONS: "1",
    POLL_INTERVAL_MS: "200",
    WORKERS: "1",
    BACKEND: "cpu",
    STORE_DIR: devnet.store.root,
    WORK_DIR: join(dir, `operator-${index}`),
    METRICS_PORT: "0",
    LOCK_DURATION_MS: "10000",
    QUEUE_PREFIX: `{cw-devnet-${process.pid}-op${index}}`,
    LOG_LEVEL: "warn",
    ...overrides,
  });
}

// `cw keeper run`: watches every round and sends each upkeep transaction as soon as it is possible. It keeps no
// state of its own (the chain is the truth), so a restart resumes, and several keepers can run at once: a
// transaction another keeper made unnecessary is a success, and a failing round backs off instead of retrying
// every poll.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

import type { Contracts } from "../chain/contracts.ts";
import type { Deployment } from "../chain/deployment.ts";
import type { Logger } from "../logger.ts";
import type { InvalidEntry } from "./due-actions.ts";
import { createKeeperMetrics, type KeeperMetrics } from "./metrics.ts";
import { keeperPass } from "./pass.ts";
import type { KeeperRoundView } from "./round-view.ts";

/** Longest back-off of a round whose upkeep keeps failing. */
const MAX_BACKOFF_MS = 300_000;

/** What {@link startKeeper} needs. */
export interface KeeperOptions {
  /** Contracts connected to the keeper's wallet (it pays the gas). */
  readonly contracts: Contracts;
  readonly deployment: Deployment;
  readonly log: Logger;
  readonly pollIntervalMs: number;
  readonly fromRound?: bigint;
  /** Port of /metrics and /healthz on loopback; 0 or undefined: no server. */
  readonly metricsPort?: number;
  /** The invalid contributors of a round with invalid ones (from a package or a recomputation). */
  readonly invalidOf?: (view: KeeperRoundView) => Promise<readonly InvalidEntry[] | undefined>;
}

/** A running keeper. */
export interface RunningKeeper {
  readonly metrics: KeeperMetrics;
  /** `http://127.0.0.1:<port>` of /metrics and /healthz, when served. */
  readonly url: string | undefined;
  health(): { ok: boolean; lastPassAt: string | null; lastError: string | null; openRounds: number };
  /** Finishes the pass in progress, stops the loop and the server. */
  stop(): Promise<void>;
}

interface RoundState {
  finished: boolean;
  failures: number;
  retryAtMs: number;
}

/** Starts the keeper loop (and its metrics server). */
export async function startKeeper(options: KeeperOptions): Promise<RunningKeeper> {
  const { contracts, deployment, log } = options;
  const metrics = createKeeperMetrics();
  const rounds = new Map<bigint, RoundState>();
  let lastPassAt: Date | null = null;
  let lastError: string | null = null;
  let stopping = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> = Promise.resolve();

  const passRound = async (roundId: bigint, state: RoundState): Promise<void> => {
    const outcome = await keeperPass(contracts, deployment, roundId, {
      log,
      ...(options.invalidOf ? { invalidOf: options.invalidOf } : {}),
      onSent: (action, tx) => metrics.gasUsed.inc({ action: action.kind }, Number(tx.gasUsed)),
    });
    for (const r of outcome.results) metrics.actions.inc({ action: r.action.kind, outcome: r.status });
    const failed = outcome.results.filter((r) => r.status === "failed").length;
    state.failures = failed > 0 ? state.failures + 1 : 0;
    state.retryAtMs = failed > 0 ? Date.now() + Math.min(options.pollIntervalMs * 2 ** state.failures, MAX_BACKOFF_MS) : 0;
    state.finished = outcome.finished;
    if (outcome.finished) log.info({ roundId: String(roundId) }, "round needs no more upkeep");
  };

  const tick = async (): Promise<void> => {
    try {
      const count = await contracts.rounds.roundCount();
      for (let roundId = options.fromRound ?? 1n; roundId <= count && !stopping; roundId += 1n) {
        const state = rounds.get(roundId) ?? { finished: false, failures: 0, retryAtMs: 0 };
        rounds.set(roundId, state);
        if (state.finished || Date.now() < state.retryAtMs) continue;
        await passRound(roundId, state);
      }
      metrics.openRounds.set([...rounds.values()].filter((s) => !s.finished).length);
      lastPassAt = new Date();
      metrics.lastPassSeconds.set(Math.floor(lastPassAt.getTime() / 1000));
      lastError = null;
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
      log.warn({ err }, "keeper pass failed; retrying at the next poll");
    }
  };

  const loop = (): void => {
    if (stopping) return;
    current = tick().finally(() => {
      if (!stopping) timer = setTimeout(loop, options.pollIntervalMs);
    });
  };

  const health = (): ReturnType<RunningKeeper["health"]> => {
    const fresh = lastPassAt !== null && Date.now() - lastPassAt.getTime() < Math.max(options.pollIntervalMs * 5, 60_000);
    return { ok: fresh && lastError === null, lastPassAt: lastPassAt?.toISOString() ?? null, lastError, openRounds: [...rounds.values()].filter((s) => !s.finished).length };
  };

  const server = options.metricsPort ? await serve(options.metricsPort, metrics, health) : undefined;
  const address = server?.address() as AddressInfo | undefined;
  log.info({ fromRound: String(options.fromRound ?? 1n), pollIntervalMs: options.pollIntervalMs, metrics: address ? `127.0.0.1:${address.port}` : "off" }, "keeper started");
  loop();
  return {
    metrics,
    url: address ? `http://127.0.0.1:${address.port}` : undefined,
    health,
    async stop() {
      stopping = true;
      if (timer) clearTimeout(timer);
      await current;
      if (server) await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
      log.info("keeper stopped");
    },
  };
}

async function serve(port: number, metrics: KeeperMetrics, health: RunningKeeper["health"]): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.url === "/metrics") {
      metrics.registry.metrics().then(
        (text) => res.writeHead(200, { "content-type": metrics.registry.contentType }).end(text),
        (err: unknown) => res.writeHead(500).end(String(err)),
      );
    } else if (req.url === "/healthz") {
      const report = health();
      res.writeHead(report.ok ? 200 : 503, { "content-type": "application/json" }).end(JSON.stringify(report));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  return server;
}

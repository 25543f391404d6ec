import { type Command } from "commander";
import { Counter, Gauge, Registry } from "prom-client";

import { disputeRound } from "../../auditor/dispute.ts";
import { startAuditorHttp } from "../../auditor/http.ts";
import { auditOnce } from "../../auditor/watch.ts";
import { connectContracts } from "../../chain/contracts.ts";
import { providerFor } from "../../chain/connect.ts";
import { readDeployment } from "../../chain/deployment.ts";
import { loadWallet } from "../../chain/signer.ts";
import { createBackend } from "../../compute/backends.ts";
import { AuditorConfigSchema, describeSettings, loadAuditorConfig, type AuditorConfig } from "../../config.ts";
import { InvalidInputError } from "../../errors.ts";
import { createLogger } from "../../logger.ts";

const SETTINGS_HELP = `\nSettings (environment variables or an --env-file; default, description):\n${describeSettings(AuditorConfigSchema)}\n`;

/** The chain, the deployment and contracts connected to the auditor's wallet. */
async function connect(config: AuditorConfig) {
  const deployment = await readDeployment(config.DEPLOYMENT);
  // Response cache off: the dispute follows its bond approval at once, and a cached nonce would be reused.
  const provider = providerFor(config.RPC_URL, deployment.chainId);
  const wallet = await loadWallet({ privateKey: config.AUDITOR_PRIVATE_KEY, keystore: config.KEYSTORE, keystorePassword: config.KEYSTORE_PASSWORD }, provider);
  return { deployment, provider, wallet, contracts: connectContracts(deployment, wallet) };
}

/** `cw auditor dispute --round N` and `cw auditor watch`. */
export function register(program: Command): void {
  const auditor = program.command("auditor").description("recompute rounds in their challenge window and dispute wrong results");
  auditor
    .command("dispute")
    .description("dispute a round's signed result inside its challenge window, posting the bond from AUDITOR_PRIVATE_KEY")
    .requiredOption("--round <id>", "the round id")
    .option("--env-file <file>", "read settings from this file (default: .env when present)")
    .addHelpText("after", SETTINGS_HELP)
    .action(async (opts: { round: string; envFile?: string }) => {
      if (!/^[1-9][0-9]{0,76}$/.test(opts.round)) throw new InvalidInputError(`--round must be a positive integer, got ${JSON.stringify(opts.round)}`);
      const config = loadAuditorConfig({ envFile: opts.envFile });
      const { deployment, provider, contracts } = await connect(config);
      try {
        const outcome = await disputeRound(contracts, BigInt(opts.round), deployment.deployedAtBlock);
        process.stdout.write(`round ${outcome.roundId}: disputed ${outcome.digest} (signers ${outcome.signers.join(", ")}; bond ${outcome.bond}), tx ${outcome.txHash ?? "-"}\n`);
      } finally {
        provider.destroy();
      }
    });
  auditor
    .command("watch")
    .description("service: recompute every round inside its challenge window as `cw verify-round` does; dispute each mismatch")
    .option("--backend <name>", "compute backend: cpu, tfjs or auto", "auto")
    .option("--env-file <file>", "read settings from this file (default: .env when present)")
    .addHelpText("after", SETTINGS_HELP)
    .action(async (opts: { backend: string; envFile?: string }) => {
      const config = loadAuditorConfig({ envFile: opts.envFile });
      const log = createLogger(config).child({ module: "auditor" });
      const { deployment, provider, wallet, contracts } = await connect(config);
      const backend = await createBackend(opts.backend);
      const registry = new Registry();
      const checked = new Counter({ name: "cw_auditor_rounds_checked_total", help: "rounds recomputed", labelNames: ["verdict"], registers: [registry] });
      const lastPoll = new Gauge({ name: "cw_auditor_last_poll_seconds", help: "unix time of the last completed poll", registers: [registry] });
      let healthy = true;
      let lastError: string | undefined;
      const http = await startAuditorHttp(config.AUDITOR_HTTP_PORT, registry, () => ({ ok: healthy, auditor: wallet.address, lastError }));
      log.info({ auditor: wallet.address, http: http.url, pollMs: config.AUDITOR_POLL_MS }, "auditor watching");
      const seen = new Map<bigint, string>();
      let stopping = false;
      let timer: NodeJS.Timeout | undefined;
      const poll = async (): Promise<void> => {
        try {
          const verdicts = await auditOnce({ contracts, deployment, backend, limits: { maxBytes: config.FETCH_MAX_BYTES, timeoutMs: config.FETCH_TIMEOUT_MS }, log, checked: seen });
          for (const v of verdicts) checked.inc({ verdict: v.verdict });
          lastPoll.set(Date.now() / 1000);
          healthy = true;
          lastError = undefined;
        } catch (err) {
          // Transient (RPC, a file server down): report unhealthy and retry on the next poll.
          healthy = false;
          lastError = err instanceof Error ? err.message : String(err);
          log.error({ err }, "audit poll failed");
        }
        if (!stopping) timer = setTimeout(() => void poll(), config.AUDITOR_POLL_MS);
      };
      await new Promise<void>((resolve) => {
        const onSignal = (signal: NodeJS.Signals): void => {
          stopping = true;
          if (timer) clearTimeout(timer);
          log.info({ signal }, "shutting down");
          const closers = [http.close(), backend.dispose()];
          void Promise.allSettled(closers).then((results) => {
            for (const r of results) if (r.status === "rejected") log.error({ err: r.reason }, "close failed");
            provider.destroy();
            resolve();
          });
        };
        process.once("SIGTERM", onSignal);
        process.once("SIGINT", onSignal);
        void poll();
      });
    });
}

import { join } from "node:path";

import { Worker, type Job } from "bullmq";
import type { Wallet } from "ethers";

import { connectContracts } from "../chain/contracts.ts";
import type { Logger } from "../logger.ts";
import { roundResultDomain } from "../protocol/attestation.ts";
import { SubmitJobSchema } from "./jobs/payloads.ts";
import type { OperatorMetrics } from "./metrics.ts";
import { QUEUES } from "./queues.ts";
import type { OperatorRuntime } from "./runtime.ts";
import { SigningGuard } from "./signing-guard.ts";
import { processSubmit } from "./submitter.ts";

/**
 * Starts the submitter: the one worker of the submit queue, in the only process that holds the
 * operator key. Concurrency 1: one attestation (and nonce) at a time.
 */
export function startSubmitter(args: { runtime: OperatorRuntime; wallet: Wallet; address: string; metrics: OperatorMetrics; log: Logger }): Worker {
  const { runtime, wallet, metrics, log } = args;
  const { config, deployment } = runtime;
  const contracts = connectContracts(deployment, wallet);
  const domain = roundResultDomain(deployment.chainId, deployment.contracts.rounds);
  const guard = new SigningGuard(join(config.WORK_DIR, "signed", args.address));
  const submitter = new Worker(
    QUEUES.submit,
    async (job: Job) => {
      const stop = metrics.stageSeconds.startTimer({ stage: "submit" });
      try {
        const outcome = await processSubmit(SubmitJobSchema.parse(job.data), {
          wallet,
          contracts,
          domain,
          store: runtime.store,
          guard,
          log,
          receiptTimeoutMs: config.RECEIPT_TIMEOUT_MS,
        });
        metrics.rounds.inc({ outcome: outcome.outcome });
        return outcome;
      } finally {
        stop();
      }
    },
    { connection: runtime.connection, prefix: config.QUEUE_PREFIX, concurrency: 1, lockDuration: config.LOCK_DURATION_MS },
  );
  submitter.on("failed", (job, err) => {
    metrics.failures.inc({ reason: "submit" });
    log.warn({ err, jobId: job?.id }, "submission failed");
  });
  submitter.on("error", (err) => log.error({ err }, "submitter error"));
  return submitter;
}

import { Queue, type ConnectionOptions } from "bullmq";
import type { JsonRpcProvider } from "ethers";

import { connectContracts, type Contracts } from "../chain/contracts.ts";
import { providerFor } from "../chain/connect.ts";
import { readDeployment, type Deployment } from "../chain/deployment.ts";
import { withRetry } from "../chain/retry.ts";
import { readRoundSpec, type RoundSpec } from "../chain/round-reader.ts";
import type { OperatorConfig } from "../config.ts";
import type { Logger } from "../logger.ts";
import type { BlobStore } from "../storage/blob-store.ts";
import { LocalDirectoryStore } from "../storage/local-directory-store.ts";
import type { FetchLimits } from "../storage/fetch-blob.ts";
import { QUEUES, type JobRetrySettings } from "./queues.ts";
import { bullmqConnection, closeBullmqConnection } from "./redis-connection.ts";
import { lazyIpfsReader } from "../storage/ipfs-node.ts";

/** What every operator process shares: chain access, the store and the queues. */
export interface OperatorRuntime {
  readonly config: OperatorConfig;
  readonly deployment: Deployment;
  readonly provider: JsonRpcProvider;
  readonly contracts: Contracts;
  readonly store: BlobStore;
  readonly connection: ConnectionOptions;
  readonly queues: { readonly rounds: Queue; readonly fetch: Queue; readonly shards: Queue; readonly submit: Queue };
  readonly limits: FetchLimits;
  readonly retry: JobRetrySettings;
  readonly log: Logger;
  /** Reads a round at the confirmed head, retrying transient RPC failures. */
  readRound(roundId: bigint): Promise<RoundSpec>;
  /** The confirmed head: latest block minus the configured confirmations. */
  confirmedHead(): Promise<number>;
  close(): Promise<void>;
}

/** Opens chain access, the store and the queues of one operator process. */
export async function openRuntime(config: OperatorConfig, redisUrl: string, log: Logger): Promise<OperatorRuntime> {
  const deployment = await readDeployment(config.DEPLOYMENT);
  const provider = providerFor(config.RPC_URL, deployment.chainId, Math.min(config.POLL_INTERVAL_MS, 4_000));
  const contracts = connectContracts(deployment, provider);
  const connection: ConnectionOptions = bullmqConnection(redisUrl);
  const ipfs = lazyIpfsReader(config, log);
  const queueOptions = { connection, prefix: config.QUEUE_PREFIX };
  const queues = {
    rounds: new Queue(QUEUES.rounds, queueOptions),
    fetch: new Queue(QUEUES.fetch, queueOptions),
    shards: new Queue(QUEUES.shards, queueOptions),
    submit: new Queue(QUEUES.submit, queueOptions),
  };
  for (const queue of Object.values(queues)) {
    queue.on("error", (err) => log.error({ err, queue: queue.name }, "queue connection error"));
  }
  const confirmedHead = async (): Promise<number> =>
    (await withRetry(() => provider.getBlockNumber(), { log, what: "eth_blockNumber" })) - config.CONFIRMATIONS;
  return {
    config,
    deployment,
    provider,
    contracts,
    store: new LocalDirectoryStore(config.STORE_DIR),
    connection,
    queues,
    limits: { maxBytes: config.FETCH_MAX_BYTES, timeoutMs: config.FETCH_TIMEOUT_MS, ipfs },
    retry: { roundAttempts: config.ROUND_ATTEMPTS, submitAttempts: config.SUBMIT_ATTEMPTS, backoffMs: config.JOB_BACKOFF_MS },
    log,
    confirmedHead,
    async readRound(roundId) {
      const head = await confirmedHead();
      return withRetry(() => readRoundSpec(contracts, deployment, roundId, head), { log, what: `read round ${roundId}` });
    },
    async close() {
      const results = await Promise.allSettled(Object.values(queues).map((q) => q.close()));
      for (const r of results) if (r.status === "rejected") log.error({ err: r.reason }, "queue close failed");
      await closeBullmqConnection(connection);
      await ipfs.close();
      provider.destroy();
    },
  };
}

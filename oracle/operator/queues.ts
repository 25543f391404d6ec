/**
 * The queue vocabulary of an operator: every queue name, job-id builder and job option. Every queue
 * of an operator shares one hash-tagged prefix (the QUEUE_PREFIX setting, `{cw}` by default), so all
 * of BullMQ's keys land in one Redis Cluster slot and the same code runs on a single Redis or a
 * Cluster; operators sharing a Redis use different prefixes.
 */

export const QUEUES = {
  /** One job per closed round (and generation): fetch, aggregate, assemble, then queue the submission. */
  rounds: "round",
  /** One job per revealed update: fetch, verify hash, validate. */
  fetch: "fetch-update",
  /** One job per coordinate-range shard of one aggregation pass. */
  shards: "aggregate-shard",
  /** One job per computed round: sign and attest. Only the process holding the key consumes it. */
  submit: "submit-result",
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

/** Job states in which a job is still going to run (or is running): the round needs nothing new. */
export const LIVE_JOB_STATES: ReadonlySet<string> = new Set(["waiting", "wait", "active", "delayed", "prioritized", "waiting-children"]);

/**
 * The deterministic id of a round's job: duplicates (watcher re-delivery, reconciliation, a second
 * watcher) collapse into one job. A round that must be driven again after its job finished (its
 * attempts used up, a reorg that dropped the attestation) gets the next `generation`, a fresh tree
 * of jobs; the computation is deterministic, so every generation signs the same digest.
 * BullMQ rejects ids with `:` and plain integers, hence the letters.
 */
export function roundJobId(chainId: bigint, roundId: bigint, generation = 0): string {
  const base = `chain-${chainId}-round-${roundId}`;
  return generation === 0 ? base : `${base}-g${generation}`;
}

/** Id of the fetch job of one contributor's update under round job `roundJob`. */
export function fetchJobId(roundJob: string, contributor: string): string {
  return `${roundJob}-fetch-${contributor.toLowerCase()}`;
}

/** Id of one shard job of one aggregation pass under round job `roundJob`. */
export function shardJobId(roundJob: string, pass: string, shard: number): string {
  return `${roundJob}-${pass}-shard-${shard}`;
}

/** Id of the submission queued by round job `roundJob`. */
export function submitJobId(roundJob: string): string {
  return `${roundJob}-submit`;
}

/** Retry settings of the jobs; all configurable so that tests can use short ones. */
export interface JobRetrySettings {
  /** Attempts of a round job. @defaultValue 5 */
  readonly roundAttempts: number;
  /** Attempts of a submit job. @defaultValue 8 */
  readonly submitAttempts: number;
  /** First backoff delay of round and submit jobs; doubles per attempt. @defaultValue 2000 */
  readonly backoffMs: number;
}

/** Options of a round job. */
export function roundJobOptions(jobId: string, retry: JobRetrySettings) {
  return { jobId, attempts: retry.roundAttempts, backoff: { type: "exponential", delay: retry.backoffMs } } as const;
}

/** Options of a submit job. */
export function submitJobOptions(jobId: string, retry: JobRetrySettings) {
  return { jobId, attempts: retry.submitAttempts, backoff: { type: "exponential", delay: retry.backoffMs } } as const;
}

/** Options of a fetch or shard child of round job `parent` (in queue `parentQueue`, BullMQ's qualified name). */
export function childJobOptions(jobId: string, parent: string, parentQueue: string) {
  return {
    jobId,
    attempts: 5,
    backoff: { type: "exponential", delay: 1_000 },
    removeOnComplete: false,
    parent: { id: parent, queue: parentQueue },
    failParentOnFailure: true,
  } as const;
}

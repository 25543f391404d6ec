/**
 * Queue names and job ids. Every queue of an operator shares one hash-tagged prefix (the
 * QUEUE_PREFIX setting, `{cw}` by default), so all of BullMQ's keys land in one Redis Cluster slot
 * and the same code runs on a single Redis or a Cluster; operators sharing a Redis use different
 * prefixes.
 */

export const QUEUES = {
  /** One job per closed round: fetch, aggregate, assemble, sign, submit. */
  rounds: "round",
  /** One job per revealed update: fetch, verify hash, validate. */
  fetch: "fetch-update",
  /** One job per coordinate-range shard of one aggregation pass. */
  shards: "aggregate-shard",
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

/**
 * The deterministic id of a round's job: duplicates (watcher re-delivery, reconciliation, a second
 * watcher) collapse into one job. BullMQ rejects ids with `:` and plain integers, hence the letters.
 */
export function roundJobId(chainId: bigint, roundId: bigint): string {
  return `chain-${chainId}-round-${roundId}`;
}

/** Id of the fetch job of one contributor's update in one round. */
export function fetchJobId(chainId: bigint, roundId: bigint, contributor: string): string {
  return `${roundJobId(chainId, roundId)}-fetch-${contributor.toLowerCase()}`;
}

/** Id of one shard job of one aggregation pass of one round. */
export function shardJobId(chainId: bigint, roundId: bigint, pass: string, shard: number): string {
  return `${roundJobId(chainId, roundId)}-${pass}-shard-${shard}`;
}

// In-memory doubles for the operator's round job: a fake BullMQ job and queues that record what is
// added, and a driver that runs the queued children with the real processors. Side-effect free.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

import { WaitingChildrenError, type JobsOptions } from "bullmq";
import { ZeroHash } from "ethers";

import type { RoundSpec } from "../../../oracle/chain/round-reader.ts";
import { createBackend } from "../../../oracle/compute/backends.ts";
import type { ComputeBackend } from "../../../oracle/compute/types.ts";
import { createLogger } from "../../../oracle/logger.ts";
import { processShard } from "../../../oracle/operator/jobs/aggregate-shard.ts";
import { processFetch } from "../../../oracle/operator/jobs/fetch-update.ts";
import { FetchJobSchema, ShardJobSchema, type RoundJobData } from "../../../oracle/operator/jobs/payloads.ts";
import { processRound, type JobSink, type RoundDeps, type RoundJobHandle, type RoundJobResult } from "../../../oracle/operator/jobs/round.ts";
import { QUEUES, roundJobId } from "../../../oracle/operator/queues.ts";
import { parseRoundJson } from "../../../oracle/protocol/round-input.ts";
import { hashBytes } from "../../../oracle/protocol/hash.ts";
import { LocalDirectoryStore } from "../../../oracle/storage/local-directory-store.ts";

export const SILENT = createLogger({ LOG_LEVEL: "silent" });
export const OPERATOR = "0x00000000000000000000000000000000000000aa";
const PREFIX = "bull:{cw}";

/** A job added to a {@link RecordingQueue}. */
export interface AddedJob {
  readonly name: string;
  readonly data: object;
  readonly opts: JobsOptions;
}

/** A queue that records what is added, deduplicating by job id as BullMQ does. */
export class RecordingQueue implements JobSink {
  readonly added: AddedJob[] = [];
  readonly #ids = new Set<string>();

  async add(name: string, data: object, opts: JobsOptions): Promise<unknown> {
    if (opts.jobId !== undefined && this.#ids.has(opts.jobId)) return undefined;
    if (opts.jobId !== undefined) this.#ids.add(opts.jobId);
    this.added.push({ name, data, opts });
    return undefined;
  }
}

/** A round job in memory: its data, and the return values of its completed children. */
export class FakeRoundJob implements RoundJobHandle {
  readonly id: string;
  data: unknown;
  readonly queueQualifiedName = `${PREFIX}:${QUEUES.rounds}`;
  readonly children = new Map<string, unknown>();

  constructor(id: string, data: unknown) {
    this.id = id;
    this.data = data;
  }

  async updateData(data: RoundJobData): Promise<void> {
    this.data = data;
  }

  async moveToWaitingChildren(): Promise<boolean> {
    return true;
  }

  async getChildrenValues(): Promise<Record<string, unknown>> {
    return Object.fromEntries(this.children);
  }
}

/** A conformance case laid out as a closed round: its spec, a store holding the base model, and the expected result. */
export interface CaseRound {
  readonly spec: RoundSpec;
  readonly store: LocalDirectoryStore;
  readonly expected: unknown;
  remove(): Promise<void>;
}

/** Reads conformance case `name` (test/vectors) as a Closed round whose reveals point at the case's files. */
export async function caseRound(name: string): Promise<CaseRound> {
  const dir = new URL(`../../vectors/${name}/`, import.meta.url);
  const round = parseRoundJson(JSON.parse(await readFile(new URL("round.json", dir), "utf8")));
  const work = await mkdtemp(join(tmpdir(), "cw-round-job-"));
  const store = new LocalDirectoryStore(join(work, "store"));
  const base = await readFile(new URL("base.safetensors", dir));
  const stored = await store.put(base);
  const spec: RoundSpec = {
    chainId: 31337n,
    roundsAddress: "0x0000000000000000000000000000000000000001",
    roundId: BigInt(round.roundId),
    status: "Closed",
    openedAt: 0n,
    policyVersion: 1n,
    policy: round.policy,
    base: { version: 1n, hash: hashBytes(base), uri: stored.uri },
    reveals: round.contributors.map((c) => ({
      contributor: c.address,
      updateHash: c.revealedHash,
      uri: c.file === null ? pathToFileURL(join(work, "missing.safetensors")).href : new URL(c.file, dir).href,
    })),
    revealsHash: ZeroHash,
    resultDigest: ZeroHash,
  };
  const expected: unknown = JSON.parse(await readFile(fileURLToPath(new URL("expected.json", dir)), "utf8"));
  return { spec, store, expected, remove: () => rm(work, { recursive: true, force: true }) };
}

/** The round processor's dependencies over `round`, with recording queues. */
export function roundDeps(round: CaseRound, overrides: Partial<RoundDeps> = {}): RoundDeps & { queues: { fetch: RecordingQueue; shards: RecordingQueue; submit: RecordingQueue } } {
  return {
    readRound: async () => round.spec,
    attestationOf: async () => ZeroHash,
    store: round.store,
    limits: { maxBytes: 64 * 1024 * 1024, timeoutMs: 2_000 },
    shardSize: 4,
    retry: { roundAttempts: 1, submitAttempts: 1, backoffMs: 10 },
    log: SILENT,
    ...overrides,
    queues: { fetch: new RecordingQueue(), shards: new RecordingQueue(), submit: new RecordingQueue() },
  };
}

/** A new round job for `round`. */
export function newRoundJob(round: CaseRound): FakeRoundJob {
  return new FakeRoundJob(roundJobId(round.spec.chainId, round.spec.roundId), {
    chainId: String(round.spec.chainId),
    roundId: String(round.spec.roundId),
    operator: OPERATOR,
    step: "collect",
  });
}

/**
 * Runs the round job to its end the way BullMQ would: after each wave of children, the children are
 * run with the real fetch and shard processors (cpu backend) and their results handed to the job.
 * `tamper` may change a wave's results before the job reads them.
 */
export async function driveRound(
  job: FakeRoundJob,
  deps: ReturnType<typeof roundDeps>,
  tamper: (children: Map<string, unknown>) => void = () => undefined,
  wrap: (backend: ComputeBackend) => ComputeBackend = (b) => b,
): Promise<RoundJobResult> {
  const inner: ComputeBackend = await createBackend("cpu", { threads: 1 });
  const backend = wrap(inner);
  let done = { fetch: 0, shards: 0 };
  try {
    for (;;) {
      try {
        return await processRound(job, "token", deps);
      } catch (err) {
        if (!(err instanceof WaitingChildrenError)) throw err;
      }
      for (const added of deps.queues.fetch.added.slice(done.fetch)) {
        const result = await processFetch(FetchJobSchema.parse(added.data), { store: deps.store, limits: deps.limits, attempts: 1, retryDelayMs: 1 });
        job.children.set(`${PREFIX}:${QUEUES.fetch}:${added.opts.jobId ?? ""}`, result);
      }
      for (const added of deps.queues.shards.added.slice(done.shards)) {
        const result = await processShard(ShardJobSchema.parse(added.data), { store: deps.store, backend, sliceCoordinates: 3 });
        job.children.set(`${PREFIX}:${QUEUES.shards}:${added.opts.jobId ?? ""}`, result);
      }
      done = { fetch: deps.queues.fetch.added.length, shards: deps.queues.shards.added.length };
      tamper(job.children);
    }
  } finally {
    await inner.dispose();
  }
}

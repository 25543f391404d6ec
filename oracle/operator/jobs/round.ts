import { UnrecoverableError, WaitingChildrenError, type JobsOptions } from "bullmq";
import { ZeroHash } from "ethers";
import type { z } from "zod";

import { splitRange } from "../../compute/combine.ts";
import { assembleOutcome, isOutcome, selectMembers, type PreparedRound, type RoundOutcome } from "../../compute/round-stages.ts";
import type { ScorePartial } from "../../compute/types.ts";
import type { RoundSpec } from "../../chain/round-reader.ts";
import { IntegrityError, UnavailableError } from "../../errors.ts";
import type { Logger } from "../../logger.ts";
import { buildResultPackage } from "../../protocol/result-package.ts";
import { canonicalOrder } from "../../protocol/result.ts";
import { needsDistances } from "../../protocol/rules.ts";
import type { InvalidReason } from "../../protocol/validate.ts";
import type { BlobStore } from "../../storage/blob-store.ts";
import { fetchBlob, type FetchLimits } from "../../storage/fetch-blob.ts";
import { putResultPackage } from "../../storage/result-package-store.ts";
import { childJobOptions, fetchJobId, shardJobId, submitJobId, submitJobOptions, type JobRetrySettings } from "../queues.ts";
import { getPartial, putManifest } from "../round-manifest.ts";
import { loadPreparedRound } from "./aggregate-shard.ts";
import { FetchResultSchema, RoundJobSchema, ShardResultSchema, type FetchJobData, type RoundJobData, type ShardJobData, type SubmitJobData } from "./payloads.ts";

/** Where a step queues jobs: a BullMQ `Queue`, or an in-memory one in tests. */
export interface JobSink {
  add(name: string, data: object, opts: JobsOptions): Promise<unknown>;
}

/** The parts of a BullMQ `Job` the round processor uses (so tests can drive it with a fake). */
export interface RoundJobHandle {
  readonly id?: string | undefined;
  readonly data: unknown;
  readonly queueQualifiedName: string;
  updateData(data: RoundJobData): Promise<void>;
  moveToWaitingChildren(token: string): Promise<boolean>;
  /** Return values of the completed children, by `<prefix>:<queue>:<jobId>`. */
  getChildrenValues(): Promise<Record<string, unknown>>;
}

/** What the round processor needs: chain reads, the store and the queues it fans out to. */
export interface RoundDeps {
  /** Reads the round as of the confirmed head (never from unconfirmed blocks). */
  readonly readRound: (roundId: bigint) => Promise<RoundSpec>;
  /** This operator's attestation digest of the round, zero when none. */
  readonly attestationOf: (roundId: bigint, operator: string) => Promise<string>;
  readonly store: BlobStore;
  readonly limits: FetchLimits;
  readonly shardSize: number;
  readonly retry: JobRetrySettings;
  readonly queues: { readonly fetch: JobSink; readonly shards: JobSink; readonly submit: JobSink };
  readonly log: Logger;
}

/** What a round job returns when it is done. */
export type RoundJobResult =
  | { readonly outcome: "already-settled" | "already-attested"; readonly status: string }
  | { readonly outcome: "computed"; readonly status: "ok" | "failed"; readonly modelHash: string | null; readonly package: string };

/** A step either finishes the job or queues children and names the step that reads them. */
type StepOutcome = { readonly done: RoundJobResult } | { readonly next: RoundJobData };

type StepOf<S extends RoundJobData["step"]> = Extract<RoundJobData, { step: S }>;

/**
 * One round, as a step machine that BullMQ re-runs after each wave of child jobs:
 * collect (chain read, base model, one fetch job per reveal) -> prepare (manifest; distance shards
 * for multi-krum) -> select (members; aggregate shards) -> assemble (partials combined, model
 * published, result package stored, submit job queued). Every child id is deterministic, so
 * re-running a step after a crash adds nothing twice. Children are read strictly: a missing or
 * malformed child result fails the job (it is never read as zeros).
 * @throws {UnrecoverableError} when the round is not Closed, or a child result is missing or malformed.
 */
export async function processRound(job: RoundJobHandle, token: string, deps: RoundDeps): Promise<RoundJobResult> {
  let data = RoundJobSchema.parse(job.data);
  for (;;) {
    const step = await runStep(job, data, deps);
    if ("done" in step) return step.done;
    await job.updateData(step.next);
    if (await job.moveToWaitingChildren(token)) throw new WaitingChildrenError();
    data = step.next;
  }
}

function runStep(job: RoundJobHandle, data: RoundJobData, deps: RoundDeps): Promise<StepOutcome> {
  switch (data.step) {
    case "collect":
      return collect(job, data, deps);
    case "prepare":
      return prepare(job, data, deps);
    case "select":
      return select(job, data, deps);
    case "assemble":
      return assemble(job, data, deps);
    case "done":
      throw new UnrecoverableError(`round job ${job.id ?? ""} already finished`);
  }
}

/** Reads the round at the confirmed head, caches the base model and queues one fetch job per reveal. */
export async function collect(job: RoundJobHandle, data: StepOf<"collect">, deps: RoundDeps): Promise<StepOutcome> {
  const roundId = BigInt(data.roundId);
  const spec = await deps.readRound(roundId);
  if (spec.status === "Finalized" || spec.status === "Failed") return { done: { outcome: "already-settled", status: spec.status } };
  if (spec.status !== "Closed") throw new UnrecoverableError(`round ${roundId} is ${spec.status}, not Closed, at the confirmed head`);
  if ((await deps.attestationOf(roundId, data.operator)) !== ZeroHash) return { done: { outcome: "already-attested", status: spec.status } };
  const base = await fetchBlob(spec.base.uri, spec.base.hash, deps.limits, deps.store);
  // The base model is published by the previous round's operators; until it is reachable, retry.
  if (!base.ok) throw new UnavailableError(`base model ${spec.base.hash} of round ${roundId} not available from ${spec.base.uri}: ${base.detail}`);
  const parent = jobIdOf(job);
  for (const reveal of spec.reveals) {
    const child: FetchJobData = {
      chainId: data.chainId,
      roundId: data.roundId,
      contributor: reveal.contributor,
      uri: reveal.uri,
      revealedHash: reveal.updateHash,
      baseHash: spec.base.hash,
      clipMantissa: spec.policy.clipMantissa,
      clipExp: spec.policy.clipExp,
    };
    await deps.queues.fetch.add("fetch", child, childJobOptions(fetchJobId(parent, reveal.contributor), parent, job.queueQualifiedName));
  }
  const manifest = await putManifest(deps.store, {
    roundId: data.roundId,
    policy: spec.policy,
    baseHash: spec.base.hash,
    revealsHash: spec.revealsHash,
    valid: [],
    invalid: {},
  });
  deps.log.info({ jobId: parent, roundId: data.roundId, reveals: spec.reveals.length }, "round collected; fetching updates");
  return { next: { ...roundKeys(data), step: "prepare", manifest, children: spec.reveals.length } };
}

/** Reads every fetch result into the manifest, then queues the first shard pass (or finishes a round that cannot run). */
export async function prepare(job: RoundJobHandle, data: StepOf<"prepare">, deps: RoundDeps): Promise<StepOutcome> {
  const fetched = await childResults(job, `${jobIdOf(job)}-fetch-`, FetchResultSchema, data.children, "fetch");
  if (new Set(fetched.map((f) => f.contributor)).size !== fetched.length) throw new UnrecoverableError(`round job ${jobIdOf(job)}: two fetch results for one contributor`);
  const seed = await loadPreparedRound(deps.store, data.manifest);
  const invalid: Record<string, InvalidReason> = {};
  const valid: { address: string; hash: string }[] = [];
  for (const f of canonicalOrder(fetched.map((r) => ({ ...r, address: r.contributor })))) {
    if (f.valid) valid.push({ address: f.address, hash: f.hash });
    else invalid[f.address] = f.reason;
  }
  const manifest = await putManifest(deps.store, { ...seed.manifest, valid, invalid });
  const { prepared } = await loadPreparedRound(deps.store, manifest);
  deps.log.info({ jobId: jobIdOf(job), roundId: data.roundId, valid: valid.length, invalid }, "updates fetched and validated");
  if (isOutcome(prepared)) return { done: await finish(job, data, manifest, prepared, deps) };
  if (needsDistances(prepared.policy)) {
    const children = await addShards(job, deps, { ...data, manifest }, prepared, "distances", undefined);
    return { next: { ...roundKeys(data), step: "select", manifest, children } };
  }
  const members = selectMembers(prepared);
  const children = await addShards(job, deps, { ...data, manifest }, prepared, "aggregate", members);
  return { next: { ...roundKeys(data), step: "assemble", manifest, children, members } };
}

/** Multi-krum: combines the distance partials, selects the members and queues the aggregate pass. */
export async function select(job: RoundJobHandle, data: StepOf<"select">, deps: RoundDeps): Promise<StepOutcome> {
  const prepared = await runnable(job, data.manifest, deps);
  const results = await shardResults(job, "distances", data.children);
  const partials = await Promise.all(results.map((r) => getPartial(deps.store, r.partial)));
  const members = selectMembers(
    prepared,
    partials.map((p) => {
      if (p.pass !== "distances") throw new IntegrityError(`round ${data.roundId}: a distances shard stored an ${p.pass} partial`);
      return p.distances;
    }),
  );
  const children = await addShards(job, deps, data, prepared, "aggregate", members);
  return { next: { ...roundKeys(data), step: "assemble", manifest: data.manifest, children, members } };
}

/** Combines the aggregate slices and score partials into the outcome and queues its submission. */
export async function assemble(job: RoundJobHandle, data: StepOf<"assemble">, deps: RoundDeps): Promise<StepOutcome> {
  const prepared = await runnable(job, data.manifest, deps);
  const results = await shardResults(job, "aggregate", data.children);
  const slices: Float64Array[] = [];
  const dots: ScorePartial[] = [];
  for (const r of results) {
    const p = await getPartial(deps.store, r.partial);
    if (p.pass !== "aggregate") throw new UnrecoverableError(`round job ${jobIdOf(job)}: aggregate shard ${r.index} stored a ${p.pass} partial`);
    slices.push(p.slice);
    dots.push(p.dots);
  }
  const total = slices.reduce((n, s) => n + s.length, 0);
  if (total !== prepared.round.size) throw new UnrecoverableError(`round job ${jobIdOf(job)}: aggregate slices cover ${total} of ${prepared.round.size} coordinates`);
  return { done: await finish(job, data, data.manifest, assembleOutcome(prepared, data.members, slices, dots), deps) };
}

function roundKeys(data: RoundJobData): { chainId: string; roundId: string; operator: string } {
  return { chainId: data.chainId, roundId: data.roundId, operator: data.operator };
}

function jobIdOf(job: RoundJobHandle): string {
  if (job.id === undefined) throw new UnrecoverableError("a round job without an id");
  return job.id;
}

async function runnable(job: RoundJobHandle, manifest: string, deps: RoundDeps): Promise<PreparedRound> {
  const { prepared } = await loadPreparedRound(deps.store, manifest);
  if (isOutcome(prepared)) throw new UnrecoverableError(`round job ${jobIdOf(job)}: shards were queued for a round that cannot run`);
  return prepared;
}

/**
 * The results of the children whose job id starts with `idPrefix`, each parsed with `schema`.
 * @throws {UnrecoverableError} when one does not parse or their number is not `expected`.
 */
async function childResults<S extends z.ZodType>(job: RoundJobHandle, idPrefix: string, schema: S, expected: number, what: string): Promise<z.infer<S>[]> {
  const values = Object.entries(await job.getChildrenValues()).filter(([key]) => (key.split(":").at(-1) ?? "").startsWith(idPrefix));
  const parsed = values.map(([key, value]) => {
    const result = schema.safeParse(value);
    if (!result.success) throw new UnrecoverableError(`round job ${jobIdOf(job)}: the ${what} result of ${key} is malformed`);
    return result.data as z.infer<S>;
  });
  if (parsed.length !== expected) throw new UnrecoverableError(`round job ${jobIdOf(job)}: ${parsed.length} of ${expected} ${what} results present`);
  return parsed;
}

/** The results of one shard pass in index order; every index `0..expected-1` exactly once. */
async function shardResults(job: RoundJobHandle, pass: ShardJobData["pass"], expected: number): Promise<z.infer<typeof ShardResultSchema>[]> {
  const results = await childResults(job, `${jobIdOf(job)}-${pass}-shard-`, ShardResultSchema, expected, `${pass} shard`);
  const sorted = [...results].sort((a, b) => a.index - b.index);
  sorted.forEach((r, i) => {
    if (r.index !== i || r.pass !== pass) throw new UnrecoverableError(`round job ${jobIdOf(job)}: ${pass} shard results do not cover indices 0..${expected - 1}`);
  });
  return sorted;
}

/** Queues one shard job per coordinate range; returns how many. */
async function addShards(
  job: RoundJobHandle,
  deps: RoundDeps,
  data: { chainId: string; roundId: string; manifest: string },
  prepared: PreparedRound,
  pass: ShardJobData["pass"],
  members: number[] | undefined,
): Promise<number> {
  const parent = jobIdOf(job);
  const count = Math.max(1, Math.ceil(prepared.round.size / deps.shardSize));
  const ranges = splitRange({ start: 0, end: prepared.round.size }, count);
  for (const [index, range] of ranges.entries()) {
    const shard: ShardJobData = {
      chainId: data.chainId,
      roundId: data.roundId,
      manifest: data.manifest,
      pass,
      index,
      start: range.start,
      end: range.end,
      ...(members ? { members } : {}),
    };
    await deps.queues.shards.add(pass, shard, childJobOptions(shardJobId(parent, pass, index), parent, job.queueQualifiedName));
  }
  return ranges.length;
}

async function finish(job: RoundJobHandle, data: RoundJobData, manifestHash: string, outcome: RoundOutcome, deps: RoundDeps): Promise<RoundJobResult> {
  const { manifest } = await loadPreparedRound(deps.store, manifestHash);
  const modelUri = outcome.model ? (await deps.store.put(outcome.model)).uri : "";
  const pkg = buildResultPackage({ chainId: data.chainId, roundId: data.roundId, revealsHash: manifest.revealsHash, result: outcome.result, modelUri });
  const packageHash = await putResultPackage(deps.store, pkg);
  const submit: SubmitJobData = { chainId: data.chainId, roundId: data.roundId, package: packageHash };
  await deps.queues.submit.add("submit", submit, submitJobOptions(submitJobId(jobIdOf(job)), deps.retry));
  await job.updateData({ ...roundKeys(data), step: "done", manifest: manifestHash });
  deps.log.info({ roundId: data.roundId, status: outcome.result.status, modelHash: outcome.result.modelHash }, "round computed; submission queued");
  return { outcome: "computed", status: outcome.result.status, modelHash: outcome.result.modelHash, package: packageHash };
}

import { UnrecoverableError, WaitingChildrenError, type Job, type Queue } from "bullmq";
import { ZeroHash } from "ethers";

import { splitRange } from "../../compute/combine.ts";
import { assembleOutcome, isOutcome, selectMembers, type PreparedRound, type RoundOutcome } from "../../compute/round-stages.ts";
import type { ScorePartial } from "../../compute/types.ts";
import type { RoundSpec } from "../../chain/round-reader.ts";
import { buildResultPackage } from "../../protocol/result-package.ts";
import { canonicalOrder } from "../../protocol/result.ts";
import { needsDistances } from "../../protocol/rules.ts";
import type { InvalidReason } from "../../protocol/validate.ts";
import type { BlobStore } from "../../storage/blob-store.ts";
import { fetchBlob, type FetchLimits } from "../../storage/fetch-blob.ts";
import { putResultPackage } from "../../storage/result-package-store.ts";
import type { Logger } from "../../logger.ts";
import { fetchJobId, shardJobId } from "../queue-names.ts";
import { getPartial, putManifest } from "../round-manifest.ts";
import { loadPreparedRound } from "./aggregate-shard.ts";
import {
  FetchResultSchema,
  RoundJobSchema,
  ShardResultSchema,
  type FetchJobData,
  type ShardJobData,
  type SubmitJobData,
} from "./payloads.ts";

/** What the round processor needs: chain reads, the store and the queues it fans out to. */
export interface RoundDeps {
  /** Reads the round as of the confirmed head (never from unconfirmed blocks). */
  readonly readRound: (roundId: bigint) => Promise<RoundSpec>;
  /** This operator's attestation digest of the round, zero when none. */
  readonly attestationOf: (roundId: bigint, operator: string) => Promise<string>;
  readonly store: BlobStore;
  readonly limits: FetchLimits;
  readonly shardSize: number;
  readonly queues: { readonly fetch: Queue; readonly shards: Queue; readonly submit: Queue };
  readonly log: Logger;
}

/** What a round job returns when it is done. */
export type RoundJobResult =
  | { readonly outcome: "already-settled" | "already-attested"; readonly status: string }
  | { readonly outcome: "computed"; readonly status: "ok" | "failed"; readonly modelHash: string | null; readonly package: string };

const CHILD_OPTIONS = { attempts: 5, backoff: { type: "exponential", delay: 1_000 }, removeOnComplete: false } as const;

/**
 * One round, as a step machine that BullMQ re-runs after each wave of child jobs:
 * collect (chain read, base model, one fetch job per reveal) -> prepare (manifest; distance shards
 * for multi-krum) -> select (members) -> assemble (aggregate shards combined, model published,
 * result package stored, submit job queued). Every child id is deterministic, so re-running a step
 * after a crash adds nothing twice.
 */
export async function processRound(job: Job, token: string, deps: RoundDeps): Promise<RoundJobResult> {
  const data = RoundJobSchema.parse(job.data);
  const roundId = BigInt(data.roundId);
  const log = deps.log.child({ jobId: job.id, roundId: data.roundId, step: data.step });
  const advance = async (patch: Partial<typeof data>): Promise<boolean> => {
    await job.updateData({ ...data, ...patch });
    return job.moveToWaitingChildren(token);
  };

  if (data.step === "collect") {
    const spec = await deps.readRound(roundId);
    if (spec.status === "Finalized" || spec.status === "Failed") return { outcome: "already-settled", status: spec.status };
    if (spec.status !== "Closed") throw new UnrecoverableError(`round ${roundId} is ${spec.status}, not Closed, at the confirmed head`);
    if ((await deps.attestationOf(roundId, data.operator)) !== ZeroHash) return { outcome: "already-attested", status: spec.status };
    const base = await fetchBlob(spec.base.uri, spec.base.hash, deps.limits, deps.store);
    // The base model is published by the previous round's operators; until it is reachable, retry.
    if (!base.ok) throw new Error(`base model ${spec.base.hash} of round ${roundId} not available from ${spec.base.uri}: ${base.detail}`);
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
      await deps.queues.fetch.add("fetch", child, {
        ...CHILD_OPTIONS,
        jobId: fetchJobId(BigInt(data.chainId), roundId, reveal.contributor),
        parent: { id: job.id as string, queue: job.queueQualifiedName },
      });
    }
    const manifest = await putManifest(deps.store, {
      roundId: data.roundId,
      policy: spec.policy,
      baseHash: spec.base.hash,
      revealsHash: spec.revealsHash,
      valid: [],
      invalid: {},
    });
    log.info({ reveals: spec.reveals.length }, "round collected; fetching updates");
    if (await advance({ step: "prepare", manifest })) throw new WaitingChildrenError();
    return processRound(job, token, deps);
  }

  const children = Object.values(await job.getChildrenValues());
  if (data.step === "prepare") {
    const fetched = children.flatMap((v) => {
      const parsed = FetchResultSchema.safeParse(v);
      return parsed.success ? [parsed.data] : [];
    });
    const seed = await loadPreparedRound(deps.store, data.manifest as string);
    const invalid: Record<string, InvalidReason> = {};
    const valid: { address: string; hash: string }[] = [];
    for (const f of canonicalOrder(fetched.map((r) => ({ ...r, address: r.contributor })))) {
      if (f.valid) valid.push({ address: f.address, hash: f.hash });
      else invalid[f.address] = f.reason;
    }
    const manifest = await putManifest(deps.store, { ...seed.manifest, valid, invalid });
    const { prepared } = await loadPreparedRound(deps.store, manifest);
    log.info({ valid: valid.length, invalid }, "updates fetched and validated");
    if (isOutcome(prepared)) return finish(job, data, manifest, prepared, deps);
    const pass = needsDistances(prepared.policy) ? "distances" : "aggregate";
    const members = pass === "aggregate" ? selectMembers(prepared) : undefined;
    await addShards(job, deps, { ...data, manifest }, prepared, pass, members);
    if (await advance({ step: pass === "distances" ? "select" : "assemble", manifest, members })) throw new WaitingChildrenError();
    return processRound(job, token, deps);
  }

  const { prepared } = await loadPreparedRound(deps.store, data.manifest as string);
  if (isOutcome(prepared)) return finish(job, data, data.manifest as string, prepared, deps);
  const shardResults = children.flatMap((v) => {
    const parsed = ShardResultSchema.safeParse(v);
    return parsed.success ? [parsed.data] : [];
  });
  if (data.step === "select") {
    const partials = await Promise.all(
      shardResults.filter((r) => r.pass === "distances").sort((a, b) => a.index - b.index).map((r) => getPartial(deps.store, r.partial)),
    );
    const members = selectMembers(prepared, partials.map((p) => (p.pass === "distances" ? [...p.distances] : [])));
    await addShards(job, deps, data, prepared, "aggregate", members);
    if (await advance({ step: "assemble", members })) throw new WaitingChildrenError();
    return processRound(job, token, deps);
  }

  const members = data.members ?? selectMembers(prepared);
  const partials = await Promise.all(
    shardResults.filter((r) => r.pass === "aggregate").sort((a, b) => a.index - b.index).map((r) => getPartial(deps.store, r.partial)),
  );
  const slices: Float64Array[] = [];
  const dots: ScorePartial[] = [];
  for (const p of partials) {
    if (p.pass !== "aggregate") continue;
    slices.push(p.slice);
    dots.push(p.dots);
  }
  return finish(job, data, data.manifest as string, assembleOutcome(prepared, members, slices, dots), deps);
}

async function addShards(
  job: Job,
  deps: RoundDeps,
  data: { chainId: string; roundId: string; manifest?: string | undefined },
  prepared: PreparedRound,
  pass: ShardJobData["pass"],
  members: number[] | undefined,
): Promise<void> {
  const count = Math.max(1, Math.ceil(prepared.round.size / deps.shardSize));
  const ranges = splitRange({ start: 0, end: prepared.round.size }, count);
  for (const [index, range] of ranges.entries()) {
    const shard: ShardJobData = {
      chainId: data.chainId,
      roundId: data.roundId,
      manifest: data.manifest as string,
      pass,
      index,
      start: range.start,
      end: range.end,
      ...(members ? { members } : {}),
    };
    await deps.queues.shards.add(pass, shard, {
      ...CHILD_OPTIONS,
      jobId: shardJobId(BigInt(data.chainId), BigInt(data.roundId), pass, index),
      parent: { id: job.id as string, queue: job.queueQualifiedName },
      failParentOnFailure: true,
    });
  }
}

async function finish(job: Job, data: { chainId: string; roundId: string }, manifestHash: string, outcome: RoundOutcome, deps: RoundDeps): Promise<RoundJobResult> {
  const { manifest } = await loadPreparedRound(deps.store, manifestHash);
  const modelUri = outcome.model ? (await deps.store.put(outcome.model)).uri : "";
  const pkg = buildResultPackage({ chainId: data.chainId, roundId: data.roundId, revealsHash: manifest.revealsHash, result: outcome.result, modelUri });
  const packageHash = await putResultPackage(deps.store, pkg);
  const submit: SubmitJobData = { chainId: data.chainId, roundId: data.roundId, package: packageHash };
  await deps.queues.submit.add("submit", submit, {
    jobId: `${job.id as string}-submit-${packageHash.slice(2, 14)}`,
    attempts: 8,
    backoff: { type: "exponential", delay: 2_000 },
  });
  await job.updateData({ ...job.data, step: "done" });
  deps.log.info({ roundId: data.roundId, status: outcome.result.status, modelHash: outcome.result.modelHash }, "round computed; submission queued");
  return { outcome: "computed", status: outcome.result.status, modelHash: outcome.result.modelHash, package: packageHash };
}

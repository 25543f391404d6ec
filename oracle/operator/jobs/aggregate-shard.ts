import { isOutcome, prepareRound, type ValidContribution } from "../../compute/round-stages.ts";
import { combineAggregate, combineDistances, combineScoreDots } from "../../compute/combine.ts";
import type { ComputeBackend, CoordinateRange, DistancePartial, ScorePartial } from "../../compute/types.ts";
import { assertInvariant } from "../../errors.ts";
import type { Hash } from "../../protocol/hash.ts";
import { layoutOf } from "../../protocol/layout.ts";
import { decodeModel } from "../../protocol/model-file.ts";
import { planFor } from "../../protocol/rules.ts";
import { decodeUpdate } from "../../protocol/update-file.ts";
import type { BlobStore } from "../../storage/blob-store.ts";
import { mustGet } from "../../storage/must-get.ts";
import { getManifest, putPartial, type RoundManifest } from "../round-manifest.ts";
import type { ShardJobData, ShardResult } from "./payloads.ts";

/** What the shard processor needs. */
export interface ShardDeps {
  readonly store: BlobStore;
  readonly backend: ComputeBackend;
  /** Coordinates per backend call. @defaultValue {@link DEFAULT_SLICE_COORDINATES} */
  readonly sliceCoordinates?: number;
}

/**
 * Rebuilds a round's aligned updates from its manifest and the store. Deterministic: every job on
 * every machine that reads the same manifest gets the same {@link PreparedRound}.
 */
export async function loadPreparedRound(store: BlobStore, manifestHash: string): Promise<{ manifest: RoundManifest; prepared: ReturnType<typeof prepareRound> }> {
  const manifest = await getManifest(store, manifestHash);
  const baseHash = manifest.baseHash.toLowerCase() as Hash;
  const base = decodeModel(await mustGet(store, baseHash, "base model"));
  const layout = layoutOf(base);
  const valid: ValidContribution[] = [];
  for (const { address, hash } of manifest.valid) {
    const bytes = await mustGet(store, hash, `update of ${address}`);
    valid.push({ address, update: decodeUpdate(bytes, { roundId: manifest.roundId, baseHash, layout }) });
  }
  const prepared = prepareRound({ roundId: manifest.roundId, policy: manifest.policy, base, baseHash, valid, invalid: { ...manifest.invalid } });
  return { manifest, prepared };
}

/** Coordinates one backend call covers; between slices the event loop runs, so BullMQ renews the job's lock. */
export const DEFAULT_SLICE_COORDINATES = 16_384;

/** Lets timers (BullMQ's lock renewal among them) run between two slices of synchronous compute. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Computes one coordinate range of one pass: multi-krum's partial distances, or the aggregate slice
 * with its partial score dot products. The partial goes to the store; the job returns its hash.
 * The range is computed in slices of `deps.sliceCoordinates` with the event loop free between them:
 * a backend that computes on the main thread (pure-JS tfjs) would otherwise starve BullMQ's lock
 * renewal and lose a long job. Partials of sub-ranges add up exactly, so slicing changes no bit.
 */
export async function processShard(data: ShardJobData, deps: ShardDeps): Promise<ShardResult> {
  const { prepared } = await loadPreparedRound(deps.store, data.manifest);
  assertInvariant(!isOutcome(prepared), `round ${data.roundId}: a shard was scheduled for a round that cannot run`);
  const round = prepared.round;
  const range = { start: data.start, end: Math.min(data.end, round.size) };
  const step = Math.max(1, deps.sliceCoordinates ?? DEFAULT_SLICE_COORDINATES);
  const slices: CoordinateRange[] = [];
  for (let start = range.start; start < range.end; start += step) slices.push({ start, end: Math.min(range.end, start + step) });
  const session = await deps.backend.open(round);
  try {
    if (data.pass === "distances") {
      const parts: DistancePartial[] = [];
      for (const slice of slices) {
        parts.push(await session.distances(slice));
        await yieldToEventLoop();
      }
      // Exact in either form; float64 (8 bytes a pair) whenever the proven bound allows.
      const distances = combineDistances(parts, prepared.addresses.length);
      return { pass: "distances", index: data.index, partial: await putPartial(deps.store, { pass: "distances", distances }) };
    }
    assertInvariant(data.members !== undefined, "an aggregate shard needs its members");
    const plan = planFor(prepared.policy, round, data.members);
    const aggregates: Float64Array[] = [];
    const dotParts: ScorePartial[] = [];
    for (const slice of slices) {
      const aggregate = await session.aggregate(plan, slice);
      await yieldToEventLoop();
      dotParts.push(await session.scoreDots(data.members, aggregate, slice));
      aggregates.push(aggregate);
      await yieldToEventLoop();
    }
    const sum = combineScoreDots(dotParts, data.members.length);
    const dots: ScorePartial = { qa: sum.qa.map(String), qq: sum.qq.map(String), aa: String(sum.aa) };
    const slice = combineAggregate(aggregates, range.end - range.start);
    return { pass: "aggregate", index: data.index, partial: await putPartial(deps.store, { pass: "aggregate", slice, dots }) };
  } finally {
    await session.close();
  }
}

import { isOutcome, prepareRound, type PreparedRound, type ValidContribution } from "../../compute/round-stages.ts";
import type { ComputeBackend } from "../../compute/types.ts";
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

/**
 * Computes one coordinate range of one pass: multi-krum's partial distances, or the aggregate slice
 * with its partial score dot products. The partial goes to the store; the job returns its hash.
 */
export async function processShard(data: ShardJobData, deps: ShardDeps): Promise<ShardResult> {
  const { prepared } = await loadPreparedRound(deps.store, data.manifest);
  assertInvariant(!isOutcome(prepared), `round ${data.roundId}: a shard was scheduled for a round that cannot run`);
  const round = (prepared as PreparedRound).round;
  const range = { start: data.start, end: Math.min(data.end, round.size) };
  const session = await deps.backend.open(round);
  try {
    if (data.pass === "distances") {
      const distances = await session.distances(range);
      return { pass: "distances", index: data.index, partial: await putPartial(deps.store, { pass: "distances", distances }) };
    }
    assertInvariant(data.members !== undefined, "an aggregate shard needs its members");
    const plan = planFor(prepared.policy, round, data.members);
    const slice = await session.aggregate(plan, range);
    const dots = await session.scoreDots(data.members, slice, range);
    return { pass: "aggregate", index: data.index, partial: await putPartial(deps.store, { pass: "aggregate", slice, dots }) };
  } finally {
    await session.close();
  }
}

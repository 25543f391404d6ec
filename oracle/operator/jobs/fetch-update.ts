import { layoutOf } from "../../protocol/layout.ts";
import { decodeModel } from "../../protocol/model-file.ts";
import { DEFAULT_LIMITS } from "../../protocol/safetensors.ts";
import { validateUpdate } from "../../protocol/validate.ts";
import type { BlobStore } from "../../storage/blob-store.ts";
import { fetchBlob, type FetchLimits } from "../../storage/fetch-blob.ts";
import { effectiveFetchLimits } from "../../storage/fetch-limits.ts";
import { mustGet } from "../../storage/must-get.ts";
import type { FetchJobData, FetchResult } from "./payloads.ts";

/** What the fetch processor needs. */
export interface FetchDeps {
  readonly store: BlobStore;
  readonly limits: FetchLimits;
  /** Attempts per fetch before the update counts as `unavailable`. @defaultValue 3 */
  readonly attempts?: number;
  /** Pause between attempts. @defaultValue 500 */
  readonly retryDelayMs?: number;
}

/**
 * Fetches one revealed update, checks it against the revealed hash and validates it (docs/protocol.md
 * §1.2). A bad update is a recorded result, never a job failure; only a broken store throws. A valid
 * file stays in the store under its hash, where shard jobs read it.
 */
export async function processFetch(data: FetchJobData, deps: FetchDeps): Promise<FetchResult> {
  const attempts = deps.attempts ?? 3;
  const base = decodeModel(await mustGet(deps.store, data.baseHash, "base model"));
  const limits = effectiveFetchLimits(deps.limits, layoutOf(base));
  let outcome = await fetchBlob(data.uri, data.revealedHash, limits, deps.store);
  for (let attempt = 2; attempt <= attempts && !outcome.ok && outcome.reason === "unavailable"; attempt += 1) {
    await new Promise((resolve) => setTimeout(resolve, deps.retryDelayMs ?? 500));
    outcome = await fetchBlob(data.uri, data.revealedHash, limits, deps.store);
  }
  if (!outcome.ok) return { contributor: data.contributor, valid: false, reason: outcome.reason, detail: outcome.detail };
  const validation = validateUpdate(
    outcome.bytes,
    data.revealedHash,
    { roundId: data.roundId, baseHash: data.baseHash.toLowerCase() as `0x${string}`, layout: layoutOf(base) },
    { clipMantissa: data.clipMantissa, clipExp: data.clipExp },
    { ...DEFAULT_LIMITS, maxFileBytes: limits.maxBytes },
  );
  if (!validation.valid) return { contributor: data.contributor, valid: false, reason: validation.reason, detail: `failed the ${validation.reason} check` };
  return { contributor: data.contributor, valid: true, hash: outcome.hash };
}

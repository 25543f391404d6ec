import { z } from "zod";

import type { ScorePartial } from "../compute/types.ts";
import { PolicySchema, type Policy } from "../protocol/policy.ts";
import { INVALID_REASONS, type InvalidReason } from "../protocol/validate.ts";
import type { BlobStore } from "../storage/blob-store.ts";
import { mustGet } from "../storage/must-get.ts";

/**
 * A round's inputs after the fetch stage, stored as one JSON blob: everything a shard job on any
 * machine needs to rebuild the same aligned round. `valid` is in canonical (address) order.
 */
export interface RoundManifest {
  readonly roundId: string;
  readonly policy: Policy;
  readonly baseHash: string;
  readonly revealsHash: string;
  readonly valid: readonly { readonly address: string; readonly hash: string }[];
  readonly invalid: Readonly<Record<string, InvalidReason>>;
}

const ManifestJsonSchema = z.object({
  roundId: z.string(),
  policy: z.unknown(),
  baseHash: z.string(),
  revealsHash: z.string(),
  valid: z.array(z.object({ address: z.string(), hash: z.string() })),
  invalid: z.record(z.string(), z.enum(INVALID_REASONS)),
});

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Stores a manifest and returns its hash. */
export async function putManifest(store: BlobStore, manifest: RoundManifest): Promise<string> {
  const json = { ...manifest, policy: { ...manifest.policy, rewardPool: manifest.policy.rewardPool.toString() } };
  return (await store.put(encoder.encode(JSON.stringify(json)))).hash;
}

/** Reads a manifest. @throws {IntegrityError} when it is missing or not a manifest. */
export async function getManifest(store: BlobStore, hash: string): Promise<RoundManifest> {
  const json = ManifestJsonSchema.parse(JSON.parse(decoder.decode(await mustGet(store, hash, "round manifest"))));
  return { ...json, policy: PolicySchema.parse(json.policy) };
}

/** A shard's output: distance partials, or an aggregate slice with its score partial. */
export type ShardPartial =
  | { readonly pass: "distances"; readonly distances: readonly string[] }
  | { readonly pass: "aggregate"; readonly slice: Float64Array; readonly dots: ScorePartial };

const PartialJsonSchema = z.union([
  z.object({ pass: z.literal("distances"), distances: z.array(z.string()) }),
  z.object({
    pass: z.literal("aggregate"),
    slice: z.string(),
    dots: z.object({ qa: z.array(z.string()), qq: z.array(z.string()), aa: z.string() }),
  }),
]);

/** Stores a shard partial (the slice as base64 of its little-endian float64 bytes) and returns its hash. */
export async function putPartial(store: BlobStore, partial: ShardPartial): Promise<string> {
  const json =
    partial.pass === "distances"
      ? partial
      : { pass: partial.pass, slice: Buffer.from(partial.slice.buffer, partial.slice.byteOffset, partial.slice.byteLength).toString("base64"), dots: partial.dots };
  return (await store.put(encoder.encode(JSON.stringify(json)))).hash;
}

/** Reads a shard partial. @throws {IntegrityError} when it is missing or malformed. */
export async function getPartial(store: BlobStore, hash: string): Promise<ShardPartial> {
  const json = PartialJsonSchema.parse(JSON.parse(decoder.decode(await mustGet(store, hash, "shard partial"))));
  if (json.pass === "distances") return json;
  const bytes = Buffer.from(json.slice, "base64");
  const slice = new Float64Array(bytes.byteLength / Float64Array.BYTES_PER_ELEMENT);
  new Uint8Array(slice.buffer).set(bytes);
  return { pass: "aggregate", slice, dots: json.dots };
}

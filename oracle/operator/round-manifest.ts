import { z } from "zod";

import type { DistancePartial, ScorePartial } from "../compute/types.ts";
import { IntegrityError } from "../errors.ts";
import { parsePolicy, type Policy } from "../protocol/policy.ts";
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
  return { ...json, policy: parsePolicy(json.policy) };
}

/** A shard's output: distance partials, or an aggregate slice with its score partial. */
export type ShardPartial =
  | { readonly pass: "distances"; readonly distances: DistancePartial }
  | { readonly pass: "aggregate"; readonly slice: Float64Array; readonly dots: ScorePartial };

const PartialJsonSchema = z.union([
  // The wide form; `distances` as the older all-string form reads the same way.
  z.object({ pass: z.literal("distances"), distances: z.array(z.string().regex(/^(0|[1-9][0-9]*)$/)) }),
  z.object({
    pass: z.literal("aggregate"),
    slice: z.string(),
    dots: z.object({ qa: z.array(z.string()), qq: z.array(z.string()), aa: z.string() }),
  }),
]);

/**
 * Prefix of a float64 distance partial, stored as bytes rather than JSON (N = 10,000 has 50M
 * pairs: 400 MB raw, beyond what one JSON string holds once in base64). 16 bytes, so the
 * little-endian float64 totals that follow start 8-byte aligned.
 */
const FLOAT64_DISTANCES_MAGIC = encoder.encode("cw-distances-64\n");

function float64DistanceBytes(totals: Float64Array): Uint8Array {
  const out = new Uint8Array(FLOAT64_DISTANCES_MAGIC.length + totals.byteLength);
  out.set(FLOAT64_DISTANCES_MAGIC, 0);
  out.set(new Uint8Array(totals.buffer, totals.byteOffset, totals.byteLength), FLOAT64_DISTANCES_MAGIC.length);
  return out;
}

function isFloat64Distances(bytes: Uint8Array): boolean {
  return bytes.length >= FLOAT64_DISTANCES_MAGIC.length && FLOAT64_DISTANCES_MAGIC.every((b, i) => bytes[i] === b);
}

/**
 * Stores a shard partial and returns its hash: float64 distances as {@link FLOAT64_DISTANCES_MAGIC}
 * and the raw totals; everything else as JSON (BigInt distances as decimal strings, the slice as
 * base64 of its little-endian float64 bytes).
 */
export async function putPartial(store: BlobStore, partial: ShardPartial): Promise<string> {
  if (partial.pass === "distances" && partial.distances.kind === "float64") return (await store.put(float64DistanceBytes(partial.distances.totals))).hash;
  const json =
    partial.pass === "distances"
      ? { pass: partial.pass, distances: Array.from(partial.distances.totals, String) }
      : { pass: partial.pass, slice: Buffer.from(partial.slice.buffer, partial.slice.byteOffset, partial.slice.byteLength).toString("base64"), dots: partial.dots };
  return (await store.put(encoder.encode(JSON.stringify(json)))).hash;
}

/**
 * Reads a shard partial. Float64 distances are checked to hold integers in `[0, 2^53)` only when
 * combined (`combineDistances`). @throws {IntegrityError} when it is missing or malformed.
 */
export async function getPartial(store: BlobStore, hash: string): Promise<ShardPartial> {
  const raw = await mustGet(store, hash, "shard partial");
  if (isFloat64Distances(raw)) {
    const bytes = raw.subarray(FLOAT64_DISTANCES_MAGIC.length);
    if (bytes.byteLength % Float64Array.BYTES_PER_ELEMENT !== 0) throw new IntegrityError(`shard partial ${hash}: float64 distances of ${bytes.byteLength} bytes`);
    const totals = new Float64Array(bytes.byteLength / Float64Array.BYTES_PER_ELEMENT);
    new Uint8Array(totals.buffer).set(bytes);
    return { pass: "distances", distances: { kind: "float64", totals } };
  }
  const json = PartialJsonSchema.parse(JSON.parse(decoder.decode(raw)));
  if (json.pass === "distances") return { pass: "distances", distances: { kind: "bigint", totals: json.distances.map(BigInt) } };
  const bytes = Buffer.from(json.slice, "base64");
  const slice = new Float64Array(bytes.byteLength / Float64Array.BYTES_PER_ELEMENT);
  new Uint8Array(slice.buffer).set(bytes);
  return { pass: "aggregate", slice, dots: json.dots };
}

import { createHash } from "node:crypto";

import type { Hash } from "./hash.ts";
import type { InvalidReason } from "./validate.ts";

/**
 * The round outcome with exactly the fields of `expected.json` (docs/protocol.md §6), keys in ascending
 * byte order. Maps are plain objects whose keys are inserted in ascending order.
 */
export type RoundResult = {
  E: Record<string, number> | null;
  aggregateSha256: Hash | null;
  dust: string | null;
  excluded: string[];
  invalid: Record<string, InvalidReason>;
  metricsHash: Hash;
  modelHash: Hash | null;
  rewards: Record<string, string>;
  scores: Record<string, string>;
  selected: string[];
  status: "ok" | "failed";
};

/** The result document of §5: every field of {@link RoundResult} except `metricsHash`. */
export type ResultDocument = Omit<RoundResult, "metricsHash">;

/** JSON with object keys in ascending byte order at every level and no whitespace (§5). */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const keys = Object.keys(value).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** `metricsHash` (§5): sha256 of the canonical JSON of the result document. */
export function metricsHash(doc: ResultDocument): Hash {
  return `0x${createHash("sha256").update(canonicalJson(doc)).digest("hex")}`;
}

function sortedRecord<V>(entries: Iterable<readonly [string, V]>): Record<string, V> {
  const list = [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(list) as Record<string, V>;
}

/** Builds a {@link RoundResult} from its document, adding `metricsHash`; keys come out sorted. */
export function finishResult(doc: ResultDocument): RoundResult {
  const sorted: ResultDocument = {
    ...doc,
    E: doc.E === null ? null : sortedRecord(Object.entries(doc.E)),
    invalid: sortedRecord(Object.entries(doc.invalid)),
    rewards: sortedRecord(Object.entries(doc.rewards)),
    scores: sortedRecord(Object.entries(doc.scores)),
  };
  const hash = metricsHash(sorted);
  return {
    E: sorted.E,
    aggregateSha256: sorted.aggregateSha256,
    dust: sorted.dust,
    excluded: sorted.excluded,
    invalid: sorted.invalid,
    metricsHash: hash,
    modelHash: sorted.modelHash,
    rewards: sorted.rewards,
    scores: sorted.scores,
    selected: sorted.selected,
    status: sorted.status,
  };
}

/** The result of a failed round (§5, §6): only `invalid` is filled. */
export function failedResult(invalid: Record<string, InvalidReason>): RoundResult {
  return finishResult({ E: null, aggregateSha256: null, dust: null, excluded: [], invalid, modelHash: null, rewards: {}, scores: {}, selected: [], status: "failed" });
}

/** Sorts addresses (lowercase 0x + 40 hex) by their 160-bit value, the canonical order of §3. */
export function canonicalOrder<T extends { address: string }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
}

export { sortedRecord };

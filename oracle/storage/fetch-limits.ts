import { maxUpdateFileBytes } from "../protocol/update-size.ts";
import type { FetchLimits } from "./fetch-blob.ts";

/**
 * The fetch limits for updates of a base model: the size cap is the largest canonical update the
 * model allows (the same for every operator and auditor), never above the caller's own ceiling.
 */
export function effectiveFetchLimits(ceiling: FetchLimits, layout: readonly { name: string; shape: readonly number[] }[]): FetchLimits {
  return { ...ceiling, maxBytes: Math.min(ceiling.maxBytes, maxUpdateFileBytes(layout)) };
}

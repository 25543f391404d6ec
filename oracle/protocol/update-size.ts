import { elementCount } from "./safetensors.ts";

/*
 * docs/protocol.md §1.2 makes an update `unavailable` when it cannot be fetched within the operator's
 * limits. For operators and auditors to agree, the size limit must not be a local choice: this is
 * the largest size a canonical update for a given base model can have (I32 everywhere, the widest
 * header the rules allow), so any larger file can never be valid and every party refuses it alike.
 */

/** Bytes of the fixed part of an update header: braces, `__metadata__`, format, round, base, samples. */
const FIXED_HEADER_BYTES = 512;
/** Per tensor beyond its name and dims: dtype entry, `data_offsets` (two 16-digit numbers), `exp.` key and value. */
const PER_TENSOR_BYTES = 128;
/** Per dimension: up to 16 digits and a comma. */
const PER_DIMENSION_BYTES = 17;
const I32_BYTES = 4;

/** The largest canonical update file for a base model with this tensor layout. */
export function maxUpdateFileBytes(layout: readonly { name: string; shape: readonly number[] }[]): number {
  let data = 0;
  for (const t of layout) data += I32_BYTES * elementCount(t.shape);
  return 8 + maxUpdateHeaderBytes(layout) + data;
}

/**
 * The longest (padded) JSON header a canonical update for this layout can have; a longer claimed
 * header is malformed before anything is parsed (docs/protocol.md §7, header bounds).
 */
export function maxUpdateHeaderBytes(layout: readonly { name: string; shape: readonly number[] }[]): number {
  let header = FIXED_HEADER_BYTES;
  // The name appears twice: as the tensor key and in its `exp.<name>` metadata key.
  for (const t of layout) header += 2 * t.name.length + PER_TENSOR_BYTES + PER_DIMENSION_BYTES * t.shape.length;
  return Math.ceil(header / 8) * 8;
}

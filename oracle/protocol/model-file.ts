import { MalformedFileError } from "./file-errors.ts";
import type { Hash } from "./hash.ts";
import { allocateSafetensors, DEFAULT_LIMITS, elementCount, encodeSafetensors, parseSafetensors, type SafetensorsLimits } from "./safetensors.ts";
import { bytesOf, typedView } from "./typed-views.ts";

/** `format` metadata of a model file (docs/protocol.md §1.1). */
export const MODEL_FORMAT = "commonweight/model-1";

/** One F32 tensor of a model. */
export type ModelTensor = { name: string; shape: number[]; values: Float32Array };

/** A decoded model file: metadata (including `format`) and tensors in ascending name order. */
export type Model = { metadata: ReadonlyMap<string, string>; tensors: ModelTensor[] };

/**
 * Decodes a canonical model file (§1, §1.1). Values are views into `bytes` when aligned.
 * @throws {MalformedFileError} when the file is not a canonical model file.
 */
export function decodeModel(bytes: Uint8Array, limits: SafetensorsLimits = DEFAULT_LIMITS): Model {
  const file = parseSafetensors(bytes, limits);
  if (file.metadata.get("format") !== MODEL_FORMAT) throw new MalformedFileError(`model format is not ${MODEL_FORMAT}`);
  const tensors = file.tensors.map((t) => {
    if (t.dtype !== "F32") throw new MalformedFileError(`model tensor ${t.name} is ${t.dtype}, not F32`);
    return { name: t.name, shape: t.shape, values: typedView("F32", file.data.subarray(t.begin, t.end)) };
  });
  return { metadata: file.metadata, tensors };
}

/**
 * Encodes a canonical model file. `metadata` must not contain `format`; it is added.
 * @throws {MalformedFileError} on a bad name, metadata text, or shape/size mismatch.
 */
export function encodeModel(tensors: readonly ModelTensor[], metadata: Readonly<Record<string, string>> = {}): Uint8Array {
  const meta = new Map(Object.entries(metadata));
  if (meta.has("format")) throw new MalformedFileError("format metadata is fixed by the protocol");
  meta.set("format", MODEL_FORMAT);
  return encodeSafetensors(
    meta,
    tensors.map((t) => {
      if (elementCount(t.shape) !== t.values.length) throw new MalformedFileError(`tensor ${t.name} shape disagrees with its values`);
      return { name: t.name, dtype: "F32" as const, shape: t.shape, bytes: bytesOf(t.values) };
    }),
  );
}

/**
 * A model file for tensors of these names and shapes with all values zero, and its tensors as views
 * into the file's bytes (the data section is 8-byte aligned), to be written in place.
 * @throws {MalformedFileError} as {@link encodeModel}.
 */
export function allocateModel(layout: readonly { name: string; shape: number[] }[], metadata: Readonly<Record<string, string>> = {}): { bytes: Uint8Array; tensors: ModelTensor[] } {
  const meta = new Map(Object.entries(metadata));
  if (meta.has("format")) throw new MalformedFileError("format metadata is fixed by the protocol");
  meta.set("format", MODEL_FORMAT);
  const { bytes, views } = allocateSafetensors(meta, layout.map((t) => ({ name: t.name, dtype: "F32" as const, shape: t.shape })));
  return { bytes, tensors: layout.map((t, i) => ({ name: t.name, shape: t.shape, values: typedView("F32", views[i] as Uint8Array) })) };
}

/** Metadata the aggregator writes on a new model (§3): the round id and the parent's hash. */
export function newModelMetadata(roundId: string, parent: Hash): Record<string, string> {
  return { parent, round: roundId };
}

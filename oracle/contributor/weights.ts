import * as tf from "@tensorflow/tfjs";

import { InvalidInputError } from "../errors.ts";
import { decodeModel, encodeModel, type ModelTensor } from "../protocol/model-file.ts";
import { DEFAULT_ARCHITECTURE, TENSOR_NAMES, modelLayout, type MlpArchitecture, type MlpParameters, type TensorSpec } from "./model.ts";

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * Checks that `tensors` are exactly the tensors of `layout` (names, order and shapes) with finite
 * values, so a model file made for another architecture is rejected before training.
 * @throws {InvalidInputError} naming the first mismatch.
 */
export function checkLayout(tensors: readonly ModelTensor[], layout: readonly TensorSpec[]): void {
  if (tensors.length !== layout.length) {
    throw new InvalidInputError(`model has ${tensors.length} tensors, the architecture expects ${layout.length}`);
  }
  layout.forEach((want, i) => {
    const got = tensors[i];
    if (got === undefined || got.name !== want.name || !sameShape(got.shape, want.shape)) {
      throw new InvalidInputError(`model tensor ${i} is ${got?.name ?? "missing"} [${got?.shape.join(",") ?? ""}], expected ${want.name} [${want.shape.join(",")}]`);
    }
    if (!got.values.every(Number.isFinite)) throw new InvalidInputError(`model tensor ${got.name} has a non-finite value`);
  });
}

/**
 * Encodes weights as a canonical model file (docs/protocol.md §1.1; the codec adds `format`).
 * @throws {InvalidInputError} when the weights do not match the architecture.
 */
export function weightsToModelFile(
  weights: readonly ModelTensor[],
  metadata: Readonly<Record<string, string>> = {},
  architecture: MlpArchitecture = DEFAULT_ARCHITECTURE,
): Uint8Array {
  checkLayout(weights, modelLayout(architecture));
  return encodeModel(weights, metadata);
}

/**
 * Decodes a canonical model file into weights for `architecture`. Values are copied, so they do
 * not alias `bytes`.
 * @throws {MalformedFileError} when the file is not a canonical model file.
 * @throws {InvalidInputError} when its tensors do not match the architecture.
 */
export function modelFileToWeights(bytes: Uint8Array, architecture: MlpArchitecture = DEFAULT_ARCHITECTURE): ModelTensor[] {
  const weights = decodeModel(bytes).tensors.map((t) => ({ name: t.name, shape: [...t.shape], values: Float32Array.from(t.values) }));
  checkLayout(weights, modelLayout(architecture));
  return weights;
}

/** Trainable tfjs variables holding a copy of `weights`. Dispose them with {@link disposeParameters}. */
export function weightsToVariables(weights: readonly ModelTensor[], architecture: MlpArchitecture = DEFAULT_ARCHITECTURE): MlpParameters {
  checkLayout(weights, modelLayout(architecture));
  const byName = new Map(weights.map((t) => [t.name, t]));
  const variable = (name: string): tf.Variable => {
    const weight = byName.get(name);
    if (weight === undefined) throw new InvalidInputError(`weights lack ${name}`);
    const initial = tf.tensor(weight.values, weight.shape, "float32");
    const created = tf.variable(initial, true);
    initial.dispose();
    return created;
  };
  return {
    [TENSOR_NAMES.hiddenBias]: variable(TENSOR_NAMES.hiddenBias),
    [TENSOR_NAMES.hiddenKernel]: variable(TENSOR_NAMES.hiddenKernel),
    [TENSOR_NAMES.outputBias]: variable(TENSOR_NAMES.outputBias),
    [TENSOR_NAMES.outputKernel]: variable(TENSOR_NAMES.outputKernel),
  };
}

/** Reads tfjs parameters back as model tensors in the architecture's layout order. */
export function variablesToWeights(parameters: MlpParameters, architecture: MlpArchitecture = DEFAULT_ARCHITECTURE): ModelTensor[] {
  return modelLayout(architecture).map(({ name, shape }) => {
    const tensor: tf.Tensor | undefined = Object.entries(parameters).find(([key]) => key === name)?.[1];
    if (tensor === undefined) throw new InvalidInputError(`parameters lack ${name}`);
    return { name, shape, values: Float32Array.from(tensor.dataSync()) };
  });
}

/** Frees the tfjs memory of `parameters`. */
export function disposeParameters(parameters: MlpParameters): void {
  for (const tensor of Object.values(parameters)) tensor.dispose();
}

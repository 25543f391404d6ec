import * as tf from "@tensorflow/tfjs";

import { InvalidInputError } from "../errors.ts";
import type { ModelTensor } from "../protocol/model-file.ts";
import { SeededRandom, type Seed } from "./random.ts";

/** Pixels of one MNIST-sized image (28 × 28, grey levels in [0, 1]). */
export const IMAGE_PIXELS = 28 * 28;
/** Digit classes 0–9. */
export const CLASS_COUNT = 10;

/**
 * The contributor model: a two-layer perceptron `inputs → hidden (ReLU) → classes (softmax)`.
 * Small on purpose: eight contributors train a few epochs in seconds on tfjs's pure-JS CPU backend.
 */
export type MlpArchitecture = { inputs: number; hidden: number; classes: number };

/** 784-64-10: 50,890 parameters. */
export const DEFAULT_ARCHITECTURE: MlpArchitecture = { inputs: IMAGE_PIXELS, hidden: 64, classes: CLASS_COUNT };

/** Tensor names in the model file; stable across versions and in ascending byte order. */
export const TENSOR_NAMES = {
  hiddenBias: "dense1/bias",
  hiddenKernel: "dense1/kernel",
  outputBias: "dense2/bias",
  outputKernel: "dense2/kernel",
} as const;

/** Name and shape of one tensor, as it appears in the model file. */
export type TensorSpec = { name: string; shape: number[] };

/**
 * The model file layout of `architecture`: tensor names and shapes in ascending byte order of name
 * (the order of docs/protocol.md §1's canonical header).
 * @throws {InvalidInputError} when a dimension is not a positive integer.
 */
export function modelLayout(architecture: MlpArchitecture = DEFAULT_ARCHITECTURE): TensorSpec[] {
  const { inputs, hidden, classes } = architecture;
  for (const [key, value] of Object.entries(architecture)) {
    if (!Number.isSafeInteger(value) || value < 1) throw new InvalidInputError(`architecture.${key} must be a positive integer, got ${value}`);
  }
  return [
    { name: TENSOR_NAMES.hiddenBias, shape: [hidden] },
    { name: TENSOR_NAMES.hiddenKernel, shape: [inputs, hidden] },
    { name: TENSOR_NAMES.outputBias, shape: [classes] },
    { name: TENSOR_NAMES.outputKernel, shape: [hidden, classes] },
  ];
}

/**
 * Deterministic initial weights: Glorot-uniform kernels (limit `sqrt(6 / (fanIn + fanOut))`), zero
 * biases. The same seed gives the same bytes on every machine.
 */
export function initialWeights(seed: Seed, architecture: MlpArchitecture = DEFAULT_ARCHITECTURE): ModelTensor[] {
  const random = new SeededRandom(seed, "model-init");
  return modelLayout(architecture).map(({ name, shape }) => {
    const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
    const [fanIn, fanOut] = shape;
    if (fanIn !== undefined && fanOut !== undefined) {
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      for (let i = 0; i < values.length; i++) values[i] = (2 * random.nextFloat() - 1) * limit;
    }
    return { name, shape, values };
  });
}

/** The model's trainable parameters as tfjs tensors, keyed by model file name. */
export type MlpParameters = Readonly<Record<(typeof TENSOR_NAMES)[keyof typeof TENSOR_NAMES], tf.Variable>>;

/** Logits `[batch, classes]` for images `[batch, inputs]`. Call inside `tf.tidy`. */
export function mlpLogits(parameters: MlpParameters, images: tf.Tensor2D): tf.Tensor2D {
  const hidden = tf.relu(tf.add(tf.matMul(images, parameters[TENSOR_NAMES.hiddenKernel]), parameters[TENSOR_NAMES.hiddenBias]));
  return tf.add(tf.matMul(hidden, parameters[TENSOR_NAMES.outputKernel]), parameters[TENSOR_NAMES.outputBias]);
}

/**
 * Selects tfjs's pure-JS CPU backend (deterministic, no native build) and silences its
 * "install tfjs-node" banner. Returns the backend that was active before, so a caller sharing the
 * process with a GPU backend (the oracle's tfjs compute) can give it back with {@link restoreBackend}.
 * @throws {InvalidInputError} when the cpu backend cannot start.
 */
export async function useCpuBackend(): Promise<string | undefined> {
  tf.env().set("PROD", true);
  const previous = tf.engine().backendName ?? undefined;
  if (previous !== "cpu") {
    const ok = await tf.setBackend("cpu");
    if (!ok) throw new InvalidInputError("the tfjs cpu backend could not be initialised");
  }
  await tf.ready();
  return previous;
}

/** Makes `previous` (from {@link useCpuBackend}) the active tfjs backend again, if it was another. */
export async function restoreBackend(previous: string | undefined): Promise<void> {
  if (previous !== undefined && previous !== "cpu" && tf.getBackend() !== previous) await tf.setBackend(previous);
}

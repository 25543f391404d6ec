import * as tf from "@tensorflow/tfjs";

import { InvalidInputError } from "../errors.ts";
import type { ModelTensor } from "../protocol/model-file.ts";
import type { Dataset } from "./dataset.ts";
import { DEFAULT_ARCHITECTURE, mlpLogits, modelLayout, restoreBackend, useCpuBackend, type MlpArchitecture, type MlpParameters } from "./model.ts";
import { SeededRandom, type Seed } from "./random.ts";
import { checkLayout, disposeParameters, variablesToWeights, weightsToVariables } from "./weights.ts";

/** Examples per forward pass when evaluating; bounds memory, does not change the result. */
const EVAL_BATCH = 1000;

/** Where local training is after one optimiser step. */
export type TrainProgress = { epoch: number; epochs: number; batch: number; batches: number; loss: number };

/** Options of {@link trainLocal}. */
export type TrainOptions = {
  /** Passes over the contributor's data. @defaultValue 1 */
  epochs?: number;
  /** Examples per SGD step. @defaultValue 32 */
  batchSize?: number;
  /** SGD step size. @defaultValue 0.1 */
  learningRate?: number;
  /** Seeds the batch order; the same seed, data and base give the same delta. @defaultValue 0 */
  seed?: Seed;
  /** Called after every step (e.g. to draw a progress bar). */
  onProgress?: (progress: TrainProgress) => void;
  /** @defaultValue {@link DEFAULT_ARCHITECTURE} */
  architecture?: MlpArchitecture;
};

/** Mean cross-entropy loss and accuracy on a dataset. */
export type Evaluation = { loss: number; accuracy: number };

/** The outcome of local training: the new weights, the delta `local − base`, and metrics on the contributor's data. */
export type TrainResult = {
  weights: ModelTensor[];
  /** Per tensor `local − base`, in the base model's tensor order. */
  delta: ModelTensor[];
  samples: number;
  before: Evaluation;
  after: Evaluation;
};

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new InvalidInputError(`${name} must be a positive integer, got ${value}`);
  return value;
}

function imageBatch(data: Dataset, indices: ArrayLike<number>): { images: tf.Tensor2D; labels: tf.Tensor1D } {
  const buffer = new Float32Array(indices.length * data.pixels);
  const labels = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const source = indices[i] ?? 0;
    buffer.set(data.images.subarray(source * data.pixels, (source + 1) * data.pixels), i * data.pixels);
    labels[i] = data.labels[source] ?? 0;
  }
  return { images: tf.tensor2d(buffer, [indices.length, data.pixels]), labels: tf.tensor1d(labels, "int32") };
}

function batchLoss(parameters: MlpParameters, images: tf.Tensor2D, labels: tf.Tensor1D, classes: number): tf.Scalar {
  return tf.losses.softmaxCrossEntropy(tf.oneHot(labels, classes), mlpLogits(parameters, images));
}

function evaluateParameters(parameters: MlpParameters, data: Dataset, classes: number): Evaluation {
  if (data.size === 0) throw new InvalidInputError("cannot evaluate on an empty dataset");
  let lossSum = 0;
  let correct = 0;
  for (let start = 0; start < data.size; start += EVAL_BATCH) {
    const indices = Array.from({ length: Math.min(EVAL_BATCH, data.size - start) }, (_, i) => start + i);
    const [loss, hits] = tf.tidy(() => {
      const { images, labels } = imageBatch(data, indices);
      const logits = mlpLogits(parameters, images);
      const sum = tf.losses.softmaxCrossEntropy(tf.oneHot(labels, classes), logits, undefined, undefined, tf.Reduction.SUM);
      const right = tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), labels), "int32"));
      return [sum.dataSync()[0] ?? Number.NaN, right.dataSync()[0] ?? 0];
    });
    lossSum += loss;
    correct += hits;
  }
  return { loss: lossSum / data.size, accuracy: correct / data.size };
}

/**
 * Mean cross-entropy and accuracy of `weights` on `data`.
 * @throws {InvalidInputError} when the weights do not fit the architecture or `data` is empty.
 */
export async function evaluate(weights: readonly ModelTensor[], data: Dataset, architecture: MlpArchitecture = DEFAULT_ARCHITECTURE): Promise<Evaluation> {
  if (data.size === 0) throw new InvalidInputError("cannot evaluate on an empty dataset");
  checkLayout(weights, modelLayout(architecture));
  const previous = await useCpuBackend();
  const parameters = weightsToVariables(weights, architecture);
  try {
    return evaluateParameters(parameters, data, architecture.classes);
  } finally {
    disposeParameters(parameters);
    await restoreBackend(previous);
  }
}

/**
 * Trains the base model on the contributor's local data with minibatch SGD on tfjs's CPU backend
 * and returns the delta `local − base`. The data stays in this process.
 * @throws {InvalidInputError} on bad options, an empty dataset, or weights that do not fit the architecture.
 */
export async function trainLocal(base: readonly ModelTensor[], data: Dataset, options: TrainOptions = {}): Promise<TrainResult> {
  const architecture = options.architecture ?? DEFAULT_ARCHITECTURE;
  const epochs = positiveInteger("epochs", options.epochs ?? 1);
  const batchSize = positiveInteger("batchSize", options.batchSize ?? 32);
  const learningRate = options.learningRate ?? 0.1;
  if (!(learningRate > 0) || !Number.isFinite(learningRate)) throw new InvalidInputError(`learning rate must be positive, got ${learningRate}`);
  if (data.size === 0) throw new InvalidInputError("the contributor has no training data");
  if (data.pixels !== architecture.inputs) throw new InvalidInputError(`images have ${data.pixels} pixels, the model expects ${architecture.inputs}`);
  checkLayout(base, modelLayout(architecture));
  const previous = await useCpuBackend();
  const random = new SeededRandom(options.seed ?? 0, "batches");
  const parameters = weightsToVariables(base, architecture);
  const optimizer = tf.train.sgd(learningRate);
  try {
    const before = evaluateParameters(parameters, data, architecture.classes);
    const batches = Math.ceil(data.size / batchSize);
    const variables = Object.values(parameters);
    for (let epoch = 0; epoch < epochs; epoch++) {
      const order = random.shuffle(Array.from({ length: data.size }, (_, i) => i));
      for (let batch = 0; batch < batches; batch++) {
        const loss = tf.tidy(() => {
          const { images, labels } = imageBatch(data, order.slice(batch * batchSize, (batch + 1) * batchSize));
          const cost = optimizer.minimize(() => batchLoss(parameters, images, labels, architecture.classes), true, variables);
          return cost?.dataSync()[0] ?? Number.NaN;
        });
        options.onProgress?.({ epoch: epoch + 1, epochs, batch: batch + 1, batches, loss });
      }
      // Let timers and signals run between epochs.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    const after = evaluateParameters(parameters, data, architecture.classes);
    const weights = variablesToWeights(parameters, architecture);
    const delta = weights.map((local, t) => {
      const values = new Float32Array(local.values.length);
      const baseValues = base[t]?.values ?? values;
      for (let j = 0; j < values.length; j++) values[j] = (local.values[j] ?? 0) - (baseValues[j] ?? 0);
      return { name: local.name, shape: [...local.shape], values };
    });
    return { weights, delta, samples: data.size, before, after };
  } finally {
    optimizer.dispose();
    disposeParameters(parameters);
    await restoreBackend(previous);
  }
}

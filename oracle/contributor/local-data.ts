import { InvalidInputError } from "../errors.ts";
import { loadMnist, splitTrainTest, subset, type Dataset } from "./dataset.ts";
import { partition, type PartitionScheme } from "./partition.ts";
import type { Seed } from "./random.ts";

/** Which slice of the shipped digits a simulated contributor holds. */
export type LocalDataOptions = {
  /** This contributor's index in [0, contributors). */
  contributor: number;
  /** How many contributors share the training pool. */
  contributors: number;
  /** @defaultValue `{ kind: "iid" }` */
  scheme?: PartitionScheme;
  /** Seeds the test split and the partition; every contributor of one simulation uses the same. @defaultValue "commonweight" */
  seed?: Seed;
  /** Held-out test examples, shared by all contributors for evaluation only. @defaultValue 2000 */
  testSize?: number;
};

/** A contributor's private training data and the shared held-out test split. */
export type LocalData = { train: Dataset; test: Dataset };

/**
 * The data of one simulated contributor: the shipped MNIST digits are split (seeded) into a test
 * set and a training pool, the pool is partitioned among `contributors` by `scheme`, and this
 * contributor gets its part. Equal options give equal data on every machine, so K processes can
 * each load their own share without coordinating. Nothing is uploaded anywhere.
 * @throws {InvalidInputError} when `contributor` is outside [0, contributors) or a count is bad.
 */
export function loadLocalData(options: LocalDataOptions): LocalData {
  const { contributor, contributors } = options;
  if (!Number.isSafeInteger(contributor) || contributor < 0 || contributor >= contributors) {
    throw new InvalidInputError(`contributor index must be in [0, ${contributors}), got ${contributor}`);
  }
  const seed = options.seed ?? "commonweight";
  const { train, test } = splitTrainTest(loadMnist(), options.testSize ?? 2000, seed);
  const parts = partition(train.labels, contributors, options.scheme ?? { kind: "iid" }, seed);
  return { train: subset(train, parts[contributor] ?? []), test };
}

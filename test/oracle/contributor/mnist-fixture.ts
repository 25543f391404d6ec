import { loadMnist, splitTrainTest, type TrainTestSplit } from "../../../oracle/contributor/dataset.ts";

let cached: TrainTestSplit | undefined;

/** The MNIST digits of the `mnist` package split 8,000 / 2,000 with a fixed seed; loaded once per process. */
export function mnistSplit(): TrainTestSplit {
  cached ??= splitTrainTest(loadMnist(), 2000, "test-split");
  return cached;
}

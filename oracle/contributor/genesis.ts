import { decodeModel } from "../protocol/model-file.ts";
import { DEFAULT_ARCHITECTURE, initialWeights, type MlpArchitecture } from "./model.ts";
import type { Seed } from "./random.ts";
import { weightsToModelFile } from "./weights.ts";

/** Seed of the default genesis model (the one `npx hardhat deploy` and `cw model init` make without --seed). */
export const DEFAULT_GENESIS_SEED = "genesis";

/**
 * The genesis model file contributors start from: the contributor MLP's seeded initial weights as a canonical model
 * file. The same seed gives the same bytes (and hash) on every machine.
 */
export function genesisModelFile(seed: Seed = DEFAULT_GENESIS_SEED, architecture: MlpArchitecture = DEFAULT_ARCHITECTURE): Uint8Array {
  return weightsToModelFile(initialWeights(seed, architecture), {}, architecture);
}

/**
 * Checks that `bytes` are a canonical model file (docs/protocol.md §1.1), so a registry entry never points at
 * something contributors cannot train from.
 * @throws {MalformedFileError} when they are not.
 */
export function checkGenesisModel(bytes: Uint8Array): void {
  decodeModel(bytes);
}

import { readdirSync, statSync } from "node:fs";

/** `shared/vectors/` beside the repository (CI clones the repo with `shared/` next to it). */
export const VECTORS_DIR = new URL("../../../../shared/vectors/", import.meta.url);

/** Names of the conformance cases, sorted. Reads the folder only when called. */
export function vectorCaseNames(): string[] {
  return readdirSync(VECTORS_DIR)
    .filter((name) => statSync(new URL(`${name}/`, VECTORS_DIR)).isDirectory())
    .sort();
}

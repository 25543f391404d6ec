import { readdirSync, statSync } from "node:fs";

/** The conformance vectors, data in the repository (`test/vectors/`, see docs/protocol.md). */
export const VECTORS_DIR = new URL("../../vectors/", import.meta.url);

/** Names of the conformance cases, sorted. Reads the folder only when called. */
export function vectorCaseNames(): string[] {
  return readdirSync(VECTORS_DIR)
    .filter((name) => statSync(new URL(`${name}/`, VECTORS_DIR)).isDirectory())
    .sort();
}

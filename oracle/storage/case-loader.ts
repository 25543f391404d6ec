import { open, readFile } from "node:fs/promises";
import { join } from "node:path";

import { InvalidInputError } from "../errors.ts";
import type { RoundInput } from "../protocol/round-input.ts";
import { parseRoundJson } from "../protocol/round-input.ts";
import { DEFAULT_LIMITS, type SafetensorsLimits } from "../protocol/safetensors.ts";

/**
 * Reads a file into shared memory (so worker threads can read it without a copy), or returns null
 * when it is missing or larger than `maxBytes`: the size is checked before anything is allocated.
 */
export async function readShared(path: string, maxBytes: number): Promise<Uint8Array | null> {
  let handle;
  try {
    handle = await open(path, "r");
  } catch (err) {
    // Documented expected case: a file that cannot be opened is "unavailable" to the protocol.
    if (err instanceof Error && "code" in err && (err.code === "ENOENT" || err.code === "EACCES" || err.code === "EISDIR")) return null;
    throw err;
  }
  try {
    const stat = await handle.stat();
    const size = stat.size;
    if (!stat.isFile() || size > maxBytes) return null;
    const bytes = new Uint8Array(new SharedArrayBuffer(size));
    let read = 0;
    while (read < size) {
      const { bytesRead } = await handle.read(bytes, read, size - read, read);
      if (bytesRead === 0) break;
      read += bytesRead;
    }
    return read === size ? bytes : null;
  } finally {
    await handle.close();
  }
}

/**
 * Loads a conformance-case folder (docs/protocol.md §6): `round.json`, `base.safetensors` and the update
 * files it names; a `null`, missing or oversized update file is unavailable.
 * @throws {InvalidInputError} when the folder, `round.json` or the base model cannot be read.
 */
export async function loadCase(dir: string, limits: SafetensorsLimits = DEFAULT_LIMITS): Promise<RoundInput> {
  let text: string;
  try {
    text = await readFile(join(dir, "round.json"), "utf8");
  } catch (err) {
    throw new InvalidInputError(`cannot read ${join(dir, "round.json")}: ${err instanceof Error && "code" in err ? String(err.code) : "error"}`, { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new InvalidInputError(`round.json is not valid JSON: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  const round = parseRoundJson(json);
  const base = await readShared(join(dir, "base.safetensors"), limits.maxFileBytes);
  if (base === null) throw new InvalidInputError(`cannot read ${join(dir, "base.safetensors")} (missing or over ${limits.maxFileBytes} bytes)`);
  const contributors = await Promise.all(
    round.contributors.map(async (c) => ({
      address: c.address,
      revealedHash: c.revealedHash,
      file: c.file === null ? null : await readShared(join(dir, c.file), limits.maxFileBytes),
    })),
  );
  return { roundId: round.roundId, policy: round.policy, base, contributors };
}

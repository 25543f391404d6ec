import { writeFile } from "node:fs/promises";
import { join } from "node:path";

import { InvalidArgumentError, Option, type Command } from "commander";

import { InvalidInputError } from "../../errors.ts";
import { MalformedFileError } from "../../protocol/file-errors.ts";
import { aggregateRound } from "../../compute/aggregate-round.ts";
import { createBackend } from "../../compute/backends.ts";
import { loadCase } from "../../storage/case-loader.ts";
import { BACKEND_NAMES } from "../../compute/types.ts";
import { canonicalJson } from "../../protocol/result.ts";

/** Largest accepted `--shards`. */
const MAX_SHARDS = 1024;

/** Parses a positive integer flag value. */
export function positiveInteger(max: number): (text: string) => number {
  return (text) => {
    if (!/^[1-9][0-9]*$/.test(text) || Number(text) > max) throw new InvalidArgumentError(`expected an integer from 1 to ${max}`);
    return Number(text);
  };
}

/** `cw aggregate <caseDir>`: computes a round from a folder laid out as in docs/protocol.md §6. */
export function register(program: Command): void {
  program
    .command("aggregate")
    .description("aggregate a round folder (round.json, base.safetensors, updates) and print the result JSON")
    .argument("<caseDir>", "folder with round.json, base.safetensors and the update files")
    .addOption(new Option("--backend <name>", "compute backend").choices(BACKEND_NAMES).default("auto"))
    .option("--shards <n>", "coordinate-range shards (the result is identical for any count)", positiveInteger(MAX_SHARDS), 1)
    .option("--threads <n>", "worker threads of the cpu backend (default: all cores)", positiveInteger(256))
    .option("--out <file>", "write the new model file here (not written when the round fails)")
    .action(async (caseDir: string, opts: { backend: string; shards: number; threads?: number; out?: string }) => {
      const input = await loadCase(caseDir);
      const backend = await createBackend(opts.backend, { threads: opts.threads });
      try {
        let aggregated: Awaited<ReturnType<typeof aggregateRound>>;
        try {
          aggregated = await aggregateRound(input, { backend, shards: opts.shards });
        } catch (err) {
          // aggregateRound throws MalformedFileError only for the base model (a bad update is a recorded rejection).
          if (err instanceof MalformedFileError) throw new InvalidInputError(`${join(caseDir, "base.safetensors")}: not a canonical model file (${err.message})`, { cause: err });
          throw err;
        }
        const { result, model } = aggregated;
        if (opts.out !== undefined && model !== null) {
          try {
            await writeFile(opts.out, model);
          } catch (err) {
            throw new InvalidInputError(`cannot write ${opts.out}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
          }
        }
        process.stdout.write(`${canonicalJson(result)}\n`);
      } finally {
        await backend.dispose();
      }
    });
}

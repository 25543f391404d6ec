import { mkdir, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";

import type { Command } from "commander";

import { DEFAULT_GENESIS_SEED, genesisModelFile } from "../../contributor/genesis.ts";
import { InvalidInputError } from "../../errors.ts";
import { hashBytes } from "../../protocol/hash.ts";

/** `cw model ...`: model files. */
export function register(program: Command): void {
  const model = program.command("model").description("make and check model files");

  model
    .command("init")
    .description("write a genesis model: the contributor MLP's seeded initial weights as a canonical model file (same seed, same bytes)")
    .requiredOption("--out <file>", "where to write the model file")
    .option("--seed <seed>", "seed of the initial weights", DEFAULT_GENESIS_SEED)
    .action(async (opts: { out: string; seed: string }) => {
      const bytes = genesisModelFile(opts.seed);
      const out = resolve(opts.out);
      try {
        await mkdir(dirname(out), { recursive: true });
        await writeFile(out, bytes);
      } catch (err) {
        throw new InvalidInputError(`cannot write ${out}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      }
      process.stdout.write(`${JSON.stringify({ file: out, hash: hashBytes(bytes), bytes: bytes.length, seed: opts.seed })}\n`);
    });
}

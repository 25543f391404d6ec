import type { Command } from "commander";

import { InvalidInputError } from "../../errors.ts";
import { readShared } from "../../storage/case-loader.ts";
import { describeFile } from "../../protocol/describe.ts";
import { DEFAULT_LIMITS } from "../../protocol/safetensors.ts";

/** `cw inspect <file>`: header, tensors, dtypes, exponents, norm and hash of a model or update file. */
export function register(program: Command): void {
  program
    .command("inspect")
    .description("show header, tensors, dtypes, exponents, norm and hash of a model or update file")
    .argument("<file>", "a .safetensors model or update file")
    .action(async (file: string) => {
      const bytes = await readShared(file, DEFAULT_LIMITS.maxFileBytes);
      if (bytes === null) throw new InvalidInputError(`cannot read ${file} (missing, not a file, or over ${DEFAULT_LIMITS.maxFileBytes} bytes)`);
      process.stdout.write(`${JSON.stringify(describeFile(bytes), null, 2)}\n`);
    });
}

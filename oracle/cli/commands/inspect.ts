import type { Command } from "commander";

import { InvalidInputError } from "../../errors.ts";
import { readShared } from "../../storage/case-loader.ts";
import { describeFile } from "../../protocol/describe.ts";
import { MalformedFileError } from "../../protocol/file-errors.ts";
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
      let description: ReturnType<typeof describeFile>;
      try {
        description = describeFile(bytes);
      } catch (err) {
        if (!(err instanceof MalformedFileError)) throw err;
        const what = hasSafetensorsHeader(bytes) ? "not a canonical safetensors file" : "not a safetensors file";
        throw new InvalidInputError(`${file}: ${what} (${err.message})`, { cause: err });
      }
      process.stdout.write(`${JSON.stringify(description, null, 2)}\n`);
    });
}

/** Whether `bytes` start like a safetensors file: an 8-byte little-endian length, then that many bytes of a JSON object. */
function hasSafetensorsHeader(bytes: Uint8Array): boolean {
  if (bytes.length < 8) return false;
  const length = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (length < 2n || length > BigInt(bytes.length - 8)) return false;
  try {
    const header: unknown = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + Number(length))));
    return typeof header === "object" && header !== null && !Array.isArray(header);
  } catch {
    return false; // not UTF-8 JSON: not a safetensors header
  }
}

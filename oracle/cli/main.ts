import { readdir } from "node:fs/promises";

import { Command, CommanderError } from "commander";

import { OracleError } from "../errors.ts";

const COMMANDS_DIR = new URL("./commands/", import.meta.url);

/** A subcommand module: `oracle/cli/commands/<name>.ts` exports `register(program)`. */
export type CommandModule = { register: (program: Command) => void };

/** Exit status for bad input (flags, files, folders). */
export const EXIT_BAD_INPUT = 2;

/**
 * Builds the `cw` program with the commands found in `oracle/cli/commands/`. When `only` names a
 * command module (`<only>.ts`, e.g. `aggregate`), only that module is imported, so a command pays
 * for its own imports alone (no chain or tfjs for `cw aggregate`); otherwise every one is, for help.
 */
export async function buildProgram(only?: string): Promise<Command> {
  const program = new Command("cw")
    .description("Commonweight: bit-exact federated aggregation and protocol tools")
    .showHelpAfterError(false)
    .exitOverride();
  const all = (await readdir(COMMANDS_DIR)).filter((f) => f.endsWith(".ts")).sort();
  const files = only !== undefined && all.includes(`${only}.ts`) ? [`${only}.ts`] : all;
  for (const file of files) {
    const module = (await import(new URL(file, COMMANDS_DIR).href)) as CommandModule;
    module.register(program);
  }
  return program;
}

/**
 * Runs `cw` with `argv` (as `process.argv`) and returns the exit status. Known failures print one
 * line to stderr; unknown ones are bugs and keep their stack trace.
 */
export async function main(argv: readonly string[]): Promise<number> {
  // The first argument after the script is the command name (cw takes no options before it).
  const program = await buildProgram(argv[2]);
  program.configureOutput({ writeErr: (text) => process.stderr.write(text.split("\n")[0] + "\n") });
  try {
    await program.parseAsync([...argv]);
    // A command that finished but reports a negative answer (e.g. verify-round's mismatch) sets exitCode.
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? 0 : EXIT_BAD_INPUT;
    }
    if (err instanceof OracleError) {
      process.stderr.write(`cw: ${err.message}\n`);
      return EXIT_BAD_INPUT;
    }
    throw err;
  }
}

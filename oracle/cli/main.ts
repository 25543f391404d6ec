import { readdir } from "node:fs/promises";

import { Command } from "commander";

import { EXIT_BAD_INPUT, debugRequested, reportFailure } from "./failure.ts";

const COMMANDS_DIR = new URL("./commands/", import.meta.url);

/** A subcommand module: `oracle/cli/commands/<name>.ts` exports `register(program)`. */
export type CommandModule = { register: (program: Command) => void };

export { EXIT_BAD_INPUT };

/**
 * Builds the `cw` program with the commands found in `oracle/cli/commands/`. When `only` names a
 * command module (`<only>.ts`, e.g. `aggregate`), only that module is imported, so a command pays
 * for its own imports alone (no chain or tfjs for `cw aggregate`); otherwise every one is, for help.
 */
export async function buildProgram(only?: string): Promise<Command> {
  const program = new Command("cw")
    .description("Commonweight: bit-exact federated aggregation and protocol tools")
    .option("--debug", "print the stack trace of a failure (or set DEBUG=1)")
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
 * Runs `cw` with `argv` (as `process.argv`) and returns the exit status. Every failure prints one line to stderr
 * (`cw: …`); `--debug` anywhere on the command line, or DEBUG=1, adds its stack trace.
 */
export async function main(argv: readonly string[]): Promise<number> {
  const debug = argv.slice(2).includes("--debug") || debugRequested();
  // The command name is the first argument after the script that is not `--debug`.
  const program = await buildProgram(argv.slice(2).find((arg) => arg !== "--debug"));
  program.configureOutput({ writeErr: (text) => process.stderr.write(text.split("\n")[0] + "\n") });
  try {
    await program.parseAsync(argv.filter((arg, i) => i < 2 || arg !== "--debug"));
    // A command that finished but reports a negative answer (e.g. verify-round's mismatch) sets exitCode.
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (err) {
    return await reportFailure("cw", err, debug);
  }
}

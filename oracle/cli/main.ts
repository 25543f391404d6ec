import { readdir } from "node:fs/promises";

import { Command } from "commander";

import { debugRequested } from "../config.ts";
import { EXIT_BAD_INPUT, reportFailure } from "./failure.ts";

const COMMANDS_DIR = new URL("./commands/", import.meta.url);

/** A subcommand module: `oracle/cli/commands/<name>.ts` exports `register(program)`. */
export type CommandModule = { register: (program: Command) => void };

export { EXIT_BAD_INPUT };

/** Builds the `cw` program with every command found in `oracle/cli/commands/`. */
export async function buildProgram(): Promise<Command> {
  const program = new Command("cw")
    .description("Commonweight: bit-exact federated aggregation and protocol tools")
    .option("--debug", "print the stack trace of a failure (or set DEBUG=1)")
    .showHelpAfterError(false)
    .exitOverride();
  const files = (await readdir(COMMANDS_DIR)).filter((f) => f.endsWith(".ts")).sort();
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
  const program = await buildProgram();
  program.configureOutput({ writeErr: (text) => process.stderr.write(text.split("\n")[0] + "\n") });
  try {
    await program.parseAsync(argv.filter((arg, i) => i < 2 || arg !== "--debug"));
    // A command that finished but reports a negative answer (e.g. verify-round's mismatch) sets exitCode.
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (err) {
    return reportFailure("cw", err, debug);
  }
}

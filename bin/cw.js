#!/usr/bin/env node
// The `cw` command. Node 24 strips the TypeScript types of the imported modules; the compile cache
// (Node >= 22.1; NODE_DISABLE_COMPILE_CACHE=1 turns it off) keeps the stripped and compiled code
// between runs, so a start costs little more than Node's own. It must be on before the first import.
import module from "node:module";

module.enableCompileCache?.();
const { debugRequested, reportFailure } = await import("../oracle/cli/failure.ts");
const { main } = await import("../oracle/cli/main.ts");

// A failure outside the command's own promise (an emitter's error, a stray rejection) is still one line.
const debug = process.argv.slice(2).includes("--debug") || debugRequested();
for (const event of ["uncaughtException", "unhandledRejection"]) {
  process.on(event, async (err) => {
    const code = await reportFailure("cw", err, debug);
    process.stderr.write("", () => process.exit(code));
  });
}

const code = await main(process.argv);
// A failed command exits now, even with handles still open (a half-started operator's connections); the compute
// workers it spawned notice their parent is gone.
if (code !== 0) process.stderr.write("", () => process.exit(code));
else process.exitCode = code;

#!/usr/bin/env node
// The `cw` command. Node 24 strips the TypeScript types of the imported module.
import { reportFailure } from "../oracle/cli/failure.ts";
import { main } from "../oracle/cli/main.ts";
import { debugRequested } from "../oracle/config.ts";

// A failure outside the command's own promise (an emitter's error, a stray rejection) is still one line.
const debug = process.argv.slice(2).includes("--debug") || debugRequested();
for (const event of ["uncaughtException", "unhandledRejection"]) {
  process.on(event, (err) => {
    const code = reportFailure("cw", err, debug);
    process.stderr.write("", () => process.exit(code));
  });
}

const code = await main(process.argv);
// A failed command exits now, even with handles still open (a half-started operator's connections); the compute
// workers it spawned notice their parent is gone.
if (code !== 0) process.stderr.write("", () => process.exit(code));
else process.exitCode = code;

#!/usr/bin/env node
// The `cw` command. Node 24 strips the TypeScript types of the imported modules; the compile cache
// (Node >= 22.1; NODE_DISABLE_COMPILE_CACHE=1 turns it off) keeps the stripped and compiled code
// between runs, so a start costs little more than Node's own. It must be on before the first import.
import module from "node:module";

module.enableCompileCache?.();
const { main } = await import("../oracle/cli/main.ts");

process.exitCode = await main(process.argv);

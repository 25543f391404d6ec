#!/usr/bin/env node
// The `cw` command. Node 24 strips the TypeScript types of the imported module.
import { main } from "../oracle/cli/main.ts";

process.exitCode = await main(process.argv);

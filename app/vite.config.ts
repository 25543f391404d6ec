// Vite config of the web app: a static build (relative asset paths, so it can be hosted under any path) that
// reuses the project's browser-safe modules. The Hardhat tasks' typed error is swapped for a plain Error
// subclass (app/src/task-error.ts) so the tasks' parsing and bound messages run in the browser unchanged.
import { fileURLToPath } from "node:url";

import path from "node:path";

import { defineConfig, type Plugin } from "vite";

const root = fileURLToPath(new URL(".", import.meta.url));
const TASK_ERROR = fileURLToPath(new URL("../scripts/tasks/task-error.ts", import.meta.url));
const BROWSER_TASK_ERROR = fileURLToPath(new URL("./src/task-error.ts", import.meta.url));

/** Resolves the tasks' `./task-error.ts` (which pulls in Hardhat) to the browser stand-in. */
function browserTaskError(): Plugin {
  return {
    name: "commonweight-browser-task-error",
    enforce: "pre",
    resolveId(source, importer) {
      if (importer === undefined || !source.endsWith("task-error.ts")) return null;
      return path.resolve(path.dirname(importer), source) === TASK_ERROR ? BROWSER_TASK_ERROR : null;
    },
  };
}

export default defineConfig({
  root,
  base: "./",
  publicDir: false,
  plugins: [browserTaskError()],
  build: {
    outDir: fileURLToPath(new URL("./dist", import.meta.url)),
    emptyOutDir: true,
    target: "es2022",
    chunkSizeWarningLimit: 2_000,
    rollupOptions: {
      onwarn(warning, warn) {
        // oracle/chain/deployment.ts imports node:fs/promises for `readDeployment`, which the page never calls (it
        // uses only `DeploymentSchema`); Vite stubs the module for the browser. Any other externalized module warns.
        if (warning.message.includes('"node:fs/promises"') && warning.message.includes("oracle/chain/deployment.ts")) return;
        warn(warning);
      },
    },
  },
  logLevel: "warn",
});

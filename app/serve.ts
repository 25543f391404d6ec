// `npm run app`: builds the web app and serves it, statically, for one deployment. The build is the same for every
// deployment; what differs is `deployment.json` beside it (the manifest plus the RPC URL), which the page loads at
// run time, so the folder can be copied to any static host with that one file edited.
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { build, preview, type PreviewServer } from "vite";

import { readDeployment, serializeDeployment, type Deployment } from "../oracle/chain/deployment.ts";
import { loadAppConfig } from "../oracle/config.ts";

const CONFIG_FILE = fileURLToPath(new URL("./vite.config.ts", import.meta.url));
/** Where `npm run app` builds to. */
export const DEFAULT_OUT_DIR = fileURLToPath(new URL("./dist", import.meta.url));

/** What the page reads from `deployment.json`: the manifest plus where to reach the chain and the results. */
export interface AppDeployment {
  readonly deployment: Deployment;
  readonly rpcUrl: string;
  /** URL template of published result packages (`{roundId}` replaced); empty when none are published. */
  readonly resultsUrl: string;
}

/** Builds the static app into `outDir`. */
export async function buildApp(outDir = DEFAULT_OUT_DIR): Promise<void> {
  await build({ configFile: CONFIG_FILE, build: { outDir, emptyOutDir: true }, logLevel: "warn" });
}

/** Writes `deployment.json` into a build folder. */
export async function writeAppDeployment(outDir: string, app: AppDeployment): Promise<void> {
  await mkdir(outDir, { recursive: true });
  const manifest = JSON.parse(serializeDeployment(app.deployment)) as object;
  await writeFile(path.join(outDir, "deployment.json"), `${JSON.stringify({ ...manifest, rpcUrl: app.rpcUrl, resultsUrl: app.resultsUrl }, null, 2)}\n`);
}

/** Serves a build folder on 127.0.0.1 (`port` 0: any free port). */
export async function serveApp(outDir: string, port: number): Promise<{ url: string; server: PreviewServer }> {
  const server = await preview({ configFile: CONFIG_FILE, build: { outDir }, preview: { host: "127.0.0.1", port, strictPort: port !== 0, open: false }, logLevel: "warn" });
  const url = server.resolvedUrls?.local[0];
  if (url === undefined) throw new Error("vite preview did not report its URL");
  return { url, server };
}

async function main(): Promise<void> {
  const config = loadAppConfig();
  const deployment = await readDeployment(config.DEPLOYMENT);
  await buildApp();
  await writeAppDeployment(DEFAULT_OUT_DIR, { deployment, rpcUrl: config.RPC_URL, resultsUrl: config.RESULTS_URL });
  const { url } = await serveApp(DEFAULT_OUT_DIR, config.APP_PORT);
  console.log(`Commonweight app for ${deployment.network} (chain ${deployment.chainId}) via ${config.RPC_URL}: ${url}`);
  console.log(`static build: ${DEFAULT_OUT_DIR} (host it anywhere with its deployment.json); Ctrl-C stops the server`);
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  });
}

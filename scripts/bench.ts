// `npm run bench -- <suite> [options]`: runs one benchmark suite from scripts/bench/<suite>.ts.
// Each suite exports `run(argv: string[]): Promise<void>` and prints its own table and --help.
import { readdir } from "node:fs/promises";

const SUITES_DIR = new URL("./bench/", import.meta.url);

async function suites(): Promise<string[]> {
  const files = await readdir(SUITES_DIR);
  return files.filter((f) => f.endsWith(".ts")).map((f) => f.slice(0, -3)).sort();
}

const [suite, ...rest] = process.argv.slice(2);
const available = await suites();
if (suite === undefined || suite === "--help" || suite === "-h") {
  process.stdout.write(`usage: npm run bench -- <suite> [options]\n\nsuites: ${available.join(", ")}\n` +
    "each suite takes --help and --json FILE\n");
  process.exit(suite === undefined ? 1 : 0);
}
if (!available.includes(suite)) {
  process.stderr.write(`unknown benchmark suite "${suite}"; available: ${available.join(", ")}\n`);
  process.exit(2);
}
const module = (await import(new URL(`${suite}.ts`, SUITES_DIR).href)) as { run: (argv: string[]) => Promise<void> };
await module.run(rest);

// The GPU check (scripts/gpu-check/README in the project README's "GPU" paragraph): runs every
// conformance vector on the WebGPU adapter with 1 and 3 shards, then webgpu against cpu at
// N = 32, 100 and P = 10M, 100M per rule, and prints one table. Built into a bundle by build.ts;
// `--quick` (P = 0.1M, N = 32) and `--allow-software` are for testing the bundle on llvmpipe.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { performance } from "node:perf_hooks";

import { pino } from "pino";

import { aggregateRound } from "../../oracle/compute/aggregate-round.ts";
import { loadCase } from "../../oracle/storage/case-loader.ts";
import { CpuBackend } from "../../oracle/compute/cpu/backend.ts";
import { WebgpuBackend } from "../../oracle/compute/webgpu/backend.ts";
import { openWebgpu } from "../../oracle/compute/webgpu/device.ts";
import { canonicalJson } from "../../oracle/protocol/result.ts";
import { compareBackends, formatRow, HEADER } from "../bench/webgpu-timing.ts";

const started = performance.now();
const argv = process.argv.slice(2);
const quick = argv.includes("--quick");
const vectorsAt = argv.indexOf("--vectors");
const vectors = vectorsAt >= 0 ? `${argv[vectorsAt + 1]}/` : new URL("../../test/vectors/", import.meta.url).pathname;
const budgetAt = argv.indexOf("--budget-s");
/** Whole check under 8 minutes: measurements stop at this many seconds after the start. */
const budgetMs = (budgetAt >= 0 ? Number(argv[budgetAt + 1]) : 420) * 1000;
const out = (line: string) => process.stdout.write(`${line}\n`);

const log = pino({ level: "info" }, pino.destination(2));
const opened = await openWebgpu({ allowSoftware: quick || argv.includes("--allow-software"), log });
if (typeof opened === "string") {
  out(`GPU CHECK FAILED: ${opened}`);
  process.exit(1);
}
out(`adapter: ${JSON.stringify(opened.adapter)}`);
const webgpu = new WebgpuBackend(opened, log);
const cpu = new CpuBackend();

let passed = 0;
const failed: string[] = [];
for (const name of readdirSync(vectors).filter((n) => statSync(`${vectors}${n}`).isDirectory()).sort()) {
  const expected = canonicalJson(JSON.parse(readFileSync(`${vectors}${name}/expected.json`, "utf8")));
  for (const shards of [1, 3]) {
    const { result } = await aggregateRound(await loadCase(`${vectors}${name}/`), { backend: webgpu, shards });
    if (canonicalJson(result) === expected) passed++;
    else failed.push(`${name}/${shards}`);
  }
}
out(`conformance vectors on webgpu: ${passed} passed, ${failed.length} failed${failed.length ? ` (${failed.join(", ")})` : ""} in ${((performance.now() - started) / 1000).toFixed(1)} s`);

const rows = await compareBackends({
  ns: quick ? [32] : [32, 100],
  ps: quick ? [100_000] : [10_000_000, 100_000_000],
  deadlineMs: budgetMs - (performance.now() - started),
  webgpu,
  cpu,
  print: (line) => process.stderr.write(`${line}\n`),
});
out(`\nwebgpu (${opened.adapter.description || opened.adapter.device}) vs cpu (${cpu.threads} threads), I8 updates, one run each:`);
out(HEADER);
for (const row of rows) out(formatRow(row));
out(`total ${((performance.now() - started) / 1000).toFixed(1)} s`);
await webgpu.dispose();
await cpu.dispose();
process.exit(failed.length === 0 && rows.every((r) => r.same !== false) ? 0 : 1);

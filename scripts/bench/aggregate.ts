// `npm run bench -- aggregate [--json FILE] [--quick] [--n 32,100] [--p 1,10] [--kernels]`: end to end
// per stage beside a numpy baseline (default), or the kernels alone on 1 and 2 threads (--kernels).
import { execFileSync } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";

import { CpuBackend } from "../../oracle/compute/cpu/backend.ts";
import type { AggregatePlan } from "../../oracle/compute/types.ts";
import type { AlignedRound } from "../../oracle/protocol/alignment.ts";
import { selectKrum } from "../../oracle/protocol/krum.ts";
import { combineDistances } from "../../oracle/compute/combine.ts";
import { childMode, printThroughput, runE2e } from "./aggregate-e2e.ts";

const RULES = ["fedavg", "median", "trimmed-mean", "multi-krum"] as const;
const MIB = 2 ** 20;

type Row = { rule: string; n: number; p: number; dtype: string; threads: number; ms: number; paramsPerS: number; updateBytesPerS: number; peakRssMiB: number; rssGoalMiB: number; vsPlainJs: number };
type Dtype = "I8" | "I16";
const BENCH_ENTRY = fileURLToPath(new URL("../bench.ts", import.meta.url));
/** Peak memory goal (issue #3): 1.5x the update bytes plus 200 MB. */
const RSS_GOAL_FACTOR = 1.5;
const RSS_GOAL_EXTRA_BYTES = 200e6;

/**
 * Runs this suite in a fresh Node process with internal flags and parses its JSON output, so that
 * each configuration's peak RSS is its own (maxRSS never falls within a process).
 */
function inChild<T>(args: string[]): T {
  const out = execFileSync(process.execPath, [BENCH_ENTRY, "aggregate", ...args], { encoding: "utf8", maxBuffer: 64 * MIB, stdio: ["ignore", "pipe", "inherit"] });
  return JSON.parse(out) as T;
}

function help(): void {
  process.stdout.write("usage: npm run bench -- aggregate [--json FILE] [--quick] [--n 32,100] [--p 1,10] [--threads T] [--repeat R] [--kernels]\n  --quick    N=32, P=1M\n  --n        update counts to run (default 32,100)\n  --p        parameter counts in Mi (default 1)\n  --threads  cpu worker threads end to end (default 1: one core)\n  --equal-only  skip the mixed-exponent cases\n  --repeat   runs per rule end to end, best per stage (default 3; the first run is reported as cold)\n  --kernels  the kernels alone on 1 and 2 threads, I8 and I16\n  --json     also write the rows as JSON\n");
}

/** Deterministic pseudo-random integers (xorshift32); the bench needs reproducible, not secure, data. */
function fill(array: Int8Array | Int16Array, seed: number): void {
  let x = seed | 1;
  const range = array instanceof Int8Array ? 255 : 65_535;
  const offset = array instanceof Int8Array ? 127 : 32_767;
  for (let j = 0; j < array.length; j++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    array[j] = ((x >>> 0) % range) - offset;
  }
}

function syntheticRound(n: number, p: number, dtype: Dtype): AlignedRound {
  const width = dtype === "I8" ? 1 : 2;
  const updates = Array.from({ length: n }, (_, i) => {
    const buffer = new SharedArrayBuffer(p * width);
    const q = dtype === "I8" ? new Int8Array(buffer) : new Int16Array(buffer);
    fill(q, 0x9e37_79b9 + i * 7919);
    return { q: [q], shift: [0], maxAbs: [dtype === "I8" ? 127 : 32_767], weight: 1 };
  });
  return { tensors: [{ name: "w", size: p, offset: 0, E: -20 }], size: p, G: -20, updates };
}

/** Sequential read bandwidth of this machine, GB/s, from summing a 256 MiB array. */
function memoryBandwidth(): number {
  const a = new Float64Array(32 * MIB).fill(1);
  let best = Infinity;
  let sink = 0;
  for (let r = 0; r < 3; r++) {
    const t = performance.now();
    let s = 0;
    for (let j = 0; j < a.length; j++) s += a[j] as number;
    sink += s;
    best = Math.min(best, performance.now() - t);
  }
  if (sink < 0) process.stdout.write("");
  return a.byteLength / best / 1e6;
}

/** The plain-JS float reference: a float32-input weighted mean, as a naive port of Flower's numpy fedavg. */
function plainJsFedavgMs(n: number, p: number): number {
  const rows = Array.from({ length: n }, () => new Float32Array(p).fill(0.5));
  const out = new Float64Array(p);
  const t = performance.now();
  for (const row of rows) for (let j = 0; j < p; j++) out[j] = (out[j] as number) + (row[j] as number) / n;
  return performance.now() - t;
}

async function timeRule(backend: CpuBackend, round: AlignedRound, rule: (typeof RULES)[number]): Promise<number> {
  const members = round.updates.map((_, i) => i);
  const range = { start: 0, end: round.size };
  const session = await backend.open(round);
  const t = performance.now();
  let plan: AggregatePlan;
  if (rule === "multi-krum") {
    const selected = selectKrum(combineDistances([await session.distances(range)], members.length), members.length, 2);
    plan = { kind: "weighted-mean", members: selected, weights: selected.map(() => 1) };
  } else if (rule === "fedavg") plan = { kind: "weighted-mean", members, weights: members.map(() => 1) };
  else if (rule === "median") plan = { kind: "median", members };
  else plan = { kind: "trimmed-mean", members, trim: Math.floor(members.length / 10) };
  await session.aggregate(plan, range);
  const ms = performance.now() - t;
  await session.close();
  return ms;
}

/** Times every rule on 1 and 2 threads for one configuration; runs in its own process. */
async function benchConfig(n: number, p: number, dtype: Dtype, plainMs: number): Promise<Row[]> {
  const rows: Row[] = [];
  const round = syntheticRound(n, p, dtype);
  const bytes = n * p * (dtype === "I8" ? 1 : 2);
  for (const threads of [1, 2]) {
    const backend = new CpuBackend({ threads });
    for (const rule of RULES) {
      if (p <= MIB) await timeRule(backend, round, rule); // warm-up run for the JIT on small sizes
      // Best of two: the machine is shared, the minimum is the least disturbed run.
      const ms = Math.min(await timeRule(backend, round, rule), await timeRule(backend, round, rule));
      rows.push({ rule, n, p, dtype, threads, ms, paramsPerS: p / (ms / 1000), updateBytesPerS: bytes / (ms / 1000), peakRssMiB: process.resourceUsage().maxRSS / 1024, rssGoalMiB: (RSS_GOAL_FACTOR * bytes + RSS_GOAL_EXTRA_BYTES) / MIB, vsPlainJs: plainMs / ms });
    }
    await backend.dispose();
  }
  return rows;
}

function printRow(row: Row): void {
  process.stdout.write(`${row.rule.padEnd(13)} ${String(row.n).padStart(3)}  ${`${row.p / MIB}M`.padEnd(6)} ${row.dtype.padEnd(5)} ${row.threads}  ${row.ms.toFixed(1).padStart(9)}  ${(row.paramsPerS / 1e6).toFixed(1).padStart(9)}  ${(row.updateBytesPerS / 1e6).toFixed(0).padStart(8)}  ${row.peakRssMiB.toFixed(0).padStart(11)}  ${row.rssGoalMiB.toFixed(0).padStart(8)}  ${row.vsPlainJs.toFixed(2).padStart(8)}\n`);
}

export async function run(argv: string[]): Promise<void> {
  // `--backend webgpu`: webgpu beside cpu with upload/kernel/readback times (scripts/bench/webgpu-timing.ts).
  if (argv.includes("--backend")) return (await import("./webgpu-timing.ts")).run(argv);
  if (argv.includes("--help") || argv.includes("-h")) return help();
  // Internal modes of the child processes: print JSON only.
  const plainAt = argv.indexOf("--plain-reference");
  if (plainAt >= 0) {
    process.stdout.write(JSON.stringify(plainJsFedavgMs(Number(argv[plainAt + 1]), Number(argv[plainAt + 2]))));
    return;
  }
  const configAt = argv.indexOf("--config");
  if (configAt >= 0) {
    const [n, p, dtype, plainMs] = (argv[configAt + 1] ?? "").split(",");
    process.stdout.write(JSON.stringify(await benchConfig(Number(n), Number(p), dtype === "I16" ? "I16" : "I8", Number(plainMs))));
    return;
  }
  const e2eAt = argv.indexOf("--e2e-case");
  if (e2eAt >= 0) return childMode(argv[e2eAt + 1] ?? "");
  const quick = argv.includes("--quick");
  const jsonAt = argv.indexOf("--json");
  const jsonFile = jsonAt >= 0 ? argv[jsonAt + 1] : undefined;
  if (!argv.includes("--kernels")) {
    const list = (flag: string, fallback: number[]): number[] => (argv.indexOf(flag) >= 0 ? (argv[argv.indexOf(flag) + 1] ?? "").split(",").map(Number) : fallback);
    const threadsAt = argv.indexOf("--threads");
    const repeatAt = argv.indexOf("--repeat");
    const repeat = repeatAt >= 0 ? Math.max(1, Number(argv[repeatAt + 1])) : 3;
    const rows = await runE2e(quick ? [32] : list("--n", [32, 100]), (quick ? [1] : list("--p", [1])).map((p) => p * MIB), threadsAt >= 0 ? Number(argv[threadsAt + 1]) : 1, argv.includes("--equal-only") ? ["equal"] : ["equal", "mixed"], repeat);
    printThroughput(rows);
    if (jsonFile !== undefined) await writeFile(jsonFile, JSON.stringify({ rows }, null, 2));
    return;
  }
  const bandwidth = memoryBandwidth();
  process.stdout.write(`memory read bandwidth: ${bandwidth.toFixed(1)} GB/s\n`);
  process.stdout.write("each configuration runs in its own process; wall ms is the best of 2 runs; peak RSS covers both thread counts\n");
  const rows: Row[] = [];
  const nAt = argv.indexOf("--n");
  const ns = nAt >= 0 ? (argv[nAt + 1] ?? "32").split(",").map(Number) : quick ? [32] : [32, 100];
  const ps = quick ? [MIB] : [MIB, 10 * MIB];
  const dtypes = quick ? (["I8"] as const) : (["I8", "I16"] as const);
  process.stdout.write("rule          N    P      dtype thr   wall ms   Mparam/s  upd MB/s  peakRSS MiB  goal MiB  x plain-JS fedavg\n");
  for (const n of ns) {
    for (const p of ps) {
      const plainMs = inChild<number>(["--plain-reference", String(n), String(p)]);
      for (const dtype of dtypes) {
        for (const row of inChild<Row[]>(["--config", `${n},${p},${dtype},${plainMs}`])) {
          rows.push(row);
          printRow(row);
        }
      }
    }
  }
  if (jsonFile !== undefined) await writeFile(jsonFile, JSON.stringify({ memoryBandwidthGBs: bandwidth, rows }, null, 2));
}

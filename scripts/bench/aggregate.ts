// `npm run bench -- aggregate [--json FILE] [--quick]`: throughput of the exact aggregation kernels.
import { writeFile } from "node:fs/promises";
import { performance } from "node:perf_hooks";

import { CpuBackend } from "../../oracle/compute/cpu/backend.ts";
import type { AggregatePlan } from "../../oracle/compute/types.ts";
import type { AlignedRound } from "../../oracle/protocol/alignment.ts";
import { selectKrum } from "../../oracle/protocol/krum.ts";
import { combineDistances } from "../../oracle/compute/combine.ts";

const RULES = ["fedavg", "median", "trimmed-mean", "multi-krum"] as const;
const MIB = 2 ** 20;

type Row = { rule: string; n: number; p: number; dtype: string; threads: number; ms: number; paramsPerS: number; updateBytesPerS: number; peakRssMiB: number; vsPlainJs: number };

function help(): void {
  process.stdout.write("usage: npm run bench -- aggregate [--json FILE] [--quick]\n  --quick  N=32, P=1M, I8 only\n  --json   also write the rows as JSON\n");
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

function syntheticRound(n: number, p: number, dtype: "I8" | "I16"): AlignedRound {
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

export async function run(argv: string[]): Promise<void> {
  if (argv.includes("--help") || argv.includes("-h")) return help();
  const quick = argv.includes("--quick");
  const jsonAt = argv.indexOf("--json");
  const jsonFile = jsonAt >= 0 ? argv[jsonAt + 1] : undefined;
  const bandwidth = memoryBandwidth();
  process.stdout.write(`memory read bandwidth: ${bandwidth.toFixed(1)} GB/s\n`);
  const rows: Row[] = [];
  const ns = quick ? [32] : [32, 100];
  const ps = quick ? [MIB] : [MIB, 10 * MIB];
  const dtypes = quick ? (["I8"] as const) : (["I8", "I16"] as const);
  process.stdout.write("rule          N    P      dtype thr   wall ms   Mparam/s  upd MB/s  peakRSS MiB  x plain-JS fedavg\n");
  for (const n of ns) {
    for (const p of ps) {
      const plainMs = plainJsFedavgMs(n, p);
      for (const dtype of dtypes) {
        const round = syntheticRound(n, p, dtype);
        for (const threads of [1, 2]) {
          const backend = new CpuBackend({ threads });
          for (const rule of RULES) {
            if (p <= MIB) await timeRule(backend, round, rule); // warm-up run for the JIT on small sizes
            const ms = await timeRule(backend, round, rule);
            const bytes = n * p * (dtype === "I8" ? 1 : 2);
            const row: Row = { rule, n, p, dtype, threads, ms, paramsPerS: p / (ms / 1000), updateBytesPerS: bytes / (ms / 1000), peakRssMiB: process.resourceUsage().maxRSS / 1024, vsPlainJs: plainMs / ms };
            rows.push(row);
            process.stdout.write(`${rule.padEnd(13)} ${String(n).padStart(3)}  ${`${p / MIB}M`.padEnd(6)} ${dtype.padEnd(5)} ${threads}  ${ms.toFixed(1).padStart(9)}  ${(row.paramsPerS / 1e6).toFixed(1).padStart(9)}  ${(row.updateBytesPerS / 1e6).toFixed(0).padStart(8)}  ${row.peakRssMiB.toFixed(0).padStart(11)}  ${row.vsPlainJs.toFixed(2).padStart(8)}\n`);
          }
          await backend.dispose();
        }
      }
    }
  }
  if (jsonFile !== undefined) await writeFile(jsonFile, JSON.stringify({ memoryBandwidthGBs: bandwidth, rows }, null, 2));
}

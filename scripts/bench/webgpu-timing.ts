// `npm run bench -- aggregate --backend webgpu [--n 32,100] [--p 1,10] [--quick] [--deadline-s S] [--json FILE]`:
// each rule's round compute (multi-krum distances, the aggregate, the score dot products) on the
// webgpu backend beside the cpu backend, on the same synthetic inputs, with webgpu's upload, kernel
// and readback times and whether both backends returned the same bits. Also the GPU check's table.
import { createHash } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { performance } from "node:perf_hooks";

import { pino } from "pino";

import { createBackend } from "../../oracle/compute/backends.ts";
import { combineDistances } from "../../oracle/compute/combine.ts";
import { distanceStrings } from "../../oracle/compute/pair-totals.ts";
import { CpuBackend } from "../../oracle/compute/cpu/backend.ts";
import type { AggregatePlan, ComputeBackend } from "../../oracle/compute/types.ts";
import { WebgpuBackend } from "../../oracle/compute/webgpu/backend.ts";
import type { AlignedRound } from "../../oracle/protocol/alignment.ts";
import { selectKrum } from "../../oracle/protocol/krum.ts";

const RULES = ["fedavg", "median", "trimmed-mean", "multi-krum"] as const;
type Rule = (typeof RULES)[number];
const M = 1_000_000;

/** One measured (or skipped) rule on one input. */
export type TimingRow = {
  rule: Rule;
  n: number;
  p: number;
  cpuMs: number | null;
  webgpuMs: number | null;
  uploadMs: number | null;
  kernelMs: number | null;
  readbackMs: number | null;
  same: boolean | null;
  peakRssMiB: number;
  note: string;
};

/** Deterministic I8 updates (xorshift32), one SharedArrayBuffer each so cpu threads share them. */
export function syntheticI8Round(n: number, p: number): AlignedRound {
  const updates = Array.from({ length: n }, (_, i) => {
    const q = new Int8Array(new SharedArrayBuffer(p));
    let x = (0x9e37_79b9 + i * 7919) | 1;
    for (let j = 0; j < p; j++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      q[j] = ((x >>> 0) % 255) - 127;
    }
    return { q: [q], shift: [0], maxAbs: [127], weight: 1 };
  });
  return { tensors: [{ name: "w", size: p, offset: 0, E: -20 }], size: p, G: -20, updates };
}

/** Runs one rule's compute stages over the whole model; returns wall ms and a digest of the outputs. */
async function computeRule(backend: ComputeBackend, round: AlignedRound, rule: Rule): Promise<{ ms: number; digest: string }> {
  const all = round.updates.map((_, i) => i);
  const range = { start: 0, end: round.size };
  const session = await backend.open(round);
  const started = performance.now();
  let members = all;
  const hash = createHash("sha256");
  if (rule === "multi-krum") {
    const distances = await session.distances(range);
    hash.update(distanceStrings(distances).join(","));
    members = selectKrum(combineDistances([distances], all.length), all.length, 2);
  }
  const plan: AggregatePlan =
    rule === "median" ? { kind: "median", members } : rule === "trimmed-mean" ? { kind: "trimmed-mean", members, trim: Math.floor(members.length / 10) } : { kind: "weighted-mean", members, weights: members.map(() => 1) };
  const aggregate = await session.aggregate(plan, range);
  const dots = await session.scoreDots(members, aggregate, range);
  const ms = performance.now() - started;
  await session.close();
  hash.update(new Uint8Array(aggregate.buffer, aggregate.byteOffset, aggregate.byteLength));
  hash.update(JSON.stringify(dots));
  return { ms, digest: hash.digest("hex") };
}

function list(argv: string[], flag: string, fallback: number[]): number[] {
  const at = argv.indexOf(flag);
  return at >= 0 ? (argv[at + 1] ?? "").split(",").map(Number) : fallback;
}

const fmt = (v: number | null) => (v === null ? "-" : v.toFixed(0)).padStart(9);

/** One table line per row (also used by the GPU check). */
export function formatRow(r: TimingRow): string {
  const speedup = r.cpuMs !== null && r.webgpuMs !== null ? `${(r.cpuMs / r.webgpuMs).toFixed(2)}x` : "-";
  const same = r.same === null ? "-" : r.same ? "yes" : "NO";
  return `${r.rule.padEnd(13)} ${String(r.n).padStart(4)} ${`${r.p / M}M`.padStart(6)} ${fmt(r.cpuMs)} ${fmt(r.webgpuMs)} ${fmt(r.uploadMs)} ${fmt(r.kernelMs)} ${fmt(r.readbackMs)} ${speedup.padStart(8)} ${same.padStart(5)} ${r.peakRssMiB.toFixed(0).padStart(8)}  ${r.note}`;
}

export const HEADER = `rule             N      P    cpu ms webgpu ms upload ms kernel ms  read ms  cpu/gpu  same  RSS MiB`;

/**
 * Times every rule for each (n, p) on webgpu and cpu. Stops measuring (rows say "skipped") once
 * `deadlineMs` after the start has passed, so a time-boxed run always prints its table.
 */
export async function compareBackends(options: { ns: number[]; ps: number[]; deadlineMs: number; webgpu: WebgpuBackend; cpu: CpuBackend; print: (line: string) => void }): Promise<TimingRow[]> {
  const start = performance.now();
  const rows: TimingRow[] = [];
  options.print(HEADER);
  for (const n of options.ns) {
    for (const p of options.ps) {
      const late = () => performance.now() - start > options.deadlineMs;
      const skipped = (rule: Rule, note: string): TimingRow => ({ rule, n, p, cpuMs: null, webgpuMs: null, uploadMs: null, kernelMs: null, readbackMs: null, same: null, peakRssMiB: process.resourceUsage().maxRSS / 1024, note });
      if (late()) {
        for (const rule of RULES) rows.push(skipped(rule, "skipped: time budget"));
        rows.slice(-RULES.length).forEach((r) => options.print(formatRow(r)));
        continue;
      }
      const round = syntheticI8Round(n, p);
      for (const rule of RULES) {
        if (late()) {
          const row = skipped(rule, "skipped: time budget");
          rows.push(row);
          options.print(formatRow(row));
          continue;
        }
        options.webgpu.takeTiming();
        const gpu = await computeRule(options.webgpu, round, rule);
        const stages = options.webgpu.takeTiming();
        const cpu = late() ? null : await computeRule(options.cpu, round, rule);
        const row: TimingRow = {
          rule, n, p, cpuMs: cpu?.ms ?? null, webgpuMs: gpu.ms, uploadMs: stages.uploadMs, kernelMs: stages.kernelMs, readbackMs: stages.readbackMs,
          same: cpu === null ? null : cpu.digest === gpu.digest, peakRssMiB: process.resourceUsage().maxRSS / 1024, note: cpu === null ? "cpu skipped: time budget" : "",
        };
        rows.push(row);
        options.print(formatRow(row));
      }
    }
  }
  return rows;
}

/** The bench entry (`aggregate --backend webgpu`). */
export async function run(argv: string[]): Promise<void> {
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write("usage: npm run bench -- aggregate --backend webgpu [--n 32,100] [--p 1,10] [--quick] [--deadline-s S] [--json FILE]\n  --p  parameter counts in millions (default 1,10; --quick: N=32, P=1M)\n");
    return;
  }
  const quick = argv.includes("--quick");
  const ns = list(argv, "--n", quick ? [32] : [32, 100]);
  const ps = list(argv, "--p", quick ? [1] : [1, 10]).map((x) => Math.round(x * M));
  const deadlineMs = list(argv, "--deadline-s", [3600])[0] as number * 1000;
  const log = pino({ level: "info" }, pino.destination(2));
  const backend = await createBackend("webgpu", { log });
  if (!(backend instanceof WebgpuBackend)) throw new Error("expected the webgpu backend");
  const cpu = new CpuBackend();
  process.stdout.write(`webgpu adapter: ${JSON.stringify(backend.adapter)}\ncpu backend: ${cpu.threads} threads; times are one run each, stages of webgpu wait for the queue\n`);
  try {
    const rows = await compareBackends({ ns, ps, deadlineMs, webgpu: backend, cpu, print: (line) => process.stdout.write(`${line}\n`) });
    const jsonAt = argv.indexOf("--json");
    if (jsonAt >= 0) await writeFile(argv[jsonAt + 1] ?? "webgpu-bench.json", JSON.stringify({ adapter: backend.adapter, rows }, null, 2));
  } finally {
    await backend.dispose();
    await cpu.dispose();
  }
}

// End-to-end part of `npm run bench -- aggregate`: real update files through every stage of
// `aggregateRound`, timed per stage, beside a numpy baseline of the same rules on the same files.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";

import { aggregateRound, type RoundStage } from "../../oracle/compute/aggregate-round.ts";
import { readShared } from "../../oracle/storage/case-loader.ts";
import { CpuBackend } from "../../oracle/compute/cpu/backend.ts";
import { hashBytes } from "../../oracle/protocol/hash.ts";
import { encodeModel } from "../../oracle/protocol/model-file.ts";
import type { Policy, Rule } from "../../oracle/protocol/policy.ts";
import { encodeUpdate, type Update } from "../../oracle/protocol/update-file.ts";

const RULES: readonly Rule[] = ["fedavg", "median", "trimmed-mean", "multi-krum"];
const MIB = 2 ** 20;
const ROUND_ID = "1";
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BENCH_ENTRY = join(ROOT, "scripts/bench.ts");
const NUMPY_SCRIPT = join(ROOT, "scripts/bench/numpy_baseline.py");
/** Peak memory goal (issue 17): 1.5x the update bytes plus 200 MB. */
const RSS_GOAL = (updateBytes: number): number => 1.5 * updateBytes + 200e6;
/** Size of the small second tensor, so every update has per-tensor exponents. */
const SMALL_TENSOR = 1024;

type Exponents = "equal" | "mixed";
export type E2eRow = {
  rule: Rule; n: number; p: number; exps: Exponents; threads: number; updateBytes: number;
  stages: Record<"read" | "hash" | RoundStage, number>; totalMs: number; coldTotalMs: number; peakRssMB: number; rssGoalMB: number;
  numpyMs?: number;
};

function policyFor(rule: Rule): Policy {
  return { rule, trimBps: 1000, krumF: 2, weighting: "uniform", maxSampleWeight: 1, clipMantissa: 1, clipExp: 12, minContributors: 1, rewardPool: 10n ** 18n };
}

function fill(q: Int8Array, seed: number): void {
  let x = seed | 1;
  for (let j = 0; j < q.length; j++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    q[j] = ((x >>> 0) % 255) - 127;
  }
}

/** Writes a case folder: a zero base model and `n` I8 updates (norm about 900 at exponent -8, under C = 2^12). */
export function writeCase(n: number, p: number, exps: Exponents): string {
  const dir = mkdtempSync(join(tmpdir(), "cw-bench-"));
  const layout = [{ name: "b", size: SMALL_TENSOR }, { name: "w", size: p - SMALL_TENSOR }];
  const base = encodeModel(layout.map((t) => ({ name: t.name, shape: [t.size], values: new Float32Array(t.size) })));
  writeFileSync(join(dir, "base.safetensors"), base);
  const baseHash = hashBytes(base);
  const contributors = [];
  for (let i = 0; i < n; i++) {
    const update: Update = {
      round: ROUND_ID, base: baseHash, samples: 1,
      tensors: layout.map((t, ti) => {
        const q = new Int8Array(t.size);
        fill(q, 0x9e37_79b9 + i * 7919 + ti);
        // Mixed: exponents -8 to -10 by update and tensor, as real contributors' per-tensor scales differ.
        return { name: t.name, shape: [t.size], dtype: "I8" as const, q, exp: exps === "equal" ? -8 : -8 - ((i + ti) % 3) };
      }),
    };
    const bytes = encodeUpdate(update);
    const file = `u${i}.safetensors`;
    writeFileSync(join(dir, file), bytes);
    contributors.push({ address: `0x${(i + 1).toString(16).padStart(40, "0")}`, revealedHash: hashBytes(bytes), file });
  }
  writeFileSync(join(dir, "round.json"), JSON.stringify({ roundId: ROUND_ID, policy: { ...policyFor("fedavg"), rewardPool: "1000000000000000000" }, contributors }));
  return dir;
}

/** Every rule on one case folder in this process (so peak RSS covers all rules together, on one copy of the updates). */
async function benchCase(dir: string, n: number, p: number, exps: Exponents, threads: number, repeat: number): Promise<E2eRow[]> {
  const rows: E2eRow[] = [];
  const backend = new CpuBackend({ threads });
  const files = Array.from({ length: n }, (_, i) => join(dir, `u${i}.safetensors`));
  const base = await readShared(join(dir, "base.safetensors"), 2 ** 31);
  if (base === null) throw new Error("base model missing");
  // One copy of the updates serves every rule, as an operator holds one copy per round: the read is
  // measured once and shown on every rule's row. The files are read as `cw aggregate`'s
  // case loader reads them (all at once, on libuv's I/O threads).
  const t = performance.now();
  const bytes = await Promise.all(files.map((f) => readShared(f, 2 ** 31)));
  const read = performance.now() - t;
  const hashAll = (): { hashes: string[]; ms: number } => {
    const started = performance.now();
    const hashes = bytes.map((b) => (b === null ? "" : hashBytes(b)));
    return { hashes, ms: performance.now() - started };
  };
  const { hashes } = hashAll();
  for (const rule of RULES) {
    // Best of `repeat` runs per stage (a long-lived operator's warm process); the first run's total is the cold one.
    const stages: Record<string, number> = { read };
    let coldTotalMs = 0;
    for (let r = 0; r < repeat; r++) {
      // The hash alone, just before the run: validate hashes again, and its stage time minus this
      // run's hash is the rest of validation (measured back to back, so both see the same caches).
      const run: Record<string, number> = { hash: hashAll().ms };
      await aggregateRound(
        { roundId: ROUND_ID, policy: policyFor(rule), base, contributors: bytes.map((file, i) => ({ address: `0x${(i + 1).toString(16).padStart(40, "0")}`, revealedHash: hashes[i] as string, file })) },
        { backend, onStage: (s, ms) => (run[s] = ms) },
      );
      run["validate"] = Math.max(0, (run["validate"] ?? 0) - (run["hash"] ?? 0));
      if (r === 0) coldTotalMs = read + Object.values(run).reduce((s, v) => s + v, 0);
      for (const [k, v] of Object.entries(run)) stages[k] = Math.min(stages[k] ?? Infinity, v);
    }
    const updateBytes = bytes.reduce((s, b) => s + (b?.length ?? 0), 0);
    const totalMs = Object.values(stages).reduce((s, v) => s + v, 0);
    rows.push({ rule, n, p, exps, threads, updateBytes, stages: stages as E2eRow["stages"], totalMs, coldTotalMs, peakRssMB: process.resourceUsage().maxRSS / 1000, rssGoalMB: RSS_GOAL(updateBytes) / 1e6 });
  }
  await backend.dispose();
  return rows;
}

/** Wall time of a process, best of `runs`. */
function processMs(args: string[], runs: number): number {
  let best = Infinity;
  for (let r = 0; r < runs; r++) {
    const t = performance.now();
    execFileSync(process.execPath, args, { stdio: "ignore", cwd: ROOT });
    best = Math.min(best, performance.now() - t);
  }
  return best;
}

function numpyBaseline(dir: string, repeat: number): Record<string, number> | undefined {
  try {
    const out = execFileSync("python3", [NUMPY_SCRIPT, dir, RULES.join(","), "--repeat", String(repeat)], { encoding: "utf8", env: { ...process.env, OPENBLAS_NUM_THREADS: "1", OMP_NUM_THREADS: "1" }, stdio: ["ignore", "pipe", "inherit"] });
    return (JSON.parse(out) as { ms: Record<string, number> }).ms;
  } catch (err) {
    process.stderr.write(`numpy baseline unavailable: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}\n`);
    return undefined;
  }
}

const COLUMNS = ["read", "hash", "validate", "align", "kernel", "scores", "encode"] as const;

function printHeader(): void {
  process.stdout.write(`${"rule".padEnd(13)} ${"N".padStart(4)} ${"P".padEnd(4)} ${"exps".padEnd(6)}${COLUMNS.map((c) => c.padStart(9)).join("")}  total ms   cold ms  e2e/kernel  GB/s e2e  numpy ms  x numpy(kernel)  x numpy(e2e)  RSS MB / goal\n`);
}

function printRow(r: E2eRow): void {
  const ratio = (ms: number): string => (r.numpyMs === undefined ? "-" : (r.numpyMs / ms).toFixed(2));
  process.stdout.write(`${r.rule.padEnd(13)} ${String(r.n).padStart(4)} ${`${r.p / MIB}M`.padEnd(4)} ${r.exps.padEnd(6)}${COLUMNS.map((c) => r.stages[c].toFixed(0).padStart(9)).join("")}  ${r.totalMs.toFixed(0).padStart(8)}  ${r.coldTotalMs.toFixed(0).padStart(8)}  ${(r.totalMs / r.stages.kernel).toFixed(1).padStart(10)}  ${(r.updateBytes / r.totalMs / 1e6).toFixed(2).padStart(8)}  ${(r.numpyMs?.toFixed(0) ?? "-").padStart(8)}  ${ratio(r.stages.kernel).padStart(15)}  ${ratio(r.totalMs).padStart(11)}  ${r.peakRssMB.toFixed(0)} / ${r.rssGoalMB.toFixed(0)}\n`);
}

/** Each stage's rate in GB/s of update bytes (the issue's goal: at least 1 per stage, one core). */
export function printThroughput(rows: readonly E2eRow[]): void {
  process.stdout.write(`\nper stage, GB/s of update bytes (best of the runs; * below 1 GB/s)\n${"rule".padEnd(13)} ${"N".padStart(4)} ${"P".padEnd(4)} ${"exps".padEnd(6)}${COLUMNS.map((c) => c.padStart(9)).join("")}\n`);
  for (const r of rows) {
    const rate = (c: (typeof COLUMNS)[number]): string => {
      const gbs = r.updateBytes / Math.max(r.stages[c], 1e-3) / 1e6;
      return `${gbs >= 100 ? ">100" : gbs.toFixed(1)}${gbs < 1 ? "*" : " "}`.padStart(9);
    };
    process.stdout.write(`${r.rule.padEnd(13)} ${String(r.n).padStart(4)} ${`${r.p / MIB}M`.padEnd(4)} ${r.exps.padEnd(6)}${COLUMNS.map(rate).join("")}\n`);
  }
}

/** Internal child mode: `--e2e-case DIR,N,P,EXPS,THREADS,REPEAT` prints the rows as JSON. */
export async function childMode(arg: string): Promise<void> {
  const [dir, n, p, exps, threads, repeat] = arg.split(",");
  process.stdout.write(JSON.stringify(await benchCase(dir as string, Number(n), Number(p), exps === "mixed" ? "mixed" : "equal", Number(threads), Math.max(1, Number(repeat ?? 1))), (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v)));
}

/** Runs the end-to-end table for every (N, P, exponents) configuration; returns its rows. */
export async function runE2e(ns: number[], ps: number[], threads: number, exponents: readonly Exponents[] = ["equal", "mixed"], repeat = 3): Promise<E2eRow[]> {
  const bare = processMs(["-e", ""], 3);
  const tiny = writeCase(1, SMALL_TENSOR * 2, "equal");
  const cw = processMs([join(ROOT, "bin/cw.js"), "aggregate", "--backend", "cpu", tiny], 3);
  rmSync(tiny, { recursive: true });
  process.stdout.write(`start: bare node ${bare.toFixed(0)} ms, trivial \`cw aggregate --backend cpu\` ${cw.toFixed(0)} ms (best of 3)\n`);
  process.stdout.write(`stages in ms on ${threads} thread(s), one process per configuration (all rules in it), best of ${repeat} runs per stage ("cold": the first run's total); validate excludes the hash; numpy: single-threaded, best of its runs, rule only (no load)\n`);
  printHeader();
  const rows: E2eRow[] = [];
  for (const p of ps) {
    for (const n of ns) {
      for (const exps of exponents) {
        const dir = writeCase(n, p, exps);
        try {
          const caseRows = JSON.parse(execFileSync(process.execPath, [BENCH_ENTRY, "aggregate", "--e2e-case", `${dir},${n},${p},${exps},${threads},${repeat}`], { encoding: "utf8", maxBuffer: 64 * MIB, stdio: ["ignore", "pipe", "inherit"] })) as E2eRow[];
          const numpy = numpyBaseline(dir, p > MIB ? 1 : 3);
          for (const row of caseRows) {
            row.numpyMs = numpy?.[row.rule];
            rows.push(row);
            printRow(row);
          }
        } finally {
          rmSync(dir, { recursive: true });
        }
      }
    }
  }
  return rows;
}

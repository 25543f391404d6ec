// `npm run bench -- operator [--contributors N] [--params P] [--workers 1,2] [--json FILE]`: time from
// RoundClosed to finalized, split by stage, for N contributors' I8 updates of P parameters, with 1 and 2
// compute worker processes per operator (two operators, k = 2), against `cw aggregate` on the same files.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

import { hexlify } from "ethers";

import { aggregateRound } from "../../oracle/compute/aggregate-round.ts";
import { createBackend } from "../../oracle/compute/backends.ts";
import { startDevnet, type Devnet } from "../../oracle/devnet/devnet.ts";
import { devnetOperatorConfig } from "../../oracle/devnet/operator-config.ts";
import { closeRound, openRound } from "../../oracle/sponsor/index.ts";
import { createLogger } from "../../oracle/logger.ts";
import { decodeRoundStatus } from "../../oracle/chain/enums.ts";
import { hashBytes } from "../../oracle/protocol/hash.ts";
import { encodeModel } from "../../oracle/protocol/model-file.ts";
import { parsePolicy } from "../../oracle/protocol/policy.ts";
import { encodeUpdate } from "../../oracle/protocol/update-file.ts";
import { startRedisServer } from "../../oracle/operator/redis-server.ts";
import { startOperator, type RunningOperator } from "../../oracle/operator/service.ts";

const HOUR = 3600;

function flag(argv: string[], name: string, fallback: string): string {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? (argv[i + 1] as string) : fallback;
}

/** A base model of `params` F32 values in one tensor (a 1,000-wide matrix). */
function baseModel(params: number): Uint8Array {
  const cols = 1000;
  const values = new Float32Array(params);
  for (let j = 0; j < params; j += 1) values[j] = ((j % 97) - 48) / 1000;
  return encodeModel([{ name: "w", shape: [params / cols, cols], values }]);
}

/** A random I8 update whose norm fits C = 8: |q| <= 127, 2^-14 * sqrt(P) * 127 < 8 for P <= 1e6... scaled by exp. */
function update(params: number, roundId: bigint, baseHash: string, seed: number): Uint8Array {
  const q = new Int8Array(params);
  const noise = randomBytes(params);
  for (let j = 0; j < params; j += 1) q[j] = ((noise[j] as number) % 255) - 127 + (seed % 3);
  const exp = -17; // sqrt(1e6) * 127 * 2^-17 ~= 0.97 < C
  return encodeUpdate({ round: roundId.toString(), base: baseHash.toLowerCase() as `0x${string}`, samples: 100, tensors: [{ name: "w", shape: [params / 1000, 1000], dtype: "I8", q, exp }] });
}

async function oneRun(params: number, contributors: number, workers: number): Promise<Record<string, number>> {
  const work = await mkdtemp(join(tmpdir(), "cw-bench-op-"));
  const redis = await startRedisServer();
  let devnet: Devnet | undefined;
  const operators: RunningOperator[] = [];
  try {
    const genesis = baseModel(params);
    devnet = await startDevnet({
      dir: work, operators: 2, contributors, operatorThreshold: 2n, genesisModel: genesis,
      policy: { commitWindowSeconds: HOUR, revealWindowSeconds: HOUR, attestWindowSeconds: 24 * HOUR, challengeWindowSeconds: HOUR, minContributors: 2, clipMantissa: 1, clipExp: 3, minOperatorStake: 10n ** 21n, minContributorStake: 10n ** 20n },
    });
    const d = devnet;
    const sponsor = d.as(d.sponsor);
    const { roundId } = await openRound(sponsor, { budget: 10n ** 21n });
    const round = await sponsor.rounds.round(roundId);
    const baseHash = hashBytes(genesis);
    const files: { bytes: Uint8Array; hash: string; uri: string; salt: string; address: string }[] = [];
    for (const [i, c] of d.contributors.entries()) {
      const bytes = update(params, roundId, baseHash, i);
      const path = join(work, `u${i}.safetensors`);
      await writeFile(path, bytes);
      const entry = { bytes, hash: hashBytes(bytes), uri: pathToFileURL(path).href, salt: hexlify(randomBytes(32)), address: c.address };
      files.push(entry);
      await (await d.as(c).rounds.commit(roundId, await sponsor.rounds.computeCommitment(roundId, c.address, entry.hash, entry.salt))).wait();
    }
    await d.connection.networkHelpers.time.increaseTo(Number(round.commitEnd));
    for (const [i, c] of d.contributors.entries()) {
      const f = files[i];
      if (f) await (await d.as(c).rounds.reveal(roundId, f.hash, f.salt, f.uri)).wait();
    }
    await d.connection.networkHelpers.time.increaseTo(Number(round.revealEnd));
    for (const i of d.operators.keys()) {
      const config = devnetOperatorConfig(d, i, work, {
        CONFIRMATIONS: "0", POLL_INTERVAL_MS: "100", WORKERS: String(workers), LOG_LEVEL: "error", LOCK_DURATION_MS: "60000",
        SHARD_SIZE: String(Math.ceil(params / Math.max(1, workers))),
      });
      operators.push(await startOperator(config, redis.url, createLogger(config)));
    }
    // Let worker processes finish starting, so the measurement starts at RoundClosed, not at boot.
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    const closedAt = performance.now();
    await closeRound(sponsor, roundId);
    for (;;) {
      const status = decodeRoundStatus((await sponsor.rounds.round(roundId)).status);
      if (status === "Finalized" || status === "Failed") break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const total = performance.now() - closedAt;
    const queues = operators[0]?.runtime.queues;
    if (!queues) throw new Error("no operator");
    const span = async (queue: typeof queues.fetch): Promise<number> => {
      const jobs = await queue.getJobs(["completed"]);
      const starts = jobs.map((j) => j.processedOn ?? 0).filter((t) => t > 0);
      const ends = jobs.map((j) => j.finishedOn ?? 0);
      return starts.length === 0 ? 0 : Math.max(...ends) - Math.min(...starts);
    };
    const fetchMs = await span(queues.fetch);
    const aggregateMs = await span(queues.shards);
    const submitMs = await span(queues.submit);
    // The same computation in one process, as `cw aggregate` runs it.
    const backend = await createBackend("cpu");
    const t0 = performance.now();
    await aggregateRound({
      roundId: roundId.toString(),
      policy: parsePolicy({ rule: "fedavg", trimBps: 1000, krumF: 1, weighting: "samples", maxSampleWeight: 10000, clipMantissa: 1, clipExp: 3, minContributors: 2, rewardPool: round.rewardPool.toString() }),
      base: genesis,
      contributors: files.map((f) => ({ address: f.address.toLowerCase(), revealedHash: f.hash, file: f.bytes })),
    }, { backend });
    const cwAggregateMs = performance.now() - t0;
    await backend.dispose();
    return { workers, contributors, params, totalMs: total, fetchMs, aggregateMs, submitMs, cwAggregateMs, ratio: aggregateMs / cwAggregateMs };
  } finally {
    for (const op of operators) await op.stop();
    await devnet?.close();
    await redis.stop();
    await rm(work, { recursive: true, force: true });
  }
}

export async function run(argv: string[]): Promise<void> {
  if (argv.includes("--help")) {
    process.stdout.write("usage: npm run bench -- operator [--contributors 32] [--params 1000000] [--workers 1,2] [--json FILE]\n");
    return;
  }
  const contributors = Number(flag(argv, "contributors", "32"));
  const params = Number(flag(argv, "params", "1000000"));
  const workerCounts = flag(argv, "workers", "1,2").split(",").map(Number);
  if (!Number.isInteger(params / 1000) || contributors < 2 || contributors > 35) throw new Error("--params must be a multiple of 1000 and --contributors 2..35");
  const rows = [];
  for (const workers of workerCounts) {
    process.stderr.write(`operator bench: ${contributors} contributors x ${params} params, ${workers} worker process(es)...\n`);
    rows.push(await oneRun(params, contributors, workers));
  }
  const header = "workers  total(ms)  fetch(ms)  aggregate(ms)  submit(ms)  cw aggregate(ms)  aggregate/cw";
  process.stdout.write(`machine: ${cpus().length} cores, ${cpus()[0]?.model ?? "?"}, node ${process.version}\n${header}\n`);
  for (const r of rows) {
    process.stdout.write(`${String(r.workers).padEnd(9)}${r.totalMs?.toFixed(0).padEnd(11)}${r.fetchMs?.toFixed(0).padEnd(11)}${r.aggregateMs?.toFixed(0).padEnd(15)}${r.submitMs?.toFixed(0).padEnd(12)}${r.cwAggregateMs?.toFixed(0).padEnd(18)}${r.ratio?.toFixed(2)}\n`);
  }
  const json = flag(argv, "json", "");
  if (json) await writeFile(json, `${JSON.stringify(rows, null, 2)}\n`);
}

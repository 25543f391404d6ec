// Shared choreography of the end-to-end tests: a devnet, operators, contributors' updates, round phases.
// Side-effect free: nothing runs at import time.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { hexlify, ZeroHash } from "ethers";

import { modelLayout } from "../../oracle/contributor/model.ts";
import { SeededRandom } from "../../oracle/contributor/random.ts";
import { makeUpdate } from "../../oracle/contributor/update.ts";
import type { OperatorConfig } from "../../oracle/config.ts";
import { devnetOperatorConfig } from "../../oracle/devnet/operator-config.ts";
import { DEVNET_POLICY, startDevnet, type Devnet } from "../../oracle/devnet/devnet.ts";
import { createLogger } from "../../oracle/logger.ts";
import { startRedisServer } from "../../oracle/operator/redis-server.ts";
import { startOperator, type RunningOperator } from "../../oracle/operator/service.ts";
import { decodeRoundStatus } from "../../oracle/chain/enums.ts";
import { closeRound, openRound } from "../../oracle/sponsor/index.ts";

export const HOUR = 3600;

/** Short windows and a clip bound the synthetic updates respect. */
export const TEST_POLICY = DEVNET_POLICY;

export async function tempDir(prefix: string): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

export async function startTestDevnet(dir: string, contributors: number, operators = 2): Promise<Devnet> {
  return startDevnet({ dir, operators, contributors, operatorThreshold: BigInt(operators), policy: TEST_POLICY });
}

/** An operator with its own Redis (as real operators have), worker processes and a work dir. */
export interface TestOperator {
  readonly running: RunningOperator;
  readonly redis: Awaited<ReturnType<typeof startRedisServer>>;
  readonly config: OperatorConfig;
  stop(): Promise<void>;
}

export async function startTestOperator(devnet: Devnet, index: number, dir: string, overrides: Partial<Record<keyof OperatorConfig, string>> = {}): Promise<TestOperator> {
  const redis = await startRedisServer();
  const config = devnetOperatorConfig(devnet, index, dir, { SHARD_SIZE: "16384", FETCH_TIMEOUT_MS: "2000", LOCK_DURATION_MS: "3000", QUEUE_PREFIX: "{cw}", ...overrides });
  const running = await startOperator(config, redis.url, createLogger(config).child({ operator: index }));
  return {
    running,
    redis,
    config,
    async stop() {
      await running.stop();
      await redis.stop();
    },
  };
}

/** One contributor's part in a round: the file it reveals and where. */
export interface Contribution {
  readonly contributor: HardhatEthersSigner;
  readonly bytes: Uint8Array;
  readonly hash: string;
  readonly uri: string;
  readonly salt: string;
}

/** A valid update: a small seeded random delta through the real client pipeline (clip, noise, quantize), of `samples` examples. */
export function syntheticUpdate(seed: string, roundId: bigint, baseHash: string, scale = 0.05, samples = 100): { bytes: Uint8Array; hash: string } {
  const random = new SeededRandom(seed, "e2e-delta");
  const delta = modelLayout().map((t) => {
    const size = t.shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(size);
    for (let j = 0; j < size; j += 1) values[j] = random.nextGaussian() * scale * 0.01;
    return { name: t.name, shape: t.shape, values };
  });
  const made = makeUpdate({
    delta,
    samples,
    roundId: roundId.toString(),
    baseHash: baseHash.toLowerCase() as `0x${string}`,
    policy: { clipMantissa: TEST_POLICY.clipMantissa, clipExp: TEST_POLICY.clipExp, dpClipNorm: 1, noiseMultiplier: 0.001, delta: 1e-5 },
    noiseSeed: `${seed}-noise`,
  });
  return { bytes: made.bytes, hash: made.hash };
}

/** Writes `bytes` to a file in `dir` and returns a contribution revealing `hash` at its file:// URI. */
export async function contribution(dir: string, contributor: HardhatEthersSigner, bytes: Uint8Array, hash: string, uri?: string): Promise<Contribution> {
  const path = join(dir, `${contributor.address.toLowerCase()}-${hash.slice(2, 10)}.safetensors`);
  await writeFile(path, bytes);
  return { contributor, bytes, hash, uri: uri ?? pathToFileURL(path).href, salt: hexlify(randomBytes(32)) };
}

/** Opens a round, commits and reveals `contributions`, warps past the reveal window and closes it. */
export async function runRoundToClose(devnet: Devnet, build: (roundId: bigint, baseHash: string) => Promise<Contribution[]>): Promise<{ roundId: bigint; contributions: Contribution[] }> {
  const sponsor = devnet.as(devnet.sponsor);
  const { roundId } = await openRound(sponsor, { budget: 1_000n * 10n ** 18n });
  const round = await sponsor.rounds.round(roundId);
  const base = await sponsor.modelRegistry.modelVersion(round.baseModelVersion);
  const contributions = await build(roundId, base.modelHash);
  for (const c of contributions) {
    const commitment = await sponsor.rounds.computeCommitment(roundId, c.contributor.address, c.hash, c.salt);
    await (await devnet.as(c.contributor).rounds.commit(roundId, commitment)).wait();
  }
  await devnet.connection.networkHelpers.time.increaseTo(Number(round.commitEnd));
  for (const c of contributions) await (await devnet.as(c.contributor).rounds.reveal(roundId, c.hash, c.salt, c.uri)).wait();
  await devnet.connection.networkHelpers.time.increaseTo(Number(round.revealEnd));
  await closeRound(sponsor, roundId);
  await devnet.connection.networkHelpers.mine(2);
  return { roundId, contributions };
}

/** Polls until round `roundId` is Finalized or Failed (mining a block each poll so confirmations advance). */
export async function waitForSettlement(devnet: Devnet, roundId: bigint, timeoutMs = 90_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  const { rounds } = devnet.as(devnet.sponsor);
  for (;;) {
    const status = decodeRoundStatus((await rounds.round(roundId)).status);
    if (status === "Finalized" || status === "Failed") return status;
    if (Date.now() > deadline) throw new Error(`round ${roundId} still ${status} after ${timeoutMs} ms`);
    await devnet.connection.networkHelpers.mine(1);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Advances chain time past the round's challenge window: claims, operator shares and invalid slashing open then. */
export async function passChallengeWindow(devnet: Devnet, roundId: bigint): Promise<void> {
  const { challengeEnd } = await devnet.as(devnet.sponsor).rounds.round(roundId);
  const now = BigInt(await devnet.connection.networkHelpers.time.latest());
  if (challengeEnd > now) await devnet.connection.networkHelpers.time.increaseTo(challengeEnd);
}

export { ZeroHash };
/** The upkeep transactions, from their one home (oracle/keeper/upkeep.ts). */
export { closeRound, slashInvalid } from "../../oracle/keeper/upkeep.ts";

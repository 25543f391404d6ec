import { ZeroHash } from "ethers";

import { verifyRound } from "../auditor/verify-round.ts";
import { decodeRoundStatus, decodeRule, decodeSlashReason } from "../chain/enums.ts";
import { formatTokens } from "../chain/units.ts";
import { InvariantError } from "../errors.ts";
import type { InvalidEntry } from "../keeper/due-actions.ts";
import { keeperPass } from "../keeper/pass.ts";
import { closeRound, openRound } from "../sponsor/index.ts";
import { createBackend } from "../compute/backends.ts";
import { commitUpdate, revealUpdate } from "../contributor/commit-reveal.ts";
import { claimReward } from "../contributor/claim.ts";
import type { Dataset } from "../contributor/dataset.ts";
import { freshNoiseSeed } from "../contributor/dp.ts";
import { loadLocalData } from "../contributor/local-data.ts";
import type { PartitionScheme } from "../contributor/partition.ts";
import { trainForRound } from "../contributor/round-training.ts";
import { readContributorPolicy, type ContributorSession } from "../contributor/session.ts";
import { evaluate, trainLocal } from "../contributor/train.ts";
import { modelFileToWeights } from "../contributor/weights.ts";
import type { Devnet } from "../devnet/devnet.ts";
import type { RunningOperator } from "../operator/service.ts";
import type { ResultPackage } from "../protocol/result-package.ts";
import type { RoundSummary } from "../report/summary.ts";
import { getResultPackage } from "../storage/result-package-store.ts";
import { boostedUpdate, poisonedUpdate } from "./adversaries.ts";
import type { CastMember } from "./cast.ts";
import { bar, type Progress } from "./progress.ts";

/** How long the demo waits for the operators to settle one round. */
const SETTLE_TIMEOUT_MS = 180_000;

/** Everything a demo round needs. */
export interface DemoWorld {
  readonly devnet: Devnet;
  readonly cast: readonly CastMember[];
  readonly sessions: ReadonlyMap<number, ContributorSession>;
  readonly operators: readonly RunningOperator[];
  readonly test: Dataset;
  readonly scheme: PartitionScheme;
  readonly seed: string;
  readonly epochs: number;
  readonly budget: bigint;
  readonly progress: Progress;
}

/** One round, start to end: open, train, commit, reveal, close, operators settle, slash, claim, evaluate, audit. */
export async function runDemoRound(world: DemoWorld, label: string): Promise<RoundSummary> {
  const started = Date.now();
  const { devnet, progress } = world;
  const sponsor = devnet.as(devnet.sponsor);
  const { roundId } = await openRound(sponsor, { budget: world.budget });
  const round = await sponsor.rounds.round(roundId);
  const policy = await sponsor.policy.policy(round.policyVersion);
  const rule = decodeRule(policy.rule);
  progress.line(`${label} · opened round ${roundId}: budget ${formatTokens(round.funded)}, policy v${round.policyVersion} (${rule})`);

  for (const member of world.cast) await contribute(world, member, roundId, label);
  await devnet.connection.networkHelpers.time.increaseTo(Number(round.commitEnd));
  const revealers = world.cast.filter((m) => m.role !== "non-revealer");
  for (const member of revealers) await revealUpdate(session(world, member), { roundId });
  await devnet.connection.networkHelpers.time.increaseTo(Number(round.revealEnd));
  await closeRound(sponsor, roundId);
  progress.line(`${label} · ${world.cast.length} committed, ${revealers.length} revealed, round closed; operators computing`);

  const status = await waitForOperators(world, roundId, label);
  const published = await resultPackage(world.operators[0], roundId);
  const pkg = published?.pkg;
  // Claims, operator shares and invalid slashing open after the result's challenge window.
  const { challengeEnd } = await sponsor.rounds.round(roundId);
  if (challengeEnd > BigInt(await devnet.connection.networkHelpers.time.latest())) {
    await devnet.connection.networkHelpers.time.increaseTo(challengeEnd);
  }
  const nonRevealers = world.cast.filter((m) => m.role === "non-revealer").map((m) => m.signer.address.toLowerCase());
  // The sponsor keeps its round: one keeper pass slashes the non-revealers and the invalid contributors.
  const invalidOf = async (): Promise<InvalidEntry[] | undefined> => pkg?.invalidProofs.map((p) => ({ account: p.account, reason: p.reason, proof: p.proof }));
  await keeperPass(sponsor, devnet.deployment, roundId, { invalidOf, kinds: ["slash-non-revealer", "slash-invalid"] });

  let accuracy: number | null = null;
  let audit: { match: boolean } | null = null;
  if (status === "Finalized" && pkg) {
    for (const member of world.cast) {
      if (pkg.claims.some((c) => c.account.toLowerCase() === member.signer.address.toLowerCase())) {
        await claimReward(session(world, member), { roundId, packageSource: devnet.store.uriOf(published?.hash ?? ZeroHash) });
      }
    }
    // The operators whose attestation made the final result share the operators' pool.
    await keeperPass(sponsor, devnet.deployment, roundId, { invalidOf, kinds: ["claim-operator"] });
    const model = await devnet.store.get(pkg.attested.modelHash);
    if (model) accuracy = (await evaluate(modelFileToWeights(model), world.test)).accuracy;
    audit = { match: await auditRound(world, roundId) };
  }
  const slashes = await slashesOf(world, roundId);
  const paid = (await sponsor.rounds.queryFilter(sponsor.rounds.filters.RewardClaimed(roundId))).reduce((sum, e) => sum + e.args.amount, 0n);
  const operatorsPaid = (await sponsor.rounds.queryFilter(sponsor.rounds.filters.OperatorRewardClaimed(roundId))).reduce((sum, e) => sum + e.args.amount, 0n);
  const settled = await sponsor.rounds.round(roundId);
  const result = pkg?.result;
  progress.line(
    `${label} · ${status}${accuracy === null ? "" : ` · test accuracy ${(accuracy * 100).toFixed(1)}%`} · ` +
      `${result?.selected.length ?? 0} selected, ${result?.excluded.length ?? 0} excluded, ${Object.keys(result?.invalid ?? {}).length} invalid · ` +
      `${slashes.length} slashed · audit ${audit === null ? "-" : audit.match ? "matches" : "MISMATCH"}`,
  );
  return {
    roundId: String(roundId),
    rule,
    policyVersion: Number(round.policyVersion),
    status: status === "Finalized" ? "Finalized" : "Failed",
    accuracy,
    modelHash: result?.modelHash ?? null,
    selected: result?.selected ?? [],
    excluded: result?.excluded ?? [],
    invalid: { ...(result?.invalid ?? {}) },
    nonRevealers,
    scores: { ...(result?.scores ?? {}) },
    rewards: { ...(result?.rewards ?? {}) },
    slashes,
    budget: round.funded.toString(),
    paid: paid.toString(),
    operatorsPaid: operatorsPaid.toString(),
    treasuryShare: status === "Finalized" ? (settled.funded - settled.rewardPool - settled.operatorPool).toString() : "0",
    durationMs: Date.now() - started,
    audit,
  };
}

function session(world: DemoWorld, member: CastMember): ContributorSession {
  const s = world.sessions.get(member.index);
  if (!s) throw new InvariantError(`no session for contributor ${member.index}`);
  return s;
}

/** Trains (or cheats), uploads and commits one cast member's update. */
async function contribute(world: DemoWorld, member: CastMember, roundId: bigint, label: string): Promise<void> {
  const s = session(world, member);
  const data = { contributor: member.index, contributors: world.cast.length, scheme: world.scheme, seed: world.seed };
  const onProgress = (p: { epoch: number; epochs: number; batch: number; batches: number; loss: number }): void =>
    world.progress.transient(`${label} · training ${member.label.padEnd(12)} epoch ${p.epoch}/${p.epochs} ${bar(p.batch, p.batches)} loss ${p.loss.toFixed(3)}`);
  let update: { hash: string; uri: string };
  if (member.role === "honest" || member.role === "non-revealer") {
    const report = await trainForRound(s, { roundId, data, epochs: world.epochs, store: world.devnet.store, onProgress });
    update = report.update;
  } else {
    const spec = await s.contracts.rounds.round(roundId);
    const base = await s.contracts.modelRegistry.modelVersion(spec.baseModelVersion);
    const baseBytes = await world.devnet.store.get(base.modelHash);
    if (!baseBytes) throw new InvariantError(`base model ${base.modelHash} is not in the demo store`);
    const trained = await trainLocal(modelFileToWeights(baseBytes), loadLocalData(data).train, { epochs: world.epochs, onProgress });
    const args = {
      delta: trained.delta,
      samples: trained.samples,
      roundId: String(roundId),
      baseHash: base.modelHash.toLowerCase() as `0x${string}`,
      policy: await readContributorPolicy(s.contracts, spec.policyVersion),
      noiseSeed: freshNoiseSeed(),
    };
    const made = member.role === "poisoner" ? poisonedUpdate(args) : boostedUpdate(args);
    update = await world.devnet.store.put(made.bytes);
  }
  // The client refuses to commit an update operators would reject; the norm cheat goes around it.
  await commitUpdate(s, { roundId, updateHash: update.hash, uri: update.uri, check: member.role !== "oversized" });
}

/** Polls until the round settles, showing the first operator's queues. */
async function waitForOperators(world: DemoWorld, roundId: bigint, label: string): Promise<string> {
  const { rounds } = world.devnet.as(world.devnet.sponsor);
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  const queues = world.operators[0]?.runtime.queues;
  for (;;) {
    const status = decodeRoundStatus((await rounds.round(roundId)).status);
    if (status === "Finalized" || status === "Failed") return status;
    if (Date.now() > deadline) throw new InvariantError(`round ${roundId} not settled by the operators within ${SETTLE_TIMEOUT_MS / 1000} s`);
    if (queues) {
      const [fetch, shards] = await Promise.all([queues.fetch.getJobCounts("completed", "active", "waiting"), queues.shards.getJobCounts("completed", "active", "waiting")]);
      world.progress.transient(`${label} · operator 1 queues: fetch ${fetch.completed ?? 0} done ${fetch.active ?? 0} active · shards ${shards.completed ?? 0} done ${shards.active ?? 0} active`);
    }
    // Confirmations advance only with new blocks.
    await world.devnet.connection.networkHelpers.mine(1);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The result package an operator published for the round (claims and invalid proofs), and its store hash. */
async function resultPackage(operator: RunningOperator | undefined, roundId: bigint): Promise<{ pkg: ResultPackage; hash: string } | undefined> {
  if (!operator) return undefined;
  const jobs = await operator.runtime.queues.submit.getJobs(["completed", "active", "waiting", "delayed", "failed"]);
  const job = jobs.find((j) => j.data?.roundId === String(roundId));
  if (!job) return undefined;
  const hash = job.data.package as string;
  return { pkg: await getResultPackage(operator.runtime.store, hash), hash };
}

async function auditRound(world: DemoWorld, roundId: bigint): Promise<boolean> {
  const backend = await createBackend("cpu", { threads: 1 });
  try {
    const report = await verifyRound({
      contracts: world.devnet.as(world.devnet.sponsor),
      deployment: world.devnet.deployment,
      roundId,
      backend,
      limits: { maxBytes: 256 * 1024 * 1024, timeoutMs: 30_000 },
    });
    return report.match;
  } finally {
    await backend.dispose();
  }
}

async function slashesOf(world: DemoWorld, roundId: bigint): Promise<RoundSummary["slashes"]> {
  const { rounds } = world.devnet.as(world.devnet.sponsor);
  const events = await rounds.queryFilter(rounds.filters.ContributorSlashed(roundId));
  return events.map((e) => ({ account: e.args.account.toLowerCase(), amount: e.args.amount.toString(), reason: decodeSlashReason(e.args.reason) }));
}

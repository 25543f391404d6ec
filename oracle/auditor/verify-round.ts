import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { ZeroHash } from "ethers";

import type { Contracts } from "../chain/contracts.ts";
import { UnavailableError } from "../errors.ts";
import type { Deployment } from "../chain/deployment.ts";
import { readRoundSpec } from "../chain/round-reader.ts";
import { aggregateRound } from "../compute/aggregate-round.ts";
import type { ComputeBackend } from "../compute/types.ts";
import { roundResultDigest, roundResultDomain } from "../protocol/attestation.ts";
import { layoutOf } from "../protocol/layout.ts";
import { decodeModel } from "../protocol/model-file.ts";
import { buildResultPackage } from "../protocol/result-package.ts";
import type { RoundResult } from "../protocol/result.ts";
import { fetchBlob, fetchBytes, type FetchLimits } from "../storage/fetch-blob.ts";
import { effectiveFetchLimits } from "../storage/fetch-limits.ts";
import { LocalDirectoryStore } from "../storage/local-directory-store.ts";

/** One on-chain value and its recomputation. */
export interface Comparison {
  readonly onChain: string;
  readonly recomputed: string;
  readonly match: boolean;
}

/** What `cw verify-round` reports. `match` is true only when every compared field matches. */
export interface VerifyReport {
  readonly roundId: string;
  readonly status: string;
  readonly match: boolean;
  readonly fields: Readonly<Record<string, Comparison>>;
  /** The recomputed docs/protocol.md §6 result, so a contributor can read its own outcome. */
  readonly result: RoundResult;
  /** Update files that could not be used, with why (as the recomputation saw them). */
  readonly invalid: Readonly<Record<string, string>>;
}

/**
 * Recomputes a settled round from the chain and the public update files and compares it with what
 * the chain recorded: the signed result digest (which commits to model hash, rewards root, total,
 * invalid root, metrics hash and reveals), plus the rewards and invalid roots stored on the round.
 * Anyone can run it; it needs no key and trusts no operator.
 */
export async function verifyRound(args: {
  contracts: Contracts;
  deployment: Deployment;
  roundId: bigint;
  backend: ComputeBackend;
  limits: FetchLimits;
}): Promise<VerifyReport> {
  const { contracts, deployment, roundId } = args;
  const spec = await readRoundSpec(contracts, deployment, roundId);
  const work = await mkdtemp(join(tmpdir(), "cw-verify-"));
  try {
    const store = new LocalDirectoryStore(work);
    const base = await fetchBlob(spec.base.uri, spec.base.hash, args.limits, store);
    if (!base.ok) throw new UnavailableError(`base model ${spec.base.hash} unavailable from ${spec.base.uri}: ${base.detail}`);
    const limits = effectiveFetchLimits(args.limits, layoutOf(decodeModel(base.bytes)));
    const contributors = [];
    for (const reveal of spec.reveals) {
      // Whatever the bytes are: validation itself reports unavailable, hash-mismatch, malformed or norm.
      const fetched = await fetchBytes(reveal.uri, limits);
      contributors.push({ address: reveal.contributor, revealedHash: reveal.updateHash, file: fetched.bytes ?? null });
    }
    const { result } = await aggregateRound(
      { roundId: roundId.toString(), policy: spec.policy, base: base.bytes, contributors },
      { backend: args.backend },
    );
    const pkg = buildResultPackage({ chainId: String(deployment.chainId), roundId: String(roundId), revealsHash: spec.revealsHash, result, modelUri: "" });
    const digest = roundResultDigest(roundResultDomain(deployment.chainId, deployment.contracts.rounds), pkg.attested);
    const round = await contracts.rounds.round(roundId);
    // A signed failed result (zero model hash) also has a digest on chain, challengeable like a finalized one.
    const signed = spec.status === "Finalized" || round.resultDigest !== ZeroHash;
    // A disputed round keeps its result's roots until governance resolves the dispute.
    const withRewards = spec.status === "Finalized" || spec.status === "Disputed";
    const fields: Record<string, Comparison> = {
      resultDigest: compare(round.resultDigest, signed ? digest : ZeroHash),
      rewardsRoot: compare(round.rewardsRoot, withRewards ? pkg.attested.rewardsRoot : ZeroHash),
      invalidRoot: compare(round.invalidRoot, pkg.attested.invalidRoot),
      totalRewards: compare(String(round.totalRewards), withRewards ? String(pkg.attested.totalRewards) : "0"),
    };
    if (spec.status === "Finalized") {
      const appended = await contracts.modelRegistry.queryFilter(contracts.modelRegistry.filters.ModelVersionAppended(), deployment.deployedAtBlock);
      // The latest: a round re-finalized after an upheld dispute appended a second version.
      const version = appended.findLast((l) => l.args.roundId === roundId);
      fields.modelHash = compare(version?.args.modelHash ?? ZeroHash, pkg.attested.modelHash);
      fields.metricsHash = compare(version?.args.metricsHash ?? ZeroHash, pkg.attested.metricsHash);
    }
    return {
      roundId: String(roundId),
      status: spec.status,
      match: spec.status !== "Open" && spec.status !== "Closed" && Object.values(fields).every((f) => f.match),
      fields,
      result,
      invalid: { ...result.invalid },
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

function compare(onChain: string, recomputed: string): Comparison {
  return { onChain, recomputed, match: onChain.toLowerCase() === recomputed.toLowerCase() };
}

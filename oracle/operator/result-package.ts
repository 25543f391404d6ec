import { ZeroHash } from "ethers";
import { z } from "zod";

import { buildInvalidTree, type AttestedResult } from "../protocol/attestation.ts";
import type { RoundResult } from "../protocol/result.ts";
import { buildRewardsTree } from "../protocol/rewards-tree.ts";
import type { BlobStore } from "../storage/blob-store.ts";
import { mustGet } from "./round-manifest.ts";

/**
 * Everything an operator publishes about one computed round: the docs/protocol.md §6 result, the
 * EIP-712 result to sign, where the new model is, and every contributor's Merkle proof (rewards
 * claims and invalid-contributor slashes). Stored as one JSON blob; contributors and auditors can
 * check every field against the chain.
 */
export interface ResultPackage {
  readonly chainId: string;
  readonly roundId: string;
  readonly result: RoundResult;
  readonly attested: AttestedResult;
  /** URI of the new model file, empty for a failed round. */
  readonly modelUri: string;
  readonly claims: readonly { readonly account: string; readonly amount: string; readonly proof: readonly string[] }[];
  readonly invalidProofs: readonly { readonly account: string; readonly reason: number; readonly proof: readonly string[] }[];
}

/** Builds the package of a computed round (`model` already published at `modelUri`). */
export function buildResultPackage(args: { chainId: string; roundId: string; revealsHash: string; result: RoundResult; modelUri: string }): ResultPackage {
  const { result } = args;
  const rewards = buildRewardsTree(Object.fromEntries(Object.entries(result.rewards).map(([account, amount]) => [account, BigInt(amount)])));
  const invalid = buildInvalidTree(result.invalid);
  const attested: AttestedResult = {
    roundId: BigInt(args.roundId),
    modelHash: result.modelHash ?? ZeroHash,
    rewardsRoot: rewards.root,
    totalRewards: rewards.totalRewards,
    invalidRoot: invalid.root,
    metricsHash: result.metricsHash,
    revealsHash: args.revealsHash,
  };
  return {
    chainId: args.chainId,
    roundId: args.roundId,
    result,
    attested,
    modelUri: args.modelUri,
    claims: [...rewards.claims.values()].map((c) => ({ account: c.account, amount: c.amount.toString(), proof: c.proof })),
    invalidProofs: [...invalid.proofs.entries()].map(([account, p]) => ({ account, reason: p.reason, proof: p.proof })),
  };
}

const PackageJsonSchema = z.object({
  chainId: z.string(),
  roundId: z.string(),
  result: z.custom<RoundResult>((v) => typeof v === "object" && v !== null),
  attested: z.object({
    roundId: z.string(),
    modelHash: z.string(),
    rewardsRoot: z.string(),
    totalRewards: z.string(),
    invalidRoot: z.string(),
    metricsHash: z.string(),
    revealsHash: z.string(),
  }),
  modelUri: z.string(),
  claims: z.array(z.object({ account: z.string(), amount: z.string(), proof: z.array(z.string()) })),
  invalidProofs: z.array(z.object({ account: z.string(), reason: z.number(), proof: z.array(z.string()) })),
});

/** Stores a package and returns its hash. */
export async function putResultPackage(store: BlobStore, pkg: ResultPackage): Promise<string> {
  const json = {
    ...pkg,
    attested: { ...pkg.attested, roundId: pkg.attested.roundId.toString(), totalRewards: pkg.attested.totalRewards.toString() },
  };
  return (await store.put(new TextEncoder().encode(JSON.stringify(json)))).hash;
}

/** Reads a package. @throws {IntegrityError} when missing; a zod error when malformed. */
export async function getResultPackage(store: BlobStore, hash: string): Promise<ResultPackage> {
  const json = PackageJsonSchema.parse(JSON.parse(new TextDecoder().decode(await mustGet(store, hash, "result package"))));
  return {
    ...json,
    attested: { ...json.attested, roundId: BigInt(json.attested.roundId), totalRewards: BigInt(json.attested.totalRewards) },
  };
}

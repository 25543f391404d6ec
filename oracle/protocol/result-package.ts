import { ZeroHash } from "ethers";
import { z } from "zod";

import { InvalidInputError } from "../errors.ts";
import { buildInvalidTree, type AttestedResult } from "./attestation.ts";
import type { RoundResult } from "./result.ts";
import { buildRewardsTree } from "./rewards-tree.ts";

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
  readonly claims: readonly PackageClaim[];
  readonly invalidProofs: readonly { readonly account: string; readonly reason: number; readonly proof: readonly string[] }[];
}

/** One contributor's reward leaf and proof as a package carries it (amount in token base units, decimal). */
export interface PackageClaim {
  readonly account: string;
  readonly amount: string;
  readonly proof: readonly string[];
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

const DECIMAL = /^(0|[1-9][0-9]*)$/;

/** The JSON form of a {@link ResultPackage}: the one schema every reader (operator, contributor, auditor) uses. */
export const ResultPackageJsonSchema = z.object({
  chainId: z.string(),
  roundId: z.string().regex(DECIMAL),
  result: z.custom<RoundResult>((v) => typeof v === "object" && v !== null),
  attested: z.object({
    roundId: z.string().regex(DECIMAL),
    modelHash: z.string(),
    rewardsRoot: z.string(),
    totalRewards: z.string().regex(DECIMAL),
    invalidRoot: z.string(),
    metricsHash: z.string(),
    revealsHash: z.string(),
  }),
  modelUri: z.string(),
  claims: z.array(z.object({ account: z.string(), amount: z.string().regex(DECIMAL), proof: z.array(z.string()) })),
  invalidProofs: z.array(z.object({ account: z.string(), reason: z.number(), proof: z.array(z.string()) })),
});

/** The package as UTF-8 JSON bytes (bigints as decimal strings). */
export function encodeResultPackage(pkg: ResultPackage): Uint8Array {
  const json = {
    ...pkg,
    attested: { ...pkg.attested, roundId: pkg.attested.roundId.toString(), totalRewards: pkg.attested.totalRewards.toString() },
  };
  return new TextEncoder().encode(JSON.stringify(json));
}

/**
 * Parses package bytes written by {@link encodeResultPackage}.
 * @param source names the package in error messages (a file, URI or hash).
 * @throws {InvalidInputError} when the bytes are not JSON or not a result package.
 */
export function decodeResultPackage(bytes: Uint8Array, source = "result package"): ResultPackage {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch (err) {
    throw new InvalidInputError(`${source} is not JSON`, { cause: err });
  }
  const parsed = ResultPackageJsonSchema.safeParse(json);
  if (!parsed.success) throw new InvalidInputError(`${source} is not a result package: ${parsed.error.issues[0]?.path.join(".") ?? ""} ${parsed.error.issues[0]?.message ?? ""}`.trim(), { cause: parsed.error });
  const data = parsed.data;
  return {
    ...data,
    attested: { ...data.attested, roundId: BigInt(data.attested.roundId), totalRewards: BigInt(data.attested.totalRewards) },
  };
}

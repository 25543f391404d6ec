import { getAddress, type BlockTag } from "ethers";

import { ChainReadError, InvalidInputError } from "../errors.ts";
import { revealsHash as accumulateReveals } from "../protocol/attestation.ts";
import type { Policy } from "../protocol/policy.ts";
import type { Contracts } from "./contracts.ts";
import type { Deployment } from "./deployment.ts";
import { decodeRoundStatus, type RoundStatusName } from "./enums.ts";
import { aggregationPolicyOf, policyFromChain } from "./policy-codec.ts";

/** One reveal, in on-chain order. `contributor` is lowercase (docs/protocol.md §6 addresses). */
export interface RevealRecord {
  readonly contributor: string;
  readonly updateHash: string;
  readonly uri: string;
}

/** Everything an operator or auditor needs from the chain to compute a round. */
export interface RoundSpec {
  readonly chainId: bigint;
  readonly roundsAddress: string;
  readonly roundId: bigint;
  readonly status: RoundStatusName;
  readonly openedAt: bigint;
  readonly policyVersion: bigint;
  /** The round's policy snapshot in docs/protocol.md §2 form, `rewardPool` from the round's escrow. */
  readonly policy: Policy;
  readonly base: { readonly version: bigint; readonly hash: string; readonly uri: string };
  readonly reveals: readonly RevealRecord[];
  /** The accumulator the signed result must carry; equals the recomputation over `reveals`. */
  readonly revealsHash: string;
  readonly resultDigest: string;
}

/**
 * Reads round `roundId` as of block `blockTag` (operators pass their confirmed head, so a reorg
 * above it can never feed a computation).
 * @throws {InvalidInputError} when the round does not exist.
 * @throws {ChainReadError} when its reveal events do not match the round's accumulator (an RPC that drops logs).
 */
export async function readRoundSpec(contracts: Contracts, deployment: Deployment, roundId: bigint, blockTag: BlockTag = "latest"): Promise<RoundSpec> {
  const { rounds, policy: policyRegistry, modelRegistry } = contracts;
  const round = await rounds.round(roundId, { blockTag });
  const status = decodeRoundStatus(round.status);
  if (status === "None") throw new InvalidInputError(`round ${roundId} does not exist on chain ${deployment.chainId}`);
  const chainPolicy = await policyRegistry.policy(round.policyVersion, { blockTag });
  const policy = aggregationPolicyOf(policyFromChain(chainPolicy), round.rewardPool);
  const fromBlock = deployment.deployedAtBlock;
  const toBlock = typeof blockTag === "number" ? blockTag : undefined;
  const revealedLogs = await rounds.queryFilter(rounds.filters.Revealed(roundId), fromBlock, toBlock);
  const reveals = revealedLogs.map((log) => ({
    contributor: log.args.contributor.toLowerCase(),
    updateHash: log.args.updateHash,
    uri: log.args.uri,
  }));
  const recomputed = accumulateReveals(reveals.map((r) => ({ contributor: getAddress(r.contributor), updateHash: r.updateHash })));
  if (status !== "Open" && (reveals.length !== Number(round.revealCount) || recomputed !== round.revealsHash)) {
    throw new ChainReadError(
      `round ${roundId}: ${reveals.length} Revealed logs do not match the round's ${round.revealCount} reveals (accumulator ${round.revealsHash}); the RPC dropped logs`,
    );
  }
  const baseVersion = round.baseModelVersion;
  const version = await modelRegistry.modelVersion(baseVersion, { blockTag });
  const appended = await modelRegistry.queryFilter(modelRegistry.filters.ModelVersionAppended(baseVersion), fromBlock, toBlock);
  const uri = appended.at(-1)?.args.uri ?? "";
  return {
    chainId: deployment.chainId,
    roundsAddress: deployment.contracts.rounds,
    roundId,
    status,
    openedAt: round.openedAt,
    policyVersion: round.policyVersion,
    policy,
    base: { version: baseVersion, hash: version.modelHash, uri },
    reveals,
    revealsHash: round.revealsHash,
    resultDigest: round.resultDigest,
  };
}

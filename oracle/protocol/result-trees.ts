// The two trees of a round result: the rewards tree (docs/protocol.md §4), a StandardMerkleTree of (address, uint256)
// leaves with rewards > 0, and the invalid-contributor tree of (address, uint8 reason) leaves. Leaves are
// keccak256(bytes.concat(keccak256(abi.encode(...)))), defined on chain once in contracts/libraries/ResultTrees.sol;
// test/contracts/golden.test.ts proves both definitions agree.
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { getAddress, ZeroHash } from "ethers";

import type { RoundResult } from "./result.ts";
import type { InvalidReason } from "./validate.ts";

/** Leaf encoding of the rewards tree, as `ResultTrees.rewardLeaf(address account, uint256 amount)` encodes it. */
export const REWARD_LEAF_ENCODING = ["address", "uint256"];

/** Reward per account in token base units; keys are hex addresses in any case. */
export type RewardsMap = ReadonlyMap<string, bigint> | Readonly<Record<string, bigint>>;

/** One claim: what `Rounds.claim(roundId, account, amount, proof)` takes. */
export type RewardClaim = { account: string; amount: bigint; proof: string[] };

/** A built rewards tree: `root` and `totalRewards` go into the signed result, `claims` to the contributors. */
export type RewardsTree = {
  /** Merkle root; the zero hash when no account has a positive reward. */
  root: string;
  /** Sum of all leaves' amounts. */
  totalRewards: bigint;
  /** One claim per leaf, by checksummed address. */
  claims: ReadonlyMap<string, RewardClaim>;
};

function entriesOf(rewards: RewardsMap): [string, bigint][] {
  return rewards instanceof Map ? [...rewards.entries()] : Object.entries(rewards);
}

/**
 * Builds the rewards tree from a rewards map, keeping only rewards > 0 (docs/protocol.md §4).
 * Leaves are sorted by hash (StandardMerkleTree's default), so the root does not depend on input order.
 * @throws RangeError on a negative reward, a reward above 2^256-1, or an address given twice.
 */
export function buildRewardsTree(rewards: RewardsMap): RewardsTree {
  const leaves: [string, bigint][] = [];
  const seen = new Set<string>();
  let totalRewards = 0n;
  for (const [rawAccount, amount] of entriesOf(rewards)) {
    const account = getAddress(rawAccount);
    if (seen.has(account)) throw new RangeError(`reward for ${account} given twice`);
    seen.add(account);
    if (amount < 0n || amount >= 2n ** 256n) throw new RangeError(`reward of ${account} out of range: ${amount}`);
    if (amount === 0n) continue;
    leaves.push([account, amount]);
    totalRewards += amount;
  }
  if (leaves.length === 0) return { root: ZeroHash, totalRewards: 0n, claims: new Map() };
  const tree = StandardMerkleTree.of(leaves, REWARD_LEAF_ENCODING);
  const claims = new Map<string, RewardClaim>();
  for (const [index, [account, amount]] of tree.entries()) {
    claims.set(account, { account, amount, proof: tree.getProof(index) });
  }
  return { root: tree.root, totalRewards, claims };
}

/** The rewards tree of a result document (its decimal-string rewards), the one conversion every reader uses. */
export function rewardsTreeOf(result: Pick<RoundResult, "rewards">): RewardsTree {
  return buildRewardsTree(Object.fromEntries(Object.entries(result.rewards).map(([account, amount]) => [account, BigInt(amount)])));
}

/** The leaf hash of `(account, amount)`, equal to `ResultTrees.rewardLeaf` on chain. */
export function rewardLeafHash(account: string, amount: bigint): string {
  return StandardMerkleTree.of([[getAddress(account), amount]], REWARD_LEAF_ENCODING).leafHash([getAddress(account), amount]);
}

/** Checks a claim against a root off chain, as `MerkleProof.verify` does on chain. */
export function verifyRewardClaim(root: string, claim: RewardClaim): boolean {
  return StandardMerkleTree.verify(root, REWARD_LEAF_ENCODING, [getAddress(claim.account), claim.amount], claim.proof);
}

/** On-chain reason codes of invalid contributors (docs/protocol.md §1.2 order); 0 is the non-reveal slash. */
export const INVALID_REASON_CODES: Readonly<Record<InvalidReason, number>> = {
  unavailable: 1,
  "hash-mismatch": 2,
  malformed: 3,
  norm: 4,
};

/** Leaf encoding of the invalid-contributor tree, as `ResultTrees.invalidLeaf(address, uint8)` encodes it. */
export const INVALID_LEAF_ENCODING = ["address", "uint8"];

/** The invalid-contributor tree: root for the result, one proof per account for `Rounds.slashInvalid`. */
export type InvalidTree = {
  /** Merkle root; the zero hash when there is no invalid contributor. */
  root: string;
  /** Reason code and proof by checksummed address. */
  proofs: ReadonlyMap<string, { reason: number; proof: string[] }>;
};

/** Builds the StandardMerkleTree of `(address, uint8 reason)` leaves over the invalid contributors. */
export function buildInvalidTree(invalid: Readonly<Record<string, InvalidReason>>): InvalidTree {
  const leaves: [string, number][] = Object.entries(invalid).map(([account, reason]) => [
    getAddress(account),
    INVALID_REASON_CODES[reason],
  ]);
  if (leaves.length === 0) return { root: ZeroHash, proofs: new Map() };
  const tree = StandardMerkleTree.of(leaves, INVALID_LEAF_ENCODING);
  const proofs = new Map<string, { reason: number; proof: string[] }>();
  for (const [index, [account, reason]] of tree.entries()) proofs.set(account, { reason, proof: tree.getProof(index) });
  return { root: tree.root, proofs };
}

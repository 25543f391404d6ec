// The rewards Merkle tree (docs/protocol.md §4): a StandardMerkleTree of (address, uint256) leaves, only rewards > 0.
// The leaf is keccak256(bytes.concat(keccak256(abi.encode(account, amount)))), defined on chain once in
// contracts/libraries/RewardLeaf.sol; test/contracts/golden.test.ts proves both definitions agree.
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { getAddress, ZeroHash } from "ethers";

/** Leaf encoding of the rewards tree, as `RewardLeaf.hash(address account, uint256 amount)` encodes it. */
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

/** The leaf hash of `(account, amount)`, equal to `RewardLeaf.hash` on chain. */
export function rewardLeafHash(account: string, amount: bigint): string {
  return StandardMerkleTree.of([[getAddress(account), amount]], REWARD_LEAF_ENCODING).leafHash([getAddress(account), amount]);
}

/** Checks a claim against a root off chain, as `MerkleProof.verify` does on chain. */
export function verifyRewardClaim(root: string, claim: RewardClaim): boolean {
  return StandardMerkleTree.verify(root, REWARD_LEAF_ENCODING, [getAddress(claim.account), claim.amount], claim.proof);
}

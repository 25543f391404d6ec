// Cross-language golden tests: the TypeScript protocol code (oracle/protocol) and the contracts compute the same
// reward leaf, invalid leaf, Merkle proofs, EIP-712 result digest, reveal accumulator and commitment.
import { expect } from "chai";
import { id, keccak256, toUtf8Bytes } from "ethers";
import { network } from "hardhat";

import {
  buildInvalidTree, commitment, revealsHash, roundResultDigest, roundResultDomain, type AttestedResult,
} from "../../oracle/protocol/attestation.ts";
import { buildRewardsTree, rewardLeafHash, verifyRewardClaim } from "../../oracle/protocol/rewards-tree.ts";
import { closedRoundFixture, deployProtocolFixture } from "./fixtures.ts";

const { ethers, networkHelpers } = await network.create();
const { loadFixture } = networkHelpers;
const ACCOUNTS = [
  "0x0000000000000000000000000000000000000001",
  "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
  "0xffffffffffffffffffffffffffffffffffffffff",
];
const AMOUNTS = [1n, 10n ** 18n, 2n ** 256n - 1n];

describe("Golden: TypeScript and Solidity agree", function () {
  it("golden_rewardLeaf", async function () {
    const harness = await ethers.deployContract("ResultTreesHarness");
    for (const account of ACCOUNTS) {
      for (const amount of AMOUNTS) expect(rewardLeafHash(account, amount)).to.equal(await harness.rewardLeaf(account, amount));
    }
  });

  it("golden_rewardsTreeProofsVerifyOnChain", async function () {
    const harness = await ethers.deployContract("ResultTreesHarness");
    const rewards = Object.fromEntries(ACCOUNTS.map((a, i) => [a, AMOUNTS[i]!]));
    const tree = buildRewardsTree({ ...rewards, "0x0000000000000000000000000000000000000002": 0n });
    expect(tree.claims.size).to.equal(3);
    expect(tree.totalRewards).to.equal(AMOUNTS.reduce((a, b) => a + b, 0n));
    for (const claim of tree.claims.values()) {
      expect(verifyRewardClaim(tree.root, claim)).to.equal(true);
      expect(await harness.verifyReward(claim.proof, tree.root, claim.account, claim.amount)).to.equal(true);
    }
    expect(buildRewardsTree({}).root).to.equal(ethers.ZeroHash);
  });

  it("golden_invalidLeafAndProofs", async function () {
    const harness = await ethers.deployContract("ResultTreesHarness");
    const tree = buildInvalidTree({ [ACCOUNTS[1]!]: "norm", [ACCOUNTS[2]!]: "unavailable" });
    const entry = tree.proofs.get(ethers.getAddress(ACCOUNTS[1]!))!;
    expect(entry.reason).to.equal(4);
    // A one-sibling proof: root = sorted pair hash of the two leaves.
    const leafA = await harness.invalidLeaf(ACCOUNTS[1]!, 4);
    const leafB = await harness.invalidLeaf(ACCOUNTS[2]!, 1);
    const [lo, hi] = BigInt(leafA) < BigInt(leafB) ? [leafA, leafB] : [leafB, leafA];
    expect(tree.root).to.equal(keccak256(ethers.concat([lo, hi])));
  });

  it("golden_roundResultDigestAndTypeString", async function () {
    const { rounds } = await loadFixture(deployProtocolFixture);
    const typeString = "RoundResult(uint256 roundId,bytes32 modelHash,bytes32 rewardsRoot,uint256 totalRewards," +
      "bytes32 invalidRoot,bytes32 metricsHash,bytes32 revealsHash)";
    expect(await rounds.ROUND_RESULT_TYPEHASH()).to.equal(keccak256(toUtf8Bytes(typeString)));
    const { chainId } = await ethers.provider.getNetwork();
    const domain = roundResultDomain(chainId, await rounds.getAddress());
    const result: AttestedResult = {
      roundId: 7n, modelHash: id("m"), rewardsRoot: id("r"), totalRewards: 123n, invalidRoot: id("i"),
      metricsHash: id("x"), revealsHash: id("h"),
    };
    expect(roundResultDigest(domain, result)).to.equal(await rounds.hashRoundResult(result));
    const { name, version, verifyingContract } = await rounds.eip712Domain();
    expect([name, version, verifyingContract]).to.deep.equal([domain.name, domain.version, domain.verifyingContract]);
  });

  it("golden_revealsHashAndCommitment", async function () {
    const p = await loadFixture(closedRoundFixture);
    const reveals = p.updates.filter((u) => u.contributor !== p.carol)
      .map((u) => ({ contributor: u.contributor.address, updateHash: u.updateHash }));
    expect(revealsHash(reveals)).to.equal(p.revealsHash);
    const u = p.updates[0]!;
    expect(commitment(p.roundId, u.contributor.address, u.updateHash, u.salt))
      .to.equal(await p.rounds.computeCommitment(p.roundId, u.contributor.address, u.updateHash, u.salt));
  });
});

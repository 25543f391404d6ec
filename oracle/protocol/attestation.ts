// The round result operators sign (docs/protocol.md §5) as EIP-712 typed data on the Rounds contract's domain, plus the
// other on-chain hashes an operator must reproduce: the invalid-contributor tree, the reveal accumulator and the
// commitment. Twins of contracts/rounds/RoundAttestations.sol and RoundContributions.sol; golden-tested.
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { AbiCoder, getAddress, keccak256, TypedDataEncoder, ZeroHash } from "ethers";
import type { Signer, TypedDataDomain, TypedDataField } from "ethers";

import type { InvalidReason } from "./validate.ts";

/** EIP-712 domain name of the Rounds contract. */
export const ROUND_RESULT_DOMAIN_NAME = "Commonweight Rounds";
/** EIP-712 domain version of the Rounds contract. */
export const ROUND_RESULT_DOMAIN_VERSION = "1";

/** EIP-712 types; the encoded type string is `RoundResult(uint256 roundId,bytes32 modelHash,...)`. */
export const ROUND_RESULT_TYPES: Record<string, TypedDataField[]> = {
  RoundResult: [
    { name: "roundId", type: "uint256" },
    { name: "modelHash", type: "bytes32" },
    { name: "rewardsRoot", type: "bytes32" },
    { name: "totalRewards", type: "uint256" },
    { name: "invalidRoot", type: "bytes32" },
    { name: "metricsHash", type: "bytes32" },
    { name: "revealsHash", type: "bytes32" },
  ],
};

/** On-chain reason codes of invalid contributors (docs/protocol.md §1.2 order); 0 is the non-reveal slash. */
export const INVALID_REASON_CODES: Readonly<Record<InvalidReason, number>> = {
  unavailable: 1,
  "hash-mismatch": 2,
  malformed: 3,
  norm: 4,
};

/** Leaf encoding of the invalid-contributor tree, as `RewardLeaf.invalidHash(address, uint8)` encodes it. */
export const INVALID_LEAF_ENCODING = ["address", "uint8"];

/** The signed result, field for field `IRounds.RoundResult`. A failed round has a zero `modelHash`. */
export type AttestedResult = {
  roundId: bigint;
  modelHash: string;
  rewardsRoot: string;
  totalRewards: bigint;
  invalidRoot: string;
  metricsHash: string;
  revealsHash: string;
};

/** The Rounds contract's EIP-712 domain on chain `chainId` at `roundsAddress`. */
export function roundResultDomain(chainId: bigint, roundsAddress: string): TypedDataDomain {
  return {
    name: ROUND_RESULT_DOMAIN_NAME,
    version: ROUND_RESULT_DOMAIN_VERSION,
    chainId,
    verifyingContract: getAddress(roundsAddress),
  };
}

/** The EIP-712 digest of `result`, equal to `Rounds.hashRoundResult(result)`. */
export function roundResultDigest(domain: TypedDataDomain, result: AttestedResult): string {
  return TypedDataEncoder.hash(domain, ROUND_RESULT_TYPES, result);
}

/** Signs `result` with `signer` (an operator key); the signature goes to `Rounds.attest`. */
export async function signRoundResult(signer: Signer, domain: TypedDataDomain, result: AttestedResult): Promise<string> {
  return signer.signTypedData(domain, ROUND_RESULT_TYPES, result);
}

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

/** One reveal as emitted in `Revealed`, in log order. */
export type Reveal = { contributor: string; updateHash: string };

/**
 * The reveal accumulator of `RoundClosed`: starting at zero, `h = keccak256(abi.encode(h, contributor, updateHash))`
 * for each reveal in on-chain order. The signed result must carry it, which proves the operator used every reveal.
 */
export function revealsHash(reveals: readonly Reveal[]): string {
  const coder = AbiCoder.defaultAbiCoder();
  let accumulator = ZeroHash;
  for (const { contributor, updateHash } of reveals) {
    accumulator = keccak256(coder.encode(["bytes32", "address", "bytes32"], [accumulator, contributor, updateHash]));
  }
  return accumulator;
}

/** The commitment of `Rounds.commit`: `keccak256(abi.encode(roundId, contributor, updateHash, salt))`. */
export function commitment(roundId: bigint, contributor: string, updateHash: string, salt: string): string {
  return keccak256(
    AbiCoder.defaultAbiCoder().encode(["uint256", "address", "bytes32", "bytes32"], [roundId, contributor, updateHash, salt]),
  );
}

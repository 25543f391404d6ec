// The round result operators sign (docs/protocol.md §5) as EIP-712 typed data on the Rounds contract's domain: the
// result (counted per digest on chain) wrapped in an attestation with the signer's own model URI, so no relayer
// chooses where the model lives. Twin of contracts/rounds/RoundAttestations.sol; golden-tested.
import { getAddress, TypedDataEncoder } from "ethers";
import type { Signer, TypedDataDomain, TypedDataField } from "ethers";

/** EIP-712 domain name of the Rounds contract. */
export const ROUND_RESULT_DOMAIN_NAME = "Commonweight Rounds";
/** EIP-712 domain version of the Rounds contract. */
export const ROUND_RESULT_DOMAIN_VERSION = "1";

const ROUND_RESULT_FIELDS: TypedDataField[] = [
  { name: "roundId", type: "uint256" },
  { name: "modelHash", type: "bytes32" },
  { name: "rewardsRoot", type: "bytes32" },
  { name: "totalRewards", type: "uint256" },
  { name: "invalidRoot", type: "bytes32" },
  { name: "metricsHash", type: "bytes32" },
  { name: "revealsHash", type: "bytes32" },
];

/** EIP-712 types of the result; the encoded type string is `RoundResult(uint256 roundId,bytes32 modelHash,...)`. */
export const ROUND_RESULT_TYPES: Record<string, TypedDataField[]> = { RoundResult: ROUND_RESULT_FIELDS };

/**
 * EIP-712 types of what an operator signs: `Attestation(RoundResult result,string modelUri)RoundResult(...)`.
 * Operators that published the model at different URIs still attest the same result digest.
 */
export const ATTESTATION_TYPES: Record<string, TypedDataField[]> = {
  Attestation: [
    { name: "result", type: "RoundResult" },
    { name: "modelUri", type: "string" },
  ],
  RoundResult: ROUND_RESULT_FIELDS,
};

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

/** The EIP-712 digest of `result`, equal to `Rounds.hashRoundResult(result)`: what attestations are counted by. */
export function roundResultDigest(domain: TypedDataDomain, result: AttestedResult): string {
  return TypedDataEncoder.hash(domain, ROUND_RESULT_TYPES, result);
}

/** The digest an operator signs, equal to `Rounds.hashAttestation(result, modelUri)`. */
export function attestationDigest(domain: TypedDataDomain, result: AttestedResult, modelUri: string): string {
  return TypedDataEncoder.hash(domain, ATTESTATION_TYPES, { result, modelUri });
}

/**
 * Signs the attestation of `result` with the model published at `modelUri` (an operator key); the signature goes to
 * `Rounds.attest(result, signature, modelUri)`.
 */
export async function signAttestation(
  signer: Signer,
  domain: TypedDataDomain,
  result: AttestedResult,
  modelUri: string,
): Promise<string> {
  return signer.signTypedData(domain, ATTESTATION_TYPES, { result, modelUri });
}

// The contributor side's on-chain hashes an operator must reproduce: the commitment of `Rounds.commit` and the reveal
// accumulator of `RoundClosed` (docs/protocol.md §5). Twins of contracts/rounds/RoundContributions.sol; golden-tested.
import { AbiCoder, keccak256, ZeroHash } from "ethers";

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

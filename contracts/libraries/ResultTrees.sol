// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * @title ResultTrees
 * @notice The leaves of a round result's two trees (rewards and invalid contributors), the one definition of the
 * Merkle leaves rounds verify: the StandardMerkleTree leaves of the OpenZeppelin merkle-tree package,
 * `keccak256(bytes.concat(keccak256(abi.encode(...values))))`. The double hash keeps a leaf from ever being read as an
 * inner node (second-preimage safe). TypeScript twin: `oracle/protocol/result-trees.ts`;
 * `test/contracts/golden.test.ts` proves they agree.
 */
library ResultTrees {
    /// @notice Leaf of the rewards tree, leaf encoding `["address", "uint256"]`.
    /// @param account The rewarded contributor.
    /// @param amount Its reward in token base units.
    function rewardLeaf(address account, uint256 amount) internal pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(account, amount))));
    }

    /// @notice Leaf of the invalid-contributors tree, leaf encoding `["address", "uint8"]`.
    /// @param account The invalid contributor.
    /// @param reason Its reason code (1 unavailable, 2 hash-mismatch, 3 malformed, 4 norm).
    function invalidLeaf(address account, uint8 reason) internal pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(account, reason))));
    }
}

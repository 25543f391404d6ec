// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Hashes} from "@openzeppelin/contracts/utils/cryptography/Hashes.sol";

/// @title MerkleHelper
/// @notice Test-only: builds `@openzeppelin/merkle-tree` StandardMerkleTree roots and proofs on chain, for handlers and
/// fuzz tests. Same layout as the JS library: a complete binary tree in an array of `2n - 1` nodes, leaf `i` (in the
/// given order) at index `2n - 2 - i`, node `i` = commutative keccak of its children `2i + 1` and `2i + 2`.
/// NOTE: the JS library also sorts leaves by hash before building; proofs verify either way (pairs are sorted).
library MerkleHelper {
    /// @notice The whole tree of `leaves` (`leaves.length >= 1`); element 0 is the root.
    function tree(bytes32[] memory leaves) internal pure returns (bytes32[] memory nodes) {
        uint256 n = leaves.length;
        nodes = new bytes32[](2 * n - 1);
        for (uint256 i = 0; i < n; ++i) nodes[2 * n - 2 - i] = leaves[i];
        for (uint256 i = n - 1; i > 0; --i) {
            nodes[i - 1] = Hashes.commutativeKeccak256(nodes[2 * i - 1], nodes[2 * i]);
        }
    }

    /// @notice Root of `leaves`.
    function root(bytes32[] memory leaves) internal pure returns (bytes32) {
        return tree(leaves)[0];
    }

    /// @notice Proof of leaf `index` (in the order given) of `leaves`.
    function proof(bytes32[] memory leaves, uint256 index) internal pure returns (bytes32[] memory path) {
        bytes32[] memory nodes = tree(leaves);
        uint256 j = nodes.length - 1 - index;
        uint256 depth;
        for (uint256 k = j; k > 0; k = (k - 1) / 2) ++depth;
        path = new bytes32[](depth);
        for (uint256 d = 0; d < depth; ++d) {
            path[d] = nodes[j % 2 == 1 ? j + 1 : j - 1];
            j = (j - 1) / 2;
        }
    }
}

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";

import {ResultTrees} from "../libraries/ResultTrees.sol";

/// @title ResultTreesHarness
/// @notice Test-only: exposes {ResultTrees} for the cross-language golden tests.
contract ResultTreesHarness {
    /// @notice {ResultTrees-rewardLeaf}.
    function rewardLeaf(address account, uint256 amount) external pure returns (bytes32) {
        return ResultTrees.rewardLeaf(account, amount);
    }

    /// @notice {ResultTrees-invalidLeaf}.
    function invalidLeaf(address account, uint8 reason) external pure returns (bytes32) {
        return ResultTrees.invalidLeaf(account, reason);
    }

    /// @notice Whether `proof` proves the reward leaf `(account, amount)` against `root`.
    function verifyReward(
        bytes32[] calldata proof,
        bytes32 root,
        address account,
        uint256 amount
    ) external pure returns (bool) {
        return MerkleProof.verifyCalldata(proof, root, ResultTrees.rewardLeaf(account, amount));
    }
}

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";

import {RewardLeaf} from "../libraries/RewardLeaf.sol";

/// @title RewardLeafHarness
/// @notice Test-only: exposes {RewardLeaf} for the cross-language golden tests.
contract RewardLeafHarness {
    /// @notice {RewardLeaf-hash}.
    function rewardLeaf(address account, uint256 amount) external pure returns (bytes32) {
        return RewardLeaf.hash(account, amount);
    }

    /// @notice {RewardLeaf-invalidHash}.
    function invalidLeaf(address account, uint8 reason) external pure returns (bytes32) {
        return RewardLeaf.invalidHash(account, reason);
    }

    /// @notice Whether `proof` proves the reward leaf `(account, amount)` against `root`.
    function verifyReward(
        bytes32[] calldata proof,
        bytes32 root,
        address account,
        uint256 amount
    ) external pure returns (bool) {
        return MerkleProof.verifyCalldata(proof, root, RewardLeaf.hash(account, amount));
    }
}

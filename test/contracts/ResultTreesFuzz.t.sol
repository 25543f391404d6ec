// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";

import {ResultTrees} from "../../contracts/libraries/ResultTrees.sol";
import {MerkleHelper} from "../../contracts/test/MerkleHelper.sol";
import {Base} from "./utils/Base.t.sol";

/// @notice Fuzz tests of the reward leaves against the `@openzeppelin/merkle-tree` StandardMerkleTree definition:
/// leaf = keccak256(keccak256(abi.encode(values))), where abi.encode of (address, uint256) is two 32-byte words
/// (the TS side of the same equality is test/contracts/golden.test.ts).
contract ResultTreesFuzzTest is Base {
    /// @notice ResultTrees.rewardLeaf equals the StandardMerkleTree leaf of ["address", "uint256"] for any input.
    function testFuzz_hash_equalsStandardMerkleTreeLeaf(address account, uint256 amount) public pure {
        bytes memory encoded = bytes.concat(bytes32(uint256(uint160(account))), bytes32(amount));
        assertEq(encoded.length, 64, "abi words");
        bytes32 expected = keccak256(abi.encodePacked(keccak256(encoded)));
        assertEq(ResultTrees.rewardLeaf(account, amount), expected, "reward leaf");
    }

    /// @notice ResultTrees.invalidLeaf equals the StandardMerkleTree leaf of ["address", "uint8"] for any input.
    function testFuzz_invalidHash_equalsStandardMerkleTreeLeaf(address account, uint8 reason) public pure {
        bytes memory encoded = bytes.concat(bytes32(uint256(uint160(account))), bytes32(uint256(reason)));
        bytes32 expected = keccak256(abi.encodePacked(keccak256(encoded)));
        assertEq(ResultTrees.invalidLeaf(account, reason), expected, "invalid leaf");
    }

    /// @notice In a random tree of 1-32 leaves, every leaf's proof verifies, and a changed amount or account does not.
    function testFuzz_hash_provesInRandomTree(uint256 n, uint256 seed, uint256 index, uint256 delta) public pure {
        n = bound(n, 1, 32);
        index = bound(index, 0, n - 1);
        delta = bound(delta, 1, type(uint128).max);
        (bytes32[] memory leaves, address[] memory accounts, uint256[] memory amounts) = _randomLeaves(n, seed);
        bytes32 root = MerkleHelper.root(leaves);
        bytes32[] memory proof = MerkleHelper.proof(leaves, index);
        assertTrue(MerkleProof.verify(proof, root, ResultTrees.rewardLeaf(accounts[index], amounts[index])), "leaf proves");
        uint256 other = amounts[index] + delta;
        assertTrue(!MerkleProof.verify(proof, root, ResultTrees.rewardLeaf(accounts[index], other)), "changed amount");
        address stranger = address(uint160(accounts[index]) ^ uint160(delta));
        assertTrue(!MerkleProof.verify(proof, root, ResultTrees.rewardLeaf(stranger, amounts[index])), "changed account");
    }

    function _randomLeaves(
        uint256 n,
        uint256 seed
    ) private pure returns (bytes32[] memory leaves, address[] memory accounts, uint256[] memory amounts) {
        leaves = new bytes32[](n);
        accounts = new address[](n);
        amounts = new uint256[](n);
        for (uint256 i = 0; i < n; ++i) {
            uint256 x = uint256(keccak256(abi.encode(seed, i)));
            accounts[i] = address(uint160(x));
            amounts[i] = 1 + (x >> 160) % 1e24;
            leaves[i] = ResultTrees.rewardLeaf(accounts[i], amounts[i]);
        }
    }
}

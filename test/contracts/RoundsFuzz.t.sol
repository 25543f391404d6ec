// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {IRounds} from "../../contracts/interfaces/IRounds.sol";
import {ResultTrees} from "../../contracts/libraries/ResultTrees.sol";
import {MerkleHelper} from "../../contracts/test/MerkleHelper.sol";
import {ProtocolSetup} from "./utils/ProtocolSetup.sol";

/// @notice Fuzz tests of Rounds: the budget split conserves every unit, a claim pays exactly its leaf once, and a
/// commitment binds round, contributor, update hash and salt.
contract RoundsFuzzTest is ProtocolSetup {
    function setUp() public {
        _deployProtocol(2);
    }

    /// @notice For any budget and any valid split: rewardPool + operatorPool + treasury share == funded, and after
    /// the pool is claimed, operators are paid and the round is swept, every funded unit went out exactly once.
    function testFuzz_open_budgetSplitConserved(uint256 budget, uint256 cBps, uint256 oBps) public {
        // Up to the quorum's coverage: k = 2 locks of 1000 tokens at a 100% wrong-result rate.
        budget = bound(budget, 1, 2e21);
        cBps = bound(cBps, 0, 10_000);
        oBps = bound(oBps, 0, 10_000 - cBps);
        policies.setPolicy(_policyWithSplit(uint16(cBps), uint16(oBps)));
        uint256 roundId = _openRevealedAndClosedRound(budget);
        IRounds.Round memory r = rounds.round(roundId);
        uint256 treasuryShare = r.funded - r.rewardPool - r.operatorPool;
        assertEq(r.funded, budget, "funded");
        assertEq(r.rewardPool, (budget * cBps) / 10_000, "reward pool");
        assertEq(r.operatorPool, (budget * oBps) / 10_000, "operator pool");
        assertEq(uint256(r.rewardPool) + r.operatorPool + treasuryShare, budget, "split");
        assertGe(treasuryShare, (budget * (10_000 - cBps - oBps)) / 10_000, "treasury share");
        assertLe(treasuryShare - (budget * (10_000 - cBps - oBps)) / 10_000, 2, "rounding dust");

        // One leaf takes the whole contributor pool (none if the pool is empty).
        address winner = contributors[1];
        bytes32 root = r.rewardsRoot;
        if (r.rewardPool > 0) root = ResultTrees.rewardLeaf(winner, r.rewardPool);
        _finalize(_result(roundId, root, r.rewardPool));
        vm.warp(rounds.round(roundId).challengeEnd);
        if (r.rewardPool > 0) rounds.claim(roundId, winner, r.rewardPool, new bytes32[](0));
        for (uint256 i = 0; i < K; ++i) rounds.claimOperatorReward(roundId, vm.addr(operatorKeys[i]));
        vm.warp(rounds.round(roundId).claimEnd);
        rounds.sweep(roundId);

        assertEq(rewardToken.balanceOf(address(rounds)), 0, "escrow emptied");
        uint256 operatorsPaid;
        for (uint256 i = 0; i < K; ++i) operatorsPaid += rewardToken.balanceOf(vm.addr(operatorKeys[i]));
        assertEq(rewardToken.balanceOf(winner), r.rewardPool, "contributors");
        assertLe(operatorsPaid, r.operatorPool, "operators");
        assertEq(rewardToken.balanceOf(winner) + operatorsPaid + rewardToken.balanceOf(TREASURY), budget, "conserved");
    }

    /// @notice In a random tree of 1-16 leaves, claiming leaf `index` pays exactly its amount, once; a second claim
    /// reverts with RoundsAlreadyClaimed and another leaf's proof with a wrong amount reverts with RoundsInvalidProof.
    function testFuzz_claim_paysLeafExactlyOnce(uint256 n, uint256 seed, uint256 index, uint256 delta) public {
        n = bound(n, 1, 16);
        index = bound(index, 0, n - 1);
        uint256 roundId = _openRevealedAndClosedRound(1e21);
        uint256 pool = rounds.round(roundId).rewardPool;
        (bytes32[] memory leaves, address[] memory accounts, uint256[] memory amounts, uint256 total) =
            _randomTree(n, seed, pool);
        _finalize(_result(roundId, MerkleHelper.root(leaves), total));
        vm.warp(rounds.round(roundId).challengeEnd);

        address account = accounts[index];
        bytes32[] memory proof = MerkleHelper.proof(leaves, index);
        rounds.claim(roundId, account, amounts[index], proof);
        assertEq(rewardToken.balanceOf(account), amounts[index], "paid the leaf");
        assertEq(rounds.round(roundId).claimedRewards, amounts[index], "claimedRewards");
        assertTrue(rounds.isClaimed(roundId, account), "flagged");

        vm.expectRevert(abi.encodeWithSelector(IRounds.RoundsAlreadyClaimed.selector, roundId, account));
        rounds.claim(roundId, account, amounts[index], proof);

        if (n > 1) {
            uint256 other = (index + 1) % n;
            uint256 wrong = amounts[other] + bound(delta, 1, 1e18);
            vm.expectRevert(abi.encodeWithSelector(IRounds.RoundsInvalidProof.selector, roundId, accounts[other]));
            rounds.claim(roundId, accounts[other], wrong, MerkleHelper.proof(leaves, other));
        }
        assertEq(rewardToken.balanceOf(account), amounts[index], "paid once");
    }

    /// @notice A reveal succeeds only with the committed update hash and salt: changing either fails.
    function testFuzz_reveal_commitmentBindsHashAndSalt(
        bytes32 updateHash,
        bytes32 salt,
        bytes32 otherHash,
        bytes32 otherSalt
    ) public {
        vm.assume(otherHash != updateHash && otherSalt != salt);
        uint256 roundId = _openRound();
        address c = contributors[0];
        bytes32 commitment = rounds.computeCommitment(roundId, c, updateHash, salt);
        vm.assume(uint256(commitment) > 2);
        vm.prank(c);
        rounds.commit(roundId, commitment);
        vm.warp(rounds.round(roundId).commitEnd);

        vm.expectRevert(abi.encodeWithSelector(IRounds.RoundsCommitmentMismatch.selector, roundId, c));
        vm.prank(c);
        rounds.reveal(roundId, otherHash, salt, "");
        vm.expectRevert(abi.encodeWithSelector(IRounds.RoundsCommitmentMismatch.selector, roundId, c));
        vm.prank(c);
        rounds.reveal(roundId, updateHash, otherSalt, "");

        vm.prank(c);
        rounds.reveal(roundId, updateHash, salt, "");
        assertEq(rounds.round(roundId).revealCount, 1, "revealed");
    }

    /// @notice A commitment copied by another account (front-running) cannot be revealed by it.
    function testFuzz_reveal_commitmentBindsAccount(bytes32 updateHash, bytes32 salt) public {
        uint256 roundId = _openRound();
        (address honest, address copier) = (contributors[0], contributors[1]);
        bytes32 commitment = rounds.computeCommitment(roundId, honest, updateHash, salt);
        vm.assume(uint256(commitment) > 2);
        vm.prank(honest);
        rounds.commit(roundId, commitment);
        vm.prank(copier);
        rounds.commit(roundId, commitment);
        vm.warp(rounds.round(roundId).commitEnd);

        vm.expectRevert(abi.encodeWithSelector(IRounds.RoundsCommitmentMismatch.selector, roundId, copier));
        vm.prank(copier);
        rounds.reveal(roundId, updateHash, salt, "");
    }

    /// @notice A commitment is bound to its round: the preimage for one round does not open another round's commit.
    function testFuzz_reveal_commitmentBindsRound(bytes32 updateHash, bytes32 salt) public {
        uint256 first = _openRound();
        uint256 second = _openRound();
        address c = contributors[0];
        bytes32 commitment = rounds.computeCommitment(first, c, updateHash, salt);
        vm.assume(uint256(commitment) > 2);
        vm.prank(c);
        rounds.commit(second, commitment);
        vm.warp(rounds.round(second).commitEnd);
        vm.expectRevert(abi.encodeWithSelector(IRounds.RoundsCommitmentMismatch.selector, second, c));
        vm.prank(c);
        rounds.reveal(second, updateHash, salt, "");
    }

    function _openRound() private returns (uint256) {
        vm.prank(SPONSOR);
        return rounds.open(IERC20(address(rewardToken)), 1e21);
    }

    /// @dev n leaves over distinct random accounts, amounts >= 1 with a total within `pool`.
    function _randomTree(
        uint256 n,
        uint256 seed,
        uint256 pool
    )
        private
        pure
        returns (bytes32[] memory leaves, address[] memory accounts, uint256[] memory amounts, uint256 total)
    {
        leaves = new bytes32[](n);
        accounts = new address[](n);
        amounts = new uint256[](n);
        for (uint256 i = 0; i < n; ++i) {
            uint256 x = uint256(keccak256(abi.encode(seed, i)));
            // Distinct by construction: the low bits carry i.
            accounts[i] = address(uint160(((x >> 8) << 8) | (i + 1)));
            amounts[i] = 1 + (x >> 160) % (pool / n);
            total += amounts[i];
            leaves[i] = ResultTrees.rewardLeaf(accounts[i], amounts[i]);
        }
    }
}

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {IRounds} from "../../contracts/interfaces/IRounds.sol";
import {RoundsHandler} from "../../contracts/test/RoundsHandler.sol";
import {ProtocolSetup} from "./utils/ProtocolSetup.sol";

/// @notice Stateful invariants of Rounds. The handler drives random sequences of rounds through open → commit →
/// reveal → close → attestations (k = 2 of 3 operators, competing results) → claims / failure → sweep, so these are
/// checked on finalized, claimed, failed and refunded rounds (see `test_handler_*` and the README note on how each
/// invariant was shown to fail).
contract RoundsInvariantsTest is ProtocolSetup {
    uint256 private constant CONTRIBUTORS = 4;
    RoundsHandler private _handler;
    uint256 private _initialStake;

    function setUp() public {
        _deployProtocol(CONTRIBUTORS);
        _handler = new RoundsHandler(
            rounds,
            staking,
            IERC20(address(rewardToken)),
            SPONSOR,
            contributors,
            operatorKeys
        );
        _initialStake = staking.totalStaked();
        targetContract(address(_handler));
    }

    /// @notice Per round: claimed <= totalRewards <= rewardPool, contract payouts <= funded, and the tokens that
    /// actually left the escrow for the round (claims, operator shares, sweep) never exceed what it was funded with.
    function invariant_claimedWithinFunded() public view {
        for (uint256 i = 0; i < _handler.roundCount(); ++i) {
            uint256 id = _handler.roundIds(i);
            IRounds.Round memory r = rounds.round(id);
            assertLe(r.claimedRewards, r.totalRewards, "claimed > total");
            assertLe(r.totalRewards, r.rewardPool, "total > pool");
            assertLe(_handler.ghostClaimed(id), r.rewardPool, "ghost claimed > pool");
            assertEq(_handler.ghostClaimed(id), r.claimedRewards, "ghost claimed != claimedRewards");
            assertLe(_handler.ghostPaidOut(id), r.funded, "paid out > funded");
        }
    }

    /// @notice Each (round, account) leaf is paid at most once, and a paid leaf is flagged.
    function invariant_eachLeafClaimedOnce() public view {
        for (uint256 i = 0; i < _handler.roundCount(); ++i) {
            uint256 id = _handler.roundIds(i);
            for (uint256 j = 0; j < CONTRIBUTORS; ++j) {
                address c = contributors[j];
                uint256 n = _handler.ghostClaimCount(id, c);
                assertLe(n, 1, "leaf claimed twice");
                if (n == 1) assertTrue(rounds.isClaimed(id, c), "claimed leaf not flagged");
            }
        }
    }

    /// @notice A result is set once (one finalizing attestation, digest never changes) and only with k distinct
    /// operators' valid signatures over exactly that digest.
    function invariant_resultOnlyWithQuorum() public view {
        for (uint256 i = 0; i < _handler.roundCount(); ++i) {
            uint256 id = _handler.roundIds(i);
            IRounds.Round memory r = rounds.round(id);
            assertLe(_handler.ghostFinalizations(id), 1, "result set twice");
            if (_handler.ghostFinalizations(id) == 1) {
                assertEq(_handler.ghostFinalAttesters(id), K, "distinct attesters at finalization");
            }
            if (r.status != IRounds.RoundStatus.Finalized) continue;
            assertTrue(_handler.ghostFinalDigest(id) != bytes32(0), "finalized without a finalizing attestation");
            assertEq(r.resultDigest, _handler.ghostFinalDigest(id), "result changed");
            assertEq(rounds.attestationCount(id, r.resultDigest), K, "attestation count");
            assertEq(r.attesterCount, K, "attesterCount");
        }
    }

    /// @notice The escrow holds exactly what unswept rounds still owe, and exactly funded - paid out.
    function invariant_escrowCoversUnsweptRounds() public view {
        uint256 owed;
        for (uint256 i = 0; i < _handler.roundCount(); ++i) {
            IRounds.Round memory r = rounds.round(_handler.roundIds(i));
            if (!r.swept) owed += r.funded - r.claimedRewards - r.operatorClaimed;
        }
        uint256 balance = rewardToken.balanceOf(address(rounds));
        assertEq(balance, owed, "escrow != owed");
        assertEq(balance, _handler.ghostFunded() - _handler.ghostOutflows(), "escrow != funded - paid out");
    }

    /// @notice Every round ends: a round reaching Finalized or Failed stays there; a Closed round whose attestation
    /// deadline passed is Failed once `markFailed` was called; a failed round, once swept, refunded all it was funded.
    function invariant_everyRoundEndsFinalizedOrRefunded() public view {
        for (uint256 i = 0; i < _handler.roundCount(); ++i) {
            uint256 id = _handler.roundIds(i);
            IRounds.Round memory r = rounds.round(id);
            IRounds.RoundStatus ended = _handler.ghostEndStatus(id);
            if (ended != IRounds.RoundStatus.None) assertEq(uint256(r.status), uint256(ended), "ended round moved");
            if (_handler.ghostSettleAttempted(id)) {
                assertTrue(
                    r.status == IRounds.RoundStatus.Finalized || r.status == IRounds.RoundStatus.Failed,
                    "timed-out round left unsettled"
                );
            }
            if (r.status == IRounds.RoundStatus.Failed && r.swept) {
                assertEq(_handler.ghostRefunded(id), r.funded, "failed round not refunded in full");
            }
        }
    }

    /// @notice Stake conservation through round locks and slashes: staked tokens == initial stake - slashed.
    function invariant_stakeConservation() public view {
        uint256 expected = _initialStake - _handler.ghostStakeSlashed();
        assertEq(stakeToken.balanceOf(address(staking)), expected, "staking balance");
        assertEq(staking.totalStaked(), expected, "totalStaked");
        assertEq(staking.totalVotingUnits(), expected, "voting units");
    }

    /// @notice The handler reaches finalization, claims (once per leaf), operator shares and a sweep.
    function test_handler_reachesFinalizationAndClaims() public {
        _handler.open(1e21);
        _handler.commit(0, 1 << 8); // contributors 0 and 1
        _handler.reveal(0, 0);
        _handler.close(0, 1);
        _handler.attest(0, 0, 0, 7);
        _handler.attest(0, 0, 0, 7); // same operator again: rejected
        _handler.attest(0, 1, 0, 7);
        assertEq(uint256(rounds.round(1).status), uint256(IRounds.RoundStatus.Finalized), "finalized");
        assertEq(_handler.ghostFinalAttesters(1), K, "attesters");
        _handler.claim(0, 0);
        _handler.claim(0, 0); // same leaf again: rejected
        _handler.claim(0, 3);
        assertEq(_handler.ghostClaimCount(1, contributors[0]), 1, "claimed once");
        assertEq(_handler.ghostClaims(), 2, "claims");
        _handler.claimOperatorReward(0, 0);
        _handler.settleStake(0, 0);
        _handler.sweep(0, 0);
        assertTrue(rounds.round(1).swept, "swept");
        invariant_claimedWithinFunded();
        invariant_escrowCoversUnsweptRounds();
    }

    /// @notice The handler fails and refunds a round without quorum, and slashes a non-revealer.
    function test_handler_failsAndRefunds() public {
        _handler.open(5e20);
        _handler.commit(0, 1 << 8); // contributors 0 and 1
        _handler.reveal(0, 1); // contributor 1 does not reveal
        _handler.close(0, 1);
        _handler.attest(0, 0, 0, 7);
        _handler.markFailed(0, 0);
        assertEq(uint256(rounds.round(1).status), uint256(IRounds.RoundStatus.Failed), "failed");
        _handler.settleStake(0, 1);
        assertEq(_handler.ghostStakeSlashed(), 50e18, "non-revealer slashed");
        _handler.sweep(0, 0);
        assertEq(_handler.ghostRefunded(1), rounds.round(1).funded, "refund");
        invariant_everyRoundEndsFinalizedOrRefunded();
        invariant_stakeConservation();
    }
}

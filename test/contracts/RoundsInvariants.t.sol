// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {IRounds} from "../../contracts/interfaces/IRounds.sol";
import {RoundsHandler} from "../../contracts/test/RoundsHandler.sol";
import {ProtocolSetup} from "./utils/ProtocolSetup.sol";

/// @notice Stateful invariants of Rounds. The handler drives random sequences of rounds through open → commit →
/// reveal → close → attestations (k = 1..3 of up to 5 operators, competing results) → disputes / resolutions → claims
/// / failure → sweep, with registry actions in between (register with eviction, deregister, release, set threshold,
/// equivocation slashes), so these are checked on finalized, disputed, voided, re-opened, claimed, failed and refunded
/// rounds (see `test_handler_*` and the README note on how each invariant was shown to fail).
contract RoundsInvariantsTest is ProtocolSetup {
    uint256 private constant CONTRIBUTORS = 4;
    RoundsHandler private _handler;
    uint256 private _initialStake;

    function setUp() public {
        _deployProtocol(CONTRIBUTORS);
        // Two more operator keys, staked but not registered: the handler registers them (evicting when full).
        for (uint256 i = OPERATOR_COUNT; i < OPERATOR_COUNT + 2; ++i) operatorKeys.push(0xB0B0 + i);
        _handler = new RoundsHandler(
            rounds,
            staking,
            oracles,
            address(this),
            IERC20(address(rewardToken)),
            SPONSOR,
            contributors,
            operatorKeys
        );
        for (uint256 i = OPERATOR_COUNT; i < OPERATOR_COUNT + 2; ++i) _fundAndStake(vm.addr(0xB0B0 + i));
        _initialStake = staking.totalStaked();
        // Bonds for the handler's disputes.
        stakeToken.transfer(address(_handler), 1e24);
        vm.prank(address(_handler));
        stakeToken.approve(address(rounds), type(uint256).max);
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

    /// @notice A result is set once per quorum (once, plus once more per upheld dispute), only with k distinct
    /// operators' valid signatures over exactly that digest, k being the round's snapshotted threshold.
    function invariant_resultOnlyWithQuorum() public view {
        for (uint256 i = 0; i < _handler.roundCount(); ++i) {
            uint256 id = _handler.roundIds(i);
            IRounds.Round memory r = rounds.round(id);
            assertLe(_handler.ghostFinalizations(id), 1 + _handler.ghostUpheld(id), "result set twice");
            if (r.status != IRounds.RoundStatus.Finalized) continue;
            assertTrue(_handler.ghostFinalDigest(id) != bytes32(0), "finalized without a finalizing attestation");
            assertEq(r.resultDigest, _handler.ghostFinalDigest(id), "result changed");
            assertEq(_handler.ghostFinalAttesters(id), r.threshold, "distinct attesters at finalization");
            assertEq(rounds.attestationCount(id, r.resultDigest), r.threshold, "attestation count");
            assertEq(r.attesterCount, r.threshold, "attesterCount");
        }
    }

    /// @notice Operator payouts of a round never exceed its operator pool, whatever the registry did meanwhile.
    function invariant_operatorClaimsWithinPool() public view {
        for (uint256 i = 0; i < _handler.roundCount(); ++i) {
            uint256 id = _handler.roundIds(i);
            IRounds.Round memory r = rounds.round(id);
            assertLe(r.operatorClaimed, r.operatorPool, "operatorClaimed > pool");
            assertEq(_handler.ghostOperatorPaid(id), r.operatorClaimed, "ghost operator paid != operatorClaimed");
        }
    }

    /// @notice Global solvency: the rounds contract's reward-token balance is exactly every round's outstanding
    /// escrow, and its staking-token balance exactly the bonds of pending disputes.
    function invariant_globalSolvency() public view {
        uint256 bonds;
        for (uint256 i = 0; i < _handler.roundCount(); ++i) {
            uint256 id = _handler.roundIds(i);
            if (rounds.round(id).status == IRounds.RoundStatus.Disputed) bonds += rounds.disputeOf(id).bond;
        }
        assertEq(stakeToken.balanceOf(address(rounds)), bonds, "bonds held");
        assertEq(bonds, _handler.ghostBondsPaidIn() - _handler.ghostBondsPaidOut(), "bonds in - out");
        invariant_escrowCoversUnsweptRounds();
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

    /// @notice Every round ends: a round reaching Finalized or Failed stays there (but for disputes); a Closed round whose attestation
    /// deadline passed is Failed once `markFailed` was called; a failed round, once swept, refunded all it was funded.
    function invariant_everyRoundEndsFinalizedOrRefunded() public view {
        for (uint256 i = 0; i < _handler.roundCount(); ++i) {
            uint256 id = _handler.roundIds(i);
            IRounds.Round memory r = rounds.round(id);
            IRounds.RoundStatus ended = _handler.ghostEndStatus(id);
            // Only a dispute moves an ended round: frozen while pending, back on rejection, Closed again if upheld.
            bool disputed = r.status == IRounds.RoundStatus.Disputed;
            if (ended != IRounds.RoundStatus.None && !disputed) {
                assertEq(uint256(r.status), uint256(ended), "ended round moved");
            }
            if (_handler.ghostSettleAttempted(id)) {
                assertTrue(
                    r.status == IRounds.RoundStatus.Finalized || r.status == IRounds.RoundStatus.Failed || disputed,
                    "timed-out round left unsettled"
                );
            }
            if (r.status == IRounds.RoundStatus.Failed && r.swept) {
                assertEq(_handler.ghostRefunded(id), r.funded, "failed round not refunded in full");
            }
        }
    }

    /// @notice Stake conservation through round and operator locks and slashes: staked tokens == initial stake -
    /// slashed (to the treasury and to reporters).
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

    /// @notice The handler disputes a finalized round, governance upholds it (slashing both signers), and a new
    /// quorum of the remaining and a newly registered operator re-finalizes it within the new deadline.
    function test_handler_disputesUpholdsAndSettlesAnew() public {
        _handler.open(1e21);
        _handler.commit(0, 1 << 8);
        _handler.reveal(0, 0);
        _handler.close(0, 1);
        _handler.attest(0, 0, 0, 7); // operators 0 and 1 (two calls): finalized
        _handler.attest(0, 1, 0, 7);
        assertEq(uint256(rounds.round(1).status), uint256(IRounds.RoundStatus.Finalized), "finalized");
        _handler.dispute(0);
        assertEq(_handler.ghostDisputes(), 1, "disputed");
        invariant_globalSolvency();
        _handler.resolveDispute(0, 0); // upheld
        assertEq(uint256(rounds.round(1).status), uint256(IRounds.RoundStatus.Closed), "reopened");
        assertTrue(_handler.ghostStakeSlashed() > 0, "signers slashed");
        _handler.registerOperator(3, 0);
        assertEq(_handler.ghostRegistrations(), 1, "registered");
        vm.warp(rounds.round(1).eligibleAt);
        // Tree A is void now; the new quorum signs the other variant (a failed result): the round fails.
        _handler.attest(0, 2, 0, 7);
        _handler.attest(0, 2, 7, 7); // operator 2
        _handler.attest(0, 3, 7, 7); // operator 3
        assertEq(uint256(rounds.round(1).status), uint256(IRounds.RoundStatus.Failed), "settled by the new quorum");
        assertEq(_handler.ghostFinalizations(1), 2, "two quorums");
        _handler.claimOperatorReward(0, 0);
        assertEq(_handler.ghostOperatorPaid(1), 0, "no operator paid for a void or failed result");
        _handler.sweep(0, 0);
        assertEq(_handler.ghostRefunded(1), rounds.round(1).funded, "refund");
        invariant_resultOnlyWithQuorum();
        invariant_operatorClaimsWithinPool();
        invariant_globalSolvency();
        invariant_stakeConservation();
    }
}

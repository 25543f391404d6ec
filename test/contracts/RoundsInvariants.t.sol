// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {ModelPolicyRegistry} from "../../contracts/governance/ModelPolicyRegistry.sol";
import {IModelPolicyRegistry} from "../../contracts/interfaces/IModelPolicyRegistry.sol";
import {IRounds} from "../../contracts/interfaces/IRounds.sol";
import {OracleRegistry} from "../../contracts/oracle/OracleRegistry.sol";
import {ModelRegistry} from "../../contracts/registry/ModelRegistry.sol";
import {Rounds} from "../../contracts/rounds/Rounds.sol";
import {Staking} from "../../contracts/staking/Staking.sol";
import {RoundsHandler} from "../../contracts/test/RoundsHandler.sol";
import {CommonweightToken} from "../../contracts/token/CommonweightToken.sol";
import {Base} from "./utils/Base.t.sol";
import {TestPolicies} from "./utils/TestPolicies.sol";

/// @notice Stateful invariants of Rounds: money out <= money in per round, one claim per leaf, results only with k
/// distinct attestations and set once, the escrow covers every unswept round, ended rounds stay ended.
contract RoundsInvariantsTest is Base {
    uint256 private constant K = 2;
    CommonweightToken private _token;
    Staking private _staking;
    Rounds private _rounds;
    RoundsHandler private _handler;

    function setUp() public {
        _token = new CommonweightToken(address(this), 1e30);
        _staking = new Staking(IERC20(address(_token)), address(0x7EA5), 1 days, address(this));
        ModelPolicyRegistry policies = new ModelPolicyRegistry(address(this), TestPolicies.basic());
        ModelRegistry models = new ModelRegistry(address(this));
        models.appendGenesis(keccak256("genesis"), "");
        OracleRegistry oracles = new OracleRegistry(_staking, policies, K, 1 days, address(this));
        _rounds = new Rounds(_staking, oracles, policies, models);
        _staking.grantRole(_staking.LOCKER_ROLE(), address(_rounds));
        _staking.grantRole(_staking.SLASHER_ROLE(), address(_rounds));
        _staking.grantRole(_staking.LOCKER_ROLE(), address(oracles));
        models.grantRole(models.APPENDER_ROLE(), address(_rounds));

        uint256[] memory keys = new uint256[](3);
        for (uint256 i = 0; i < keys.length; ++i) {
            keys[i] = 0xB0B0 + i;
            _fundAndStake(vm.addr(keys[i]));
            vm.prank(vm.addr(keys[i]));
            oracles.register();
        }
        address[] memory contributors = new address[](3);
        for (uint256 i = 0; i < contributors.length; ++i) {
            contributors[i] = address(uint160(0xC0FFEE + i));
            _fundAndStake(contributors[i]);
        }
        address sponsor = address(0x5905);
        _token.transfer(sponsor, 1e25);
        vm.prank(sponsor);
        _token.approve(address(_rounds), type(uint256).max);
        _handler = new RoundsHandler(_rounds, IERC20(address(_token)), sponsor, contributors, keys);
        targetContract(address(_handler));
    }

    /// @notice Per round: claimed <= totalRewards <= rewardPool, all payouts <= funded, ghost == contract.
    function invariant_claimedWithinFunded() public view {
        for (uint256 i = 0; i < _handler.roundCount(); ++i) {
            uint256 id = _handler.roundIds(i);
            IRounds.Round memory r = _rounds.round(id);
            assertLe(r.claimedRewards, r.totalRewards, "claimed > total");
            assertLe(r.totalRewards, r.rewardPool, "total > pool");
            assertLe(uint256(r.claimedRewards) + r.operatorClaimed, r.funded - (r.funded - r.rewardPool - r.operatorPool), "payouts");
            assertEq(_handler.ghostClaimed(id), r.claimedRewards, "ghost claimed");
        }
    }

    /// @notice Each (round, account) leaf is paid at most once.
    function invariant_eachLeafClaimedOnce() public view {
        for (uint256 i = 0; i < _handler.roundCount(); ++i) {
            uint256 id = _handler.roundIds(i);
            for (uint256 j = 0; j < 2; ++j) assertLe(_handler.ghostClaimCount(id, _handler.contributors(j)), 1, "double claim");
        }
    }

    /// @notice A finalized result has k distinct attestations, and was set once (the digest never changes).
    function invariant_resultOnlyWithQuorum() public view {
        for (uint256 i = 0; i < _handler.roundCount(); ++i) {
            uint256 id = _handler.roundIds(i);
            IRounds.Round memory r = _rounds.round(id);
            if (r.status != IRounds.RoundStatus.Finalized) continue;
            assertEq(r.resultDigest, _handler.ghostFinalDigest(id), "result changed");
            assertEq(_handler.ghostAttesters(id, r.resultDigest), K, "attesters");
            assertEq(_rounds.attestationCount(id, r.resultDigest), K, "count");
        }
    }

    /// @notice The escrow holds exactly what unswept rounds still owe.
    function invariant_escrowCoversUnsweptRounds() public view {
        uint256 owed;
        for (uint256 i = 0; i < _handler.roundCount(); ++i) {
            IRounds.Round memory r = _rounds.round(_handler.roundIds(i));
            if (!r.swept) owed += r.funded - r.claimedRewards - r.operatorClaimed;
        }
        assertEq(_token.balanceOf(address(_rounds)), owed, "escrow");
    }

    /// @notice A round that reached Finalized or Failed stays there.
    function invariant_endedRoundsStayEnded() public view {
        for (uint256 i = 0; i < _handler.roundCount(); ++i) {
            uint256 id = _handler.roundIds(i);
            IRounds.RoundStatus ended = _handler.ghostEndStatus(id);
            if (ended != IRounds.RoundStatus.None) {
                assertEq(uint256(_rounds.round(id).status), uint256(ended), "ended round moved");
            }
        }
    }

    /// @notice The handler can drive a round to finalization and claims (so the invariants are not vacuous).
    function test_handler_reachesFinalizationAndClaims() public {
        _handler.open(1e21 - 1);
        _handler.commit(0, 0);
        _handler.commit(0, 1);
        vm.warp(block.timestamp + 1 hours);
        _handler.reveal(0, 0);
        _handler.reveal(0, 1);
        vm.warp(block.timestamp + 1 hours);
        _handler.close(0);
        _handler.attest(0, 0, false, 7);
        _handler.attest(0, 1, false, 7);
        assertEq(uint256(_rounds.round(1).status), uint256(IRounds.RoundStatus.Finalized), "finalized");
        _handler.claim(0, 0);
        _handler.claim(0, 0);
        assertEq(_handler.ghostClaimCount(1, _handler.contributors(0)), 1, "claimed once");
    }

    function _fundAndStake(address account) private {
        _token.transfer(account, 1e24);
        vm.startPrank(account);
        _token.approve(address(_staking), type(uint256).max);
        _staking.stake(1e24);
        vm.stopPrank();
    }
}

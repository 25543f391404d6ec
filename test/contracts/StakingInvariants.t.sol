// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {CommonweightToken} from "../../contracts/token/CommonweightToken.sol";
import {Staking} from "../../contracts/staking/Staking.sol";
import {StakingHandler} from "../../contracts/test/StakingHandler.sol";
import {Base} from "./utils/Base.t.sol";

/// @notice Stateful invariants of Staking: conservation, votes == stake, locks within bonded stake.
contract StakingInvariantsTest is Base {
    CommonweightToken private _token;
    Staking private _staking;
    StakingHandler private _handler;
    address private constant TREASURY = address(0x7EA5);

    function setUp() public {
        _token = new CommonweightToken(address(this), 1e30);
        _staking = new Staking(IERC20(address(_token)), TREASURY, 1 days, address(this));
        address[] memory actors = new address[](3);
        for (uint256 i = 0; i < actors.length; ++i) actors[i] = address(uint160(0xA11CE + i));
        _handler = new StakingHandler(_token, _staking, actors);
        _staking.grantRole(_staking.LOCKER_ROLE(), address(_handler));
        _staking.grantRole(_staking.SLASHER_ROLE(), address(_handler));
        for (uint256 i = 0; i < actors.length; ++i) {
            _token.transfer(actors[i], 1e24);
            vm.prank(actors[i]);
            _token.approve(address(_staking), type(uint256).max);
        }
        targetContract(address(_handler));
    }

    /// @notice deposits - withdrawals - slashed == balance == totalStaked.
    function invariant_stakeConservation() public view {
        uint256 expected = _handler.ghostDeposits() - _handler.ghostWithdrawals() - _handler.ghostSlashed();
        assertEq(_token.balanceOf(address(_staking)), expected, "staking balance");
        assertEq(_staking.totalStaked(), expected, "totalStaked");
        assertEq(_token.balanceOf(TREASURY), _handler.ghostSlashed(), "treasury");
    }

    /// @notice Total voting units == total staked == sum of stakes.
    function invariant_votingUnitsEqualTotalStaked() public view {
        uint256 sum;
        for (uint256 i = 0; i < _handler.actorCount(); ++i) sum += _staking.stakeOf(_handler.actors(i));
        assertEq(sum, _staking.totalStaked(), "sum of stakes");
        assertEq(_staking.totalVotingUnits(), _staking.totalStaked(), "voting units");
        uint256 votes;
        for (uint256 i = 0; i < _handler.actorCount(); ++i) votes += _staking.getVotes(_handler.actors(i));
        assertEq(votes, _staking.totalStaked(), "delegated votes");
    }

    /// @notice locked <= bonded for every account.
    function invariant_lockedWithinBonded() public view {
        for (uint256 i = 0; i < _handler.actorCount(); ++i) {
            address a = _handler.actors(i);
            assertLe(_staking.lockedOf(a), _staking.bondedOf(a), "locked");
        }
    }
}

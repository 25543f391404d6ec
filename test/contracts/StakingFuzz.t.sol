// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {IStaking} from "../../contracts/interfaces/IStaking.sol";
import {Staking} from "../../contracts/staking/Staking.sol";
import {CommonweightToken} from "../../contracts/token/CommonweightToken.sol";
import {Base} from "./utils/Base.t.sol";

/// @notice Fuzz tests of Staking amounts: every move conserves balances, votes follow stake, slashing stays within
/// locked (hence bonded) stake. This test holds LOCKER_ROLE and SLASHER_ROLE.
contract StakingFuzzTest is Base {
    address private constant TREASURY = address(0x7EA5);
    address private constant ALICE = address(0xA11CE);
    uint256 private constant FUNDS = 1e27;
    CommonweightToken private _token;
    Staking private _staking;

    function setUp() public {
        _token = new CommonweightToken(address(this), 1e30);
        _staking = new Staking(IERC20(address(_token)), TREASURY, 1 days, address(this));
        _staking.grantRole(_staking.LOCKER_ROLE(), address(this));
        _staking.grantRole(_staking.SLASHER_ROLE(), address(this));
        _token.transfer(ALICE, FUNDS);
        vm.prank(ALICE);
        _token.approve(address(_staking), type(uint256).max);
    }

    /// @notice stake moves exactly `amount` and credits it as bonded stake, total stake and votes.
    function testFuzz_stake_creditsExactAmount(uint256 amount) public {
        amount = bound(amount, 1, FUNDS);
        vm.prank(ALICE);
        _staking.stake(amount);
        assertEq(_token.balanceOf(ALICE), FUNDS - amount, "staker balance");
        assertEq(_token.balanceOf(address(_staking)), amount, "staking balance");
        assertEq(_staking.bondedOf(ALICE), amount, "bonded");
        assertEq(_staking.totalStaked(), amount, "totalStaked");
        assertEq(_staking.getVotes(ALICE), amount, "votes");
    }

    /// @notice stake → requestUnstake → withdraw conserves tokens for any amounts; over-asking free stake reverts.
    function testFuzz_requestUnstakeWithdraw_conserveBalances(uint256 staked, uint256 locked, uint256 unstaked) public {
        staked = bound(staked, 1, FUNDS);
        locked = bound(locked, 0, staked);
        unstaked = bound(unstaked, 1, staked);
        vm.prank(ALICE);
        _staking.stake(staked);
        _staking.lock(ALICE, locked);
        uint256 free = staked - locked;
        if (unstaked > free) {
            vm.expectRevert(
                abi.encodeWithSelector(IStaking.StakingInsufficientFreeStake.selector, ALICE, free, unstaked)
            );
            vm.prank(ALICE);
            _staking.requestUnstake(unstaked);
            return;
        }
        vm.prank(ALICE);
        _staking.requestUnstake(unstaked);
        assertEq(_staking.stakeOf(ALICE), staked, "unbonding still staked");
        assertEq(_staking.getVotes(ALICE), staked, "unbonding still votes");
        vm.warp(block.timestamp + 1 days);
        vm.prank(ALICE);
        uint256 withdrawn = _staking.withdraw();
        assertEq(withdrawn, unstaked, "withdrawn");
        assertEq(_token.balanceOf(ALICE), FUNDS - staked + unstaked, "staker balance");
        assertEq(_token.balanceOf(address(_staking)), staked - unstaked, "staking balance");
        assertEq(_staking.totalStaked(), staked - unstaked, "totalStaked");
        assertEq(_staking.totalVotingUnits(), staked - unstaked, "voting units");
        assertEq(_staking.getVotes(ALICE), staked - unstaked, "votes");
    }

    /// @notice withdraw reverts before the unbonding delay for any wait shorter than it.
    function testFuzz_withdraw_notBeforeRelease(uint256 amount, uint256 wait) public {
        amount = bound(amount, 1, FUNDS);
        wait = bound(wait, 0, 1 days - 1);
        vm.startPrank(ALICE);
        _staking.stake(amount);
        _staking.requestUnstake(amount);
        uint256 releaseAt = block.timestamp + 1 days;
        vm.warp(block.timestamp + wait);
        vm.expectRevert(
            abi.encodeWithSelector(IStaking.StakingUnbondingNotReleased.selector, ALICE, releaseAt, block.timestamp)
        );
        _staking.withdraw();
        vm.stopPrank();
    }

    /// @notice slash never takes more than the locked stake; what it takes goes to the treasury and leaves stake and
    /// votes; locked <= bonded holds after it.
    function testFuzz_slash_neverExceedsLockedStake(uint256 staked, uint256 locked, uint256 slashed) public {
        staked = bound(staked, 1, FUNDS);
        locked = bound(locked, 0, staked);
        slashed = bound(slashed, 0, staked);
        vm.prank(ALICE);
        _staking.stake(staked);
        _staking.lock(ALICE, locked);
        if (slashed > locked) {
            vm.expectRevert(
                abi.encodeWithSelector(IStaking.StakingInsufficientLockedStake.selector, ALICE, locked, slashed)
            );
            _staking.slash(ALICE, slashed, "fuzz");
            return;
        }
        _staking.slash(ALICE, slashed, "fuzz");
        assertEq(_token.balanceOf(TREASURY), slashed, "treasury");
        assertEq(_staking.bondedOf(ALICE), staked - slashed, "bonded");
        assertEq(_staking.lockedOf(ALICE), locked - slashed, "locked");
        assertLe(_staking.lockedOf(ALICE), _staking.bondedOf(ALICE), "locked <= bonded");
        assertEq(_token.balanceOf(address(_staking)), staked - slashed, "staking balance");
        assertEq(_staking.totalStaked(), staked - slashed, "totalStaked");
        assertEq(_staking.getVotes(ALICE), staked - slashed, "votes");
    }

    /// @notice lock never exceeds free stake; unlock never exceeds locked stake.
    function testFuzz_lock_withinFreeStake(uint256 staked, uint256 first, uint256 second) public {
        staked = bound(staked, 1, FUNDS);
        first = bound(first, 0, staked);
        second = bound(second, 0, staked);
        vm.prank(ALICE);
        _staking.stake(staked);
        _staking.lock(ALICE, first);
        if (second > staked - first) {
            vm.expectRevert(
                abi.encodeWithSelector(IStaking.StakingInsufficientFreeStake.selector, ALICE, staked - first, second)
            );
            _staking.lock(ALICE, second);
        } else {
            _staking.lock(ALICE, second);
            assertEq(_staking.freeStakeOf(ALICE), staked - first - second, "free");
            _staking.unlock(ALICE, first + second);
            assertEq(_staking.lockedOf(ALICE), 0, "unlocked");
        }
    }
}

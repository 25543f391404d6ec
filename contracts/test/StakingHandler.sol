// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;
// solhint-disable no-empty-blocks, private-vars-leading-underscore, named-parameters-mapping, max-line-length
// Test-only handler: reverting protocol calls are expected and skipped (try/catch with empty catch).

import {CommonweightToken} from "../token/CommonweightToken.sol";
import {Staking} from "../staking/Staking.sol";

interface IVmLite {
    function prank(address msgSender) external;
    function warp(uint256 newTimestamp) external;
}

/// @title StakingHandler
/// @notice Test-only invariant handler: random stake, unstake, withdraw, lock, unlock and slash over a few actors,
/// with ghost totals of deposits, withdrawals and slashes. Holds LOCKER_ROLE and SLASHER_ROLE.
contract StakingHandler {
    IVmLite private constant VM = IVmLite(0x7109709ECfa91a80626fF3989D68f67F5b1DD12D);
    CommonweightToken public immutable token;
    Staking public immutable staking;
    address[] public actors;
    uint256 public ghostDeposits;
    uint256 public ghostWithdrawals;
    uint256 public ghostSlashed;

    constructor(CommonweightToken token_, Staking staking_, address[] memory actors_) {
        token = token_;
        staking = staking_;
        actors = actors_;
    }

    function actorCount() external view returns (uint256) {
        return actors.length;
    }

    function stake(uint256 actorSeed, uint256 amount) external {
        address actor = _actor(actorSeed);
        amount = _bound(amount, 1, token.balanceOf(actor));
        if (token.balanceOf(actor) == 0) return;
        VM.prank(actor);
        staking.stake(amount);
        ghostDeposits += amount;
    }

    function requestUnstake(uint256 actorSeed, uint256 amount) external {
        address actor = _actor(actorSeed);
        uint256 free = staking.freeStakeOf(actor);
        if (free == 0) return;
        VM.prank(actor);
        staking.requestUnstake(_bound(amount, 1, free));
    }

    function withdraw(uint256 actorSeed) external {
        address actor = _actor(actorSeed);
        if (staking.unbondingOf(actor).amount == 0) return;
        VM.warp(block.timestamp + staking.unbondingDelay());
        VM.prank(actor);
        ghostWithdrawals += staking.withdraw();
    }

    function lock(uint256 actorSeed, uint256 amount) external {
        address actor = _actor(actorSeed);
        uint256 free = staking.freeStakeOf(actor);
        if (free == 0) return;
        staking.lock(actor, _bound(amount, 1, free));
    }

    function unlock(uint256 actorSeed, uint256 amount) external {
        address actor = _actor(actorSeed);
        uint256 locked = staking.lockedOf(actor);
        if (locked == 0) return;
        staking.unlock(actor, _bound(amount, 1, locked));
    }

    function slash(uint256 actorSeed, uint256 amount) external {
        address actor = _actor(actorSeed);
        uint256 locked = staking.lockedOf(actor);
        if (locked == 0) return;
        amount = _bound(amount, 1, locked);
        staking.slash(actor, amount, "fuzz");
        ghostSlashed += amount;
    }

    function _actor(uint256 seed) private view returns (address) {
        return actors[seed % actors.length];
    }

    function _bound(uint256 x, uint256 min, uint256 max) private pure returns (uint256) {
        if (max < min) return min;
        return min + (x % (max - min + 1));
    }
}

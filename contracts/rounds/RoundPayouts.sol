// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {BitMaps} from "@openzeppelin/contracts/utils/structs/BitMaps.sol";

import {IModelPolicyRegistry} from "../interfaces/IModelPolicyRegistry.sol";
import {IRounds} from "../interfaces/IRounds.sol";
import {ResultTrees} from "../libraries/ResultTrees.sol";
import {RoundsStorage} from "./RoundsStorage.sol";

/**
 * @title RoundPayouts
 * @notice Money out of {Rounds}: contributor claims with a Merkle proof, operator shares, and the sweep that settles
 * an ended round's escrow (treasury share and remainder, or the refund of a failed round).
 * @dev Claimed flags are OpenZeppelin BitMaps keyed by `uint160(account)`: a StandardMerkleTree proof carries no
 * leaf index, and a tree has at most one leaf per account, so "one claim per account" is "one claim per leaf".
 * Every payout writes its flag and totals and emits before the transfer (checks-effects-interactions) under the
 * transient reentrancy guard.
 */
abstract contract RoundPayouts is RoundsStorage, ReentrancyGuardTransient {
    using BitMaps for BitMaps.BitMap;
    using SafeERC20 for IERC20;

    /// @inheritdoc IRounds
    function claim(
        uint256 roundId,
        address account,
        uint256 amount,
        bytes32[] calldata proof
    ) external nonReentrant {
        RoundState storage r = _requireStatus(roundId, _FINALIZED_STATES);
        _requireWindow(roundId, r.challengeEnd, r.claimEnd);
        BitMaps.BitMap storage claimed = _claimed[roundId];
        if (claimed.get(uint160(account))) revert RoundsAlreadyClaimed(roundId, account);
        if (!MerkleProof.verifyCalldata(proof, r.rewardsRoot, ResultTrees.rewardLeaf(account, amount))) {
            revert RoundsInvalidProof(roundId, account);
        }
        claimed.set(uint160(account));
        uint256 claimedRewards = r.claimedRewards;
        uint256 remaining = r.totalRewards - claimedRewards;
        if (amount > remaining) revert RoundsClaimExceedsTotal(roundId, amount, remaining);
        // Cannot truncate: claimedRewards + amount <= totalRewards, a uint128.
        r.claimedRewards = uint128(claimedRewards + amount);
        emit RewardClaimed(roundId, account, amount);
        r.rewardToken.safeTransfer(account, amount);
    }

    /// @inheritdoc IRounds
    function claimOperatorReward(uint256 roundId, address operator) external nonReentrant {
        RoundState storage r = _requireStatus(roundId, _FINALIZED_STATES);
        _requireWindow(roundId, r.challengeEnd, r.claimEnd);
        BitMaps.BitMap storage paid = _operatorPaid[roundId];
        if (
            _attestations[roundId][operator] != r.resultDigest || paid.get(uint160(operator))
                || _equivocated[roundId].get(uint160(operator))
        ) {
            revert RoundsNoOperatorReward(roundId, operator);
        }
        paid.set(uint160(operator));
        // At most attesterCount operators attested the final digest (counting stops at finalization, and a voided
        // digest can never finalize again), so shares fit the pool; the check below makes that explicit.
        uint256 amount = r.operatorShare;
        uint256 claimedSoFar = r.operatorClaimed;
        if (claimedSoFar + amount > r.operatorPool) revert RoundsNoOperatorReward(roundId, operator);
        // Cannot truncate: at most operatorPool, a uint128.
        r.operatorClaimed = uint128(claimedSoFar + amount);
        emit OperatorRewardClaimed(roundId, operator, amount);
        r.rewardToken.safeTransfer(operator, amount);
    }

    /// @inheritdoc IRounds
    function sweep(uint256 roundId) external nonReentrant {
        RoundState storage r = _requireStatus(roundId, _ENDED_STATES);
        _requireWindow(roundId, r.claimEnd, _FOREVER);
        address treasury = _staking.treasury();
        address remainderRecipient = r.sponsor;
        if (r.status == RoundStatus.Finalized) {
            IModelPolicyRegistry.Policy memory p = _policies.policy(r.policyVersion);
            if (p.remainderTo == IModelPolicyRegistry.RemainderDestination.Treasury) remainderRecipient = treasury;
        }
        if (!r.swept) {
            r.swept = true;
            uint256 treasuryAmount;
            uint256 remainder;
            if (r.status == RoundStatus.Failed) {
                remainder = r.funded;
            } else {
                treasuryAmount = r.funded - r.rewardPool - r.operatorPool;
                remainder = r.funded - r.claimedRewards - r.operatorClaimed - treasuryAmount;
            }
            // Cannot truncate: both are at most funded, a uint128.
            r.treasuryOwed = uint128(treasuryAmount);
            r.remainderOwed = uint128(remainder);
            emit RoundSwept(roundId, treasury, treasuryAmount, remainderRecipient, remainder);
        } else if (r.treasuryOwed == 0 && r.remainderOwed == 0) {
            revert RoundsAlreadySwept(roundId);
        }
        // Independent transfers: a recipient whose transfer fails (a blocklisting token) strands only its own part.
        IERC20 token = r.rewardToken;
        uint256 owed = r.treasuryOwed;
        if (owed > 0) {
            r.treasuryOwed = 0;
            if (!token.trySafeTransfer(treasury, owed)) {
                r.treasuryOwed = uint128(owed);
                emit SweepTransferFailed(roundId, treasury, owed);
            }
        }
        owed = r.remainderOwed;
        if (owed > 0) {
            r.remainderOwed = 0;
            if (!token.trySafeTransfer(remainderRecipient, owed)) {
                r.remainderOwed = uint128(owed);
                emit SweepTransferFailed(roundId, remainderRecipient, owed);
            }
        }
    }
}

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Time} from "@openzeppelin/contracts/utils/types/Time.sol";

import {IModelPolicyRegistry} from "../interfaces/IModelPolicyRegistry.sol";
import {IModelRegistry} from "../interfaces/IModelRegistry.sol";
import {IOracleRegistry} from "../interfaces/IOracleRegistry.sol";
import {IRounds} from "../interfaces/IRounds.sol";
import {IStaking} from "../interfaces/IStaking.sol";
import {RoundAttestations} from "./RoundAttestations.sol";
import {RoundContributions} from "./RoundContributions.sol";
import {RoundDisputes} from "./RoundDisputes.sol";
import {RoundPayouts} from "./RoundPayouts.sol";
import {RoundsStorage} from "./RoundsStorage.sol";

/**
 * @title Rounds
 * @notice Training rounds: escrow, commit-reveal, close, k-of-n finalization, Merkle claims, refunds and slashing
 * (see {IRounds}). This file holds the round transitions `open`, `close` and `markFailed`; the other parts are
 * {RoundContributions}, {RoundAttestations} and {RoundPayouts}.
 * @dev Trust model: anyone opens (and funds) a round, commits, reveals, closes, fails a timed-out round, relays
 * attestations, disputes and claims; only k operators eligible under the round's snapshot settle a result, and only
 * the resolver (the timelock) resolves disputes. Needs `LOCKER_ROLE` and `SLASHER_ROLE` on staking, `APPENDER_ROLE`
 * on the model registry and `SLASHER_ROLE` on the oracle registry. Holds no admin role.
 * @custom:invariant Per round: claimedRewards <= totalRewards <= rewardPool, operatorClaimed <= operatorPool, and
 * claimed + operator + treasury payouts <= funded; the token balance of this contract covers every round's
 * outstanding escrow plus the dispute bonds it holds.
 * @custom:invariant Each (round, account) reward leaf is paid at most once.
 * @custom:invariant A round's result is set at most once, and only by k distinct eligible operators' signatures.
 * @custom:invariant A round never leaves Finalized or Failed, and every Closed round can reach one of them.
 */
contract Rounds is RoundContributions, RoundAttestations, RoundPayouts, RoundDisputes {
    using SafeCast for uint256;
    using SafeERC20 for IERC20;

    /// @param staking_ Staking (stake locks, slashing, treasury).
    /// @param oracles_ Oracle registry (operator set and threshold).
    /// @param policies_ Policy registry.
    /// @param models_ Model registry.
    /// @param resolver_ The only address that resolves disputes (the timelock).
    constructor(
        IStaking staking_,
        IOracleRegistry oracles_,
        IModelPolicyRegistry policies_,
        IModelRegistry models_,
        address resolver_
    )
        RoundsStorage(staking_, oracles_, policies_, models_)
        RoundDisputes(resolver_)
        EIP712("Commonweight Rounds", "1")
    {}

    /// @inheritdoc IRounds
    function open(IERC20 rewardToken, uint256 budget) external nonReentrant returns (uint256 roundId) {
        uint256 baseModelVersion = _models.latestVersion();
        if (baseModelVersion == 0) revert RoundsNoBaseModel();
        // Interaction first to credit only what arrived (fee-on-transfer tokens); guarded by nonReentrant.
        uint256 balanceBefore = rewardToken.balanceOf(address(this));
        rewardToken.safeTransferFrom(msg.sender, address(this), budget);
        uint256 funded = rewardToken.balanceOf(address(this)) - balanceBefore;
        if (funded == 0) revert RoundsZeroBudget();

        uint256 policyVersion = _policies.currentVersion();
        IModelPolicyRegistry.Policy memory p = _policies.policy(policyVersion);
        roundId = ++_roundCount;
        RoundState storage r = _rounds[roundId];
        r.sponsor = msg.sender;
        r.policyVersion = policyVersion.toUint32();
        r.baseModelVersion = baseModelVersion.toUint32();
        r.status = RoundStatus.Open;
        r.rewardToken = rewardToken;
        _setSchedule(r, p);
        r.funded = funded.toUint128();
        r.contributorStake = p.minContributorStake;
        // Cannot truncate: each share is at most funded, a uint128.
        r.rewardPool = uint128((funded * p.contributorsBps) / _BPS_DENOMINATOR);
        r.operatorPool = uint128((funded * p.operatorsBps) / _BPS_DENOMINATOR);
        r.slashBps = p.slashBps;
        _snapshotQuorum(r, p);
        r.disputeBond = p.disputeBond;
        _emitOpened(roundId, r, baseModelVersion);
    }

    /// @inheritdoc IRounds
    function close(uint256 roundId) external {
        RoundState storage r = _requireStatus(roundId, _OPEN_STATES);
        _requireWindow(roundId, r.revealEnd, _FOREVER);
        r.status = RoundStatus.Closed;
        emit RoundClosed(roundId, r.commitCount, r.revealCount, r.revealsHash, block.timestamp);
        if (r.revealCount < _policies.policy(r.policyVersion).minContributors) {
            _fail(r, roundId, FailureReason.TooFewReveals, bytes32(0), bytes32(0));
        }
    }

    /// @inheritdoc IRounds
    function markFailed(uint256 roundId) external {
        RoundState storage r = _requireStatus(roundId, _CLOSED_STATES);
        _requireWindow(roundId, r.attestDeadline, _FOREVER);
        _fail(r, roundId, FailureReason.NoQuorum, bytes32(0), bytes32(0));
    }

    /// @dev Snapshots the quorum (k, the eligibility time, the minimum operator stake, the wrong-result rate) and
    /// refuses a round whose pools exceed what a corrupt quorum would lose.
    function _snapshotQuorum(RoundState storage r, IModelPolicyRegistry.Policy memory p) private {
        uint256 k = _oracles.threshold();
        // Cannot truncate: k <= OracleRegistry.MAX_THRESHOLD (64).
        r.threshold = uint8(k);
        r.eligibleAt = Time.timestamp();
        r.operatorStake = p.minOperatorStake;
        r.wrongResultBps = p.wrongResultBps;
        uint256 atRisk = uint256(r.rewardPool) + r.operatorPool;
        uint256 coverage = (k * p.minOperatorStake * p.wrongResultBps) / _BPS_DENOMINATOR;
        if (atRisk > coverage) revert RoundsBudgetNotCovered(atRisk, coverage);
    }

    /// @dev Sets the phase ends and snapshots the windows used after the result.
    function _setSchedule(RoundState storage r, IModelPolicyRegistry.Policy memory p) private {
        uint48 nowSeconds = Time.timestamp();
        uint48 commitEnd = nowSeconds + p.commitWindowSeconds;
        uint48 revealEnd = commitEnd + p.revealWindowSeconds;
        r.openedAt = nowSeconds;
        r.commitEnd = commitEnd;
        r.revealEnd = revealEnd;
        r.attestDeadline = revealEnd + p.attestWindowSeconds;
        r.challengeWindowSeconds = p.challengeWindowSeconds;
        r.claimWindowSeconds = p.claimWindowSeconds;
    }

    function _emitOpened(uint256 roundId, RoundState storage r, uint256 baseModelVersion) private {
        emit RoundOpened(
            roundId,
            r.sponsor,
            r.rewardToken,
            r.funded,
            r.rewardPool,
            r.policyVersion,
            baseModelVersion,
            _models.modelVersion(baseModelVersion).modelHash,
            r.commitEnd,
            r.revealEnd,
            r.attestDeadline
        );
    }
}

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {BitMaps} from "@openzeppelin/contracts/utils/structs/BitMaps.sol";
import {Time} from "@openzeppelin/contracts/utils/types/Time.sol";

import {IModelPolicyRegistry} from "../interfaces/IModelPolicyRegistry.sol";
import {IModelRegistry} from "../interfaces/IModelRegistry.sol";
import {IOracleRegistry} from "../interfaces/IOracleRegistry.sol";
import {IRounds} from "../interfaces/IRounds.sol";
import {IStaking} from "../interfaces/IStaking.sol";

/**
 * @title RoundsStorage
 * @notice State, the status guard and the read functions shared by the parts of {Rounds}.
 * @dev A contribution slot holds the commitment while committed, then {_REVEALED}, then {_SETTLED} once the stake
 * was released or slashed. {commit} rejects the reserved values 0, 1 and 2, so a slot's meaning is never ambiguous.
 */
abstract contract RoundsStorage is IRounds {
    using BitMaps for BitMaps.BitMap;

    /// @dev Contribution slot of a contributor that revealed and still has its round stake locked.
    bytes32 internal constant _REVEALED = bytes32(uint256(1));
    /// @dev Contribution slot of a contributor whose round stake was released or slashed.
    bytes32 internal constant _SETTLED = bytes32(uint256(2));
    /// @dev Reason code of {ContributorSlashed} for a non-revealer.
    uint8 internal constant _REASON_NON_REVEAL = 0;
    /// @dev Highest invalid-update reason code (1 unavailable, 2 hash-mismatch, 3 malformed, 4 norm).
    uint8 internal constant _MAX_INVALID_REASON = 4;
    /// @dev Basis-point denominator.
    uint256 internal constant _BPS_DENOMINATOR = 10_000;
    /// @dev Status bitmap: Open.
    bytes32 internal constant _OPEN_STATES = bytes32(uint256(1) << uint8(RoundStatus.Open));
    /// @dev Status bitmap: Closed.
    bytes32 internal constant _CLOSED_STATES = bytes32(uint256(1) << uint8(RoundStatus.Closed));
    /// @dev Status bitmap: Finalized.
    bytes32 internal constant _FINALIZED_STATES = bytes32(uint256(1) << uint8(RoundStatus.Finalized));
    /// @dev Status bitmap: Finalized or Failed.
    bytes32 internal constant _ENDED_STATES =
        bytes32((uint256(1) << uint8(RoundStatus.Finalized)) | (uint256(1) << uint8(RoundStatus.Failed)));
    /// @dev Status bitmap: Closed, Finalized or Failed.
    bytes32 internal constant _CLOSED_OR_ENDED_STATES = _ENDED_STATES | _CLOSED_STATES;
    /// @dev Status bitmap: Disputed.
    bytes32 internal constant _DISPUTED_STATES = bytes32(uint256(1) << uint8(RoundStatus.Disputed));
    /// @dev Attestation count marking a result digest voided by an upheld dispute (never reached by counting).
    uint256 internal constant _VOIDED_COUNT = 1 << 255;
    /// @dev End of windows that never close.
    uint256 internal constant _FOREVER = type(uint48).max;

    /// @dev Storage form of {IRounds-Round}: the same fields, packed by access pattern instead of by the public field
    /// order, so each hot path touches few slots (7 slots + 4 hashes, as before). {round} converts it.
    /// Slot A (claim, status guard, finalize): rewardToken, status, claimEnd, claimWindowSeconds, attesterCount.
    /// Slot B (open, close, finalize, sweep): sponsor, policyVersion, baseModelVersion, swept.
    /// Slot C (commit, reveal, attest): the phase ends and the commit and reveal counters.
    /// Slot D (settlement, attest, finalize): contributorStake, challengeEnd, challengeWindowSeconds, slashBps and
    /// the quorum's threshold and wrong-result rate.
    /// Slots E-G: funded and rewardPool; operatorPool and operatorClaimed; totalRewards and claimedRewards.
    /// Slot H (attest): the quorum snapshot's time and minimum stake, the model version. Slot I: dispute bond and
    /// operator share. Slot J: sweep amounts still owed.
    struct RoundState {
        // slot A
        IERC20 rewardToken;
        RoundStatus status;
        uint48 claimEnd;
        uint32 claimWindowSeconds;
        uint8 attesterCount;
        // slot B
        address sponsor;
        uint32 policyVersion;
        uint32 baseModelVersion;
        bool swept;
        // slot C
        uint48 openedAt;
        uint48 commitEnd;
        uint48 revealEnd;
        uint48 attestDeadline;
        uint32 commitCount;
        uint32 revealCount;
        // slot D
        uint128 contributorStake;
        uint48 challengeEnd;
        uint32 challengeWindowSeconds;
        uint16 slashBps;
        uint8 threshold;
        uint16 wrongResultBps;
        // slot E
        uint128 funded;
        uint128 rewardPool;
        // slot F
        uint128 operatorPool;
        uint128 operatorClaimed;
        // slot G
        uint128 totalRewards;
        uint128 claimedRewards;
        // slot H
        uint128 operatorStake;
        uint48 eligibleAt;
        uint32 modelVersion;
        // slot I
        uint128 disputeBond;
        uint128 operatorShare;
        // slot J
        uint128 treasuryOwed;
        uint128 remainderOwed;
        bytes32 revealsHash;
        bytes32 rewardsRoot;
        bytes32 invalidRoot;
        bytes32 resultDigest;
    }

    IStaking internal immutable _staking;
    IOracleRegistry internal immutable _oracles;
    IModelPolicyRegistry internal immutable _policies;
    IModelRegistry internal immutable _models;

    uint256 internal _roundCount;
    mapping(uint256 roundId => RoundState state) internal _rounds;
    mapping(uint256 roundId => mapping(address account => bytes32 slot)) internal _contributions;
    mapping(uint256 roundId => BitMaps.BitMap claimedAccounts) internal _claimed;
    mapping(uint256 roundId => BitMaps.BitMap paidOperators) internal _operatorPaid;
    mapping(uint256 roundId => mapping(address operator => bytes32 digest)) internal _attestations;
    mapping(uint256 roundId => mapping(bytes32 digest => uint256 count)) internal _attestationCounts;
    mapping(uint256 roundId => BitMaps.BitMap equivocators) internal _equivocated;
    mapping(uint256 roundId => Dispute latest) internal _disputes;
    /// @dev Dispute bonds held (staking token), counted for solvency.
    uint256 internal _bondsHeld;

    constructor(IStaking staking_, IOracleRegistry oracles_, IModelPolicyRegistry policies_, IModelRegistry models_) {
        _staking = staking_;
        _oracles = oracles_;
        _policies = policies_;
        _models = models_;
    }

    /// @inheritdoc IRounds
    function round(uint256 roundId) external view returns (Round memory out) {
        RoundState storage r = _rounds[roundId];
        out.sponsor = r.sponsor;
        out.policyVersion = r.policyVersion;
        out.baseModelVersion = r.baseModelVersion;
        out.status = r.status;
        out.attesterCount = r.attesterCount;
        out.swept = r.swept;
        out.rewardToken = r.rewardToken;
        out.openedAt = r.openedAt;
        out.commitEnd = r.commitEnd;
        out.revealEnd = r.revealEnd;
        out.attestDeadline = r.attestDeadline;
        out.challengeEnd = r.challengeEnd;
        out.claimEnd = r.claimEnd;
        out.commitCount = r.commitCount;
        out.revealCount = r.revealCount;
        out.funded = r.funded;
        out.contributorStake = r.contributorStake;
        out.rewardPool = r.rewardPool;
        out.operatorPool = r.operatorPool;
        out.totalRewards = r.totalRewards;
        out.claimedRewards = r.claimedRewards;
        out.operatorClaimed = r.operatorClaimed;
        out.challengeWindowSeconds = r.challengeWindowSeconds;
        out.claimWindowSeconds = r.claimWindowSeconds;
        out.slashBps = r.slashBps;
        out.revealsHash = r.revealsHash;
        out.rewardsRoot = r.rewardsRoot;
        out.invalidRoot = r.invalidRoot;
        out.resultDigest = r.resultDigest;
        out.threshold = r.threshold;
        out.eligibleAt = r.eligibleAt;
        out.operatorStake = r.operatorStake;
        out.wrongResultBps = r.wrongResultBps;
        out.disputeBond = r.disputeBond;
        out.operatorShare = r.operatorShare;
        out.modelVersion = r.modelVersion;
    }

    /// @inheritdoc IRounds
    function disputeOf(uint256 roundId) external view returns (Dispute memory) {
        return _disputes[roundId];
    }

    /// @inheritdoc IRounds
    function roundCount() external view returns (uint256) {
        return _roundCount;
    }

    /// @inheritdoc IRounds
    function contributionOf(uint256 roundId, address account) external view returns (bytes32) {
        return _contributions[roundId][account];
    }

    /// @inheritdoc IRounds
    function isClaimed(uint256 roundId, address account) external view returns (bool) {
        return _claimed[roundId].get(uint160(account));
    }

    /// @inheritdoc IRounds
    function attestationOf(uint256 roundId, address operator) external view returns (bytes32) {
        return _attestations[roundId][operator];
    }

    /// @inheritdoc IRounds
    function attestationCount(uint256 roundId, bytes32 digest) external view returns (uint256) {
        uint256 count = _attestationCounts[roundId][digest];
        return count >= _VOIDED_COUNT ? 0 : count;
    }

    /// @inheritdoc IRounds
    function computeCommitment(
        uint256 roundId,
        address contributor,
        bytes32 updateHash,
        bytes32 salt
    ) public pure returns (bytes32) {
        return keccak256(abi.encode(roundId, contributor, updateHash, salt));
    }

    /// @dev The one status guard: returns the round if its status is in the bitmap `allowedStates`, else reverts
    /// with {RoundsUnexpectedStatus} (cf. OpenZeppelin Governor `_validateStateBitmap`).
    function _requireStatus(uint256 roundId, bytes32 allowedStates) internal view returns (RoundState storage r) {
        r = _rounds[roundId];
        RoundStatus current = r.status;
        if (bytes32(uint256(1) << uint8(current)) & allowedStates == bytes32(0)) {
            revert RoundsUnexpectedStatus(roundId, current, allowedStates);
        }
    }

    /// @dev Reverts with {RoundsOutsideWindow} unless `start <= now < end`.
    function _requireWindow(uint256 roundId, uint256 start, uint256 end) internal view {
        if (block.timestamp < start || block.timestamp >= end) revert RoundsOutsideWindow(roundId, start, end);
    }

    /// @dev Moves a closed round to Failed. Does NOT move tokens: {sweep} refunds. A signed failed result (`digest`
    /// non-zero) is challengeable: the refund and the settlement of stakes wait for its challenge window.
    function _fail(
        RoundState storage r,
        uint256 roundId,
        FailureReason reason,
        bytes32 invalidRoot,
        bytes32 digest
    ) internal {
        uint48 nowSeconds = Time.timestamp();
        r.status = RoundStatus.Failed;
        if (digest != bytes32(0)) {
            r.resultDigest = digest;
            r.invalidRoot = invalidRoot;
            r.challengeEnd = nowSeconds + r.challengeWindowSeconds;
        } else {
            r.challengeEnd = nowSeconds;
        }
        r.claimEnd = r.challengeEnd;
        emit RoundFailed(roundId, reason, invalidRoot);
    }

    /// @dev When revealers may release their lock: at the end of the challenge window without an invalid list, else
    /// one window later, so the listed contributors can be slashed first.
    function _releaseAt(RoundState storage r) internal view returns (uint256) {
        uint256 end = r.challengeEnd;
        return r.invalidRoot == bytes32(0) ? end : end + r.challengeWindowSeconds;
    }
}

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

import {IModelPolicyRegistry} from "../interfaces/IModelPolicyRegistry.sol";

/**
 * @title ModelPolicyRegistry
 * @notice The versioned model policy (see {IModelPolicyRegistry}). Versions are append-only; rounds snapshot a
 * version number at open and read that version for their whole life.
 * @dev Trust model: only the owner (the timelock, i.e. a passed governance proposal) adds versions. All bounds live in
 * {checkPolicy}, called for the genesis policy and for every new version.
 * @custom:invariant Every stored version satisfies {checkPolicy}.
 * @custom:invariant currentVersion() only grows and policy(v) never changes once written.
 */
contract ModelPolicyRegistry is IModelPolicyRegistry, Ownable {
    /// @notice Basis-point denominator.
    uint256 public constant BPS_DENOMINATOR = 10_000;
    /// @notice Highest trimmed-mean trim per side (just under half).
    uint256 public constant MAX_TRIM_BPS = 4_999;
    /// @notice Highest multi-krum `f`.
    uint256 public constant MAX_KRUM_F = 1_000;
    /// @notice log2 of the highest clip norm: `C <= 2^12` (docs/protocol.md §2).
    int256 public constant MAX_CLIP_LOG2 = 12;
    /// @notice Lowest clip exponent accepted.
    int256 public constant MIN_CLIP_EXP = -64;
    /// @notice Shortest commit, reveal, attestation or challenge window.
    uint256 public constant MIN_PHASE_SECONDS = 10 minutes;
    /// @notice Longest commit, reveal, attestation or challenge window.
    uint256 public constant MAX_PHASE_SECONDS = 30 days;
    /// @notice Shortest claim window.
    uint256 public constant MIN_CLAIM_SECONDS = 1 days;
    /// @notice Longest claim window.
    uint256 public constant MAX_CLAIM_SECONDS = 365 days;
    /// @notice Highest DP noise multiplier `z` (x1e6): z <= 1000.
    uint256 public constant MAX_DP_NOISE_MULTIPLIER_E6 = 1_000e6;
    /// @notice DP delta scale: `delta = dpDeltaE18 / 1e18 < 1`.
    uint256 public constant DP_DELTA_ONE = 1e18;

    mapping(uint256 version => Policy entry) private _policies;
    uint256 private _currentVersion;

    /// @param owner_ The owner (the timelock).
    /// @param genesis The first policy version.
    constructor(address owner_, Policy memory genesis) Ownable(owner_) {
        _append(genesis);
    }

    /// @inheritdoc IModelPolicyRegistry
    function setPolicy(Policy calldata newPolicy) external onlyOwner returns (uint256 version) {
        return _append(newPolicy);
    }

    /// @inheritdoc IModelPolicyRegistry
    function currentVersion() external view returns (uint256) {
        return _currentVersion;
    }

    /// @inheritdoc IModelPolicyRegistry
    function policy(uint256 version) external view returns (Policy memory) {
        if (version == 0 || version > _currentVersion) revert PolicyUnknownVersion(version, _currentVersion);
        return _policies[version];
    }

    /// @inheritdoc IModelPolicyRegistry
    function currentPolicy() external view returns (Policy memory) {
        return _policies[_currentVersion];
    }

    /// @inheritdoc IModelPolicyRegistry
    function checkPolicy(Policy memory p) public pure {
        _checkRange(PolicyField.TrimBps, int256(uint256(p.trimBps)), 0, int256(MAX_TRIM_BPS));
        _checkRange(PolicyField.KrumF, int256(uint256(p.krumF)), 0, int256(MAX_KRUM_F));
        _checkRange(PolicyField.MaxSampleWeight, int256(uint256(p.maxSampleWeight)), 1, type(int64).max);
        _checkRange(PolicyField.ClipExp, int256(p.clipExp), MIN_CLIP_EXP, MAX_CLIP_LOG2);
        // C = m * 2^e <= 2^12  <=>  m <= 2^(12 - e); 12 - e is in [0, 76], so the shift cannot overflow.
        int256 maxMantissa = int256(_min(uint256(1) << uint256(MAX_CLIP_LOG2 - p.clipExp), type(uint64).max));
        _checkRange(PolicyField.ClipMantissa, int256(uint256(p.clipMantissa)), 1, maxMantissa);
        int256 minContributors = p.rule == AggregationRule.MultiKrum ? 2 * int256(uint256(p.krumF)) + 3 : int256(1);
        _checkRange(PolicyField.MinContributors, int256(uint256(p.minContributors)), minContributors, type(int32).max);
        _checkPhase(PolicyField.CommitWindowSeconds, p.commitWindowSeconds);
        _checkPhase(PolicyField.RevealWindowSeconds, p.revealWindowSeconds);
        _checkPhase(PolicyField.AttestWindowSeconds, p.attestWindowSeconds);
        _checkPhase(PolicyField.ChallengeWindowSeconds, p.challengeWindowSeconds);
        _checkRange(
            PolicyField.ClaimWindowSeconds,
            int256(uint256(p.claimWindowSeconds)),
            int256(MIN_CLAIM_SECONDS),
            int256(MAX_CLAIM_SECONDS)
        );
        _checkRange(PolicyField.MinContributorStake, int256(uint256(p.minContributorStake)), 1, type(int128).max);
        _checkRange(PolicyField.MinOperatorStake, int256(uint256(p.minOperatorStake)), 1, type(int128).max);
        _checkRange(PolicyField.SlashBps, int256(uint256(p.slashBps)), 0, int256(BPS_DENOMINATOR));
        uint256 sumBps = uint256(p.contributorsBps) + p.operatorsBps + p.treasuryBps;
        if (sumBps != BPS_DENOMINATOR) revert PolicyRewardSplitInvalid(sumBps);
        _checkRange(PolicyField.DpClipNormE6, int256(uint256(p.dpClipNormE6)), 1, type(int64).max);
        _checkRange(
            PolicyField.DpNoiseMultiplierE6,
            int256(uint256(p.dpNoiseMultiplierE6)),
            0,
            int256(MAX_DP_NOISE_MULTIPLIER_E6)
        );
        _checkRange(PolicyField.DpDeltaE18, int256(uint256(p.dpDeltaE18)), 1, int256(DP_DELTA_ONE - 1));
        _checkRange(PolicyField.DisputeBond, int256(uint256(p.disputeBond)), 1, type(int128).max);
        _checkRange(
            PolicyField.WrongResultBps,
            int256(uint256(p.wrongResultBps)),
            int256(uint256(p.slashBps)),
            int256(BPS_DENOMINATOR)
        );
    }

    function _append(Policy memory newPolicy) private returns (uint256 version) {
        checkPolicy(newPolicy);
        uint256 oldVersion = _currentVersion;
        version = oldVersion + 1;
        _policies[version] = newPolicy;
        _currentVersion = version;
        emit ModelPolicyUpdated(oldVersion, version, newPolicy);
    }

    function _checkPhase(PolicyField field, uint32 seconds_) private pure {
        _checkRange(field, int256(uint256(seconds_)), int256(MIN_PHASE_SECONDS), int256(MAX_PHASE_SECONDS));
    }

    function _checkRange(PolicyField field, int256 value, int256 min, int256 max) private pure {
        if (value < min || value > max) revert PolicyFieldOutOfBounds(field, value, min, max);
    }

    function _min(uint256 a, uint256 b) private pure returns (uint256) {
        return a < b ? a : b;
    }
}

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * @title IModelPolicyRegistry
 * @notice The versioned model policy: the aggregation parameters of docs/protocol.md §2, the differential-privacy
 * parameters contributors must apply (§1.2), round windows, minimum stakes, slash rate and reward split. Every version
 * is kept, so a round snapshots one version at open and a later vote never changes a running round. Only the owner
 * (the timelock) adds versions; every field is bounds-checked in one place, {checkPolicy}.
 */
interface IModelPolicyRegistry {
    /// @notice Aggregation rule, docs/protocol.md §3 (`fedavg`, `median`, `trimmed-mean`, `multi-krum`).
    enum AggregationRule {
        FedAvg,
        Median,
        TrimmedMean,
        MultiKrum
    }

    /// @notice Contributor weighting, docs/protocol.md §3 (`uniform`, `samples`).
    enum Weighting {
        Uniform,
        Samples
    }

    /// @notice Where a round's unclaimed rewards and dust go after its claim window.
    enum RemainderDestination {
        Treasury,
        Sponsor
    }

    /// @notice Names a policy field in {PolicyFieldOutOfBounds}.
    enum PolicyField {
        TrimBps,
        KrumF,
        MaxSampleWeight,
        ClipMantissa,
        ClipExp,
        MinContributors,
        CommitWindowSeconds,
        RevealWindowSeconds,
        AttestWindowSeconds,
        ChallengeWindowSeconds,
        ClaimWindowSeconds,
        MinContributorStake,
        MinOperatorStake,
        SlashBps,
        DpClipNormE6,
        DpNoiseMultiplierE6,
        DpDeltaE18,
        DisputeBond,
        WrongResultBps
    }

    /**
     * @notice One policy version.
     * @param rule Aggregation rule.
     * @param trimBps Trimmed-mean trim per side in basis points, `0..4999`.
     * @param krumF Multi-krum `f`.
     * @param weighting Contributor weighting.
     * @param maxSampleWeight Cap of the `samples` weight, `>= 1`.
     * @param clipMantissa Clip norm mantissa, `>= 1`: `C = clipMantissa * 2^clipExp <= 2^12`.
     * @param clipExp Clip norm binary exponent (signed), `-64..12`.
     * @param minContributors Fewer valid updates fail the round, `>= 1` (`>= 2 * krumF + 3` for multi-krum).
     * @param commitWindowSeconds Commit phase length.
     * @param revealWindowSeconds Reveal phase length.
     * @param attestWindowSeconds Time after the reveal phase in which k operators must attest.
     * @param challengeWindowSeconds Time after a signed result in which anyone may dispute it (`10 min..30 days`);
     * claims, operator shares and invalid-contributor slashing open after it, and revealers may unlock their stake
     * one more window later (so invalid contributors can be slashed before they could leave).
     * @param claimWindowSeconds Time after finalization in which rewards can be claimed.
     * @param minContributorStake Stake locked per commit (token base units), `> 0`.
     * @param minOperatorStake Stake locked while an operator is registered, `> 0`.
     * @param slashBps Share of a lock slashed for a fault (a contributor's, or an operator's equivocation).
     * @param contributorsBps Budget share of contributors (the docs/protocol.md §2 `rewardPool`).
     * @param operatorsBps Budget share split equally by the k attesting operators.
     * @param treasuryBps Budget share of the treasury; the three shares sum to 10000.
     * @param dpClipNormE6 DP clip norm `Cdp` times 1e6, `> 0`.
     * @param dpNoiseMultiplierE6 DP noise multiplier `z` times 1e6.
     * @param dpDeltaE18 DP `delta` times 1e18, in `(0, 1e18)`.
     * @param remainderTo Destination of unclaimed rewards and dust.
     * @param disputeBond Staking-token bond a challenger posts to dispute a result, `> 0`.
     * @param wrongResultBps Share of an operator's lock slashed when a dispute of a result it signed is upheld,
     * `slashBps..10000`. A round's contributor and operator pools may not exceed `k * minOperatorStake *
     * wrongResultBps / 10000` (what a corrupt quorum would lose).
     */
    struct Policy {
        AggregationRule rule;
        uint16 trimBps;
        uint16 krumF;
        Weighting weighting;
        uint32 maxSampleWeight;
        uint64 clipMantissa;
        int16 clipExp;
        uint32 minContributors;
        uint32 commitWindowSeconds;
        uint32 revealWindowSeconds;
        uint32 attestWindowSeconds;
        uint32 challengeWindowSeconds;
        uint32 claimWindowSeconds;
        uint128 minContributorStake;
        uint128 minOperatorStake;
        uint16 slashBps;
        uint16 contributorsBps;
        uint16 operatorsBps;
        uint16 treasuryBps;
        uint64 dpClipNormE6;
        uint64 dpNoiseMultiplierE6;
        uint64 dpDeltaE18;
        RemainderDestination remainderTo;
        uint128 disputeBond;
        uint16 wrongResultBps;
    }

    /// @notice `field` has `value`, outside `[min, max]`.
    /// @param field The offending field.
    /// @param value Its value.
    /// @param min Lowest allowed value.
    /// @param max Highest allowed value.
    error PolicyFieldOutOfBounds(PolicyField field, int256 value, int256 min, int256 max);
    /// @notice The reward split sums to `sumBps` instead of 10000.
    /// @param sumBps `contributorsBps + operatorsBps + treasuryBps`.
    error PolicyRewardSplitInvalid(uint256 sumBps);
    /// @notice Policy `version` does not exist; versions are `1..latest`.
    /// @param version The version asked for.
    /// @param latest The latest version.
    error PolicyUnknownVersion(uint256 version, uint256 latest);

    /// @notice The current policy moved from `oldVersion` to `newVersion` (0 for the genesis version).
    /// @param oldVersion Previous current version.
    /// @param newVersion New current version.
    /// @param policy The new policy.
    event ModelPolicyUpdated(uint256 indexed oldVersion, uint256 indexed newVersion, Policy policy);

    /// @notice Adds `policy` as the new current version. Only the owner (the timelock).
    /// @param policy The policy, checked by {checkPolicy}.
    /// @return version The new version number.
    function setPolicy(Policy calldata policy) external returns (uint256 version);

    /// @notice Reverts with {PolicyFieldOutOfBounds} or {PolicyRewardSplitInvalid} unless `policy` is within bounds.
    /// @param policy The policy to check.
    function checkPolicy(Policy memory policy) external pure;

    /// @notice The current version number (the number of versions).
    function currentVersion() external view returns (uint256);

    /// @notice Policy `version`; reverts with {PolicyUnknownVersion} if it does not exist.
    /// @param version A version in `1..currentVersion()`.
    function policy(uint256 version) external view returns (Policy memory);

    /// @notice The current policy.
    function currentPolicy() external view returns (Policy memory);
}

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IModelPolicyRegistry} from "../../../contracts/interfaces/IModelPolicyRegistry.sol";

/// @notice Reference model of the policy bounds, written independently of `ModelPolicyRegistry.checkPolicy` (from
/// docs/protocol.md §1.2, §2 and the issue), so fuzz and invariant tests catch a bound that the registry drops or moves.
library PolicyBounds {
    uint256 internal constant DAY = 1 days;

    /// @notice Whether every field of `p` is within its bounds.
    function withinBounds(IModelPolicyRegistry.Policy memory p) internal pure returns (bool) {
        return robustOk(p) && clipOk(p) && windowsOk(p) && moneyOk(p) && dpOk(p);
    }

    /// @notice Aggregation: trim < 50%, krum f <= 1000, weights >= 1, enough contributors for multi-krum (n >= 2f+3).
    function robustOk(IModelPolicyRegistry.Policy memory p) internal pure returns (bool) {
        uint256 minN = p.rule == IModelPolicyRegistry.AggregationRule.MultiKrum ? 2 * uint256(p.krumF) + 3 : 1;
        return p.trimBps < 5_000 && p.krumF <= 1_000 && p.maxSampleWeight >= 1 && p.minContributors >= minN
            && p.minContributors <= uint256(uint32(type(int32).max));
    }

    /// @notice Clip norm C = m * 2^e with m >= 1, -64 <= e <= 12 and C <= 2^12, i.e. m * 2^(e + 64) <= 2^76.
    function clipOk(IModelPolicyRegistry.Policy memory p) internal pure returns (bool) {
        if (p.clipExp < -64 || p.clipExp > 12 || p.clipMantissa == 0) return false;
        return (uint256(p.clipMantissa) << uint256(int256(p.clipExp) + 64)) <= (uint256(1) << 76);
    }

    /// @notice Phase windows in [10 min, 30 days]; claim window in [1 day, 365 days].
    function windowsOk(IModelPolicyRegistry.Policy memory p) internal pure returns (bool) {
        return phaseOk(p.commitWindowSeconds) && phaseOk(p.revealWindowSeconds) && phaseOk(p.attestWindowSeconds)
            && phaseOk(p.challengeWindowSeconds) && p.claimWindowSeconds >= DAY && p.claimWindowSeconds <= 365 * DAY;
    }

    /// @notice Stakes in [1, 2^127 - 1], slash <= 100%, split sums to exactly 100%.
    function moneyOk(IModelPolicyRegistry.Policy memory p) internal pure returns (bool) {
        uint256 maxStake = uint256(type(uint128).max) >> 1;
        return p.minContributorStake >= 1 && p.minContributorStake <= maxStake && p.minOperatorStake >= 1
            && p.minOperatorStake <= maxStake && p.slashBps <= 10_000
            && uint256(p.contributorsBps) + p.operatorsBps + p.treasuryBps == 10_000 && p.disputeBond >= 1
            && p.disputeBond <= maxStake && p.wrongResultBps >= p.slashBps && p.wrongResultBps <= 10_000;
    }

    /// @notice DP: clip norm in [1e-6, 2^63 - 1 e-6], noise multiplier z <= 1000, 0 < delta < 1.
    function dpOk(IModelPolicyRegistry.Policy memory p) internal pure returns (bool) {
        return p.dpClipNormE6 >= 1 && p.dpClipNormE6 <= uint64(type(int64).max) && p.dpNoiseMultiplierE6 <= 1_000e6
            && p.dpDeltaE18 >= 1 && p.dpDeltaE18 < 1e18;
    }

    function phaseOk(uint32 s) internal pure returns (bool) {
        return s >= 10 minutes && s <= 30 * DAY;
    }
}

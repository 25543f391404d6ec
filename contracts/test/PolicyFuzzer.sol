// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;
// solhint-disable max-line-length, code-complexity

import {IModelPolicyRegistry} from "../interfaces/IModelPolicyRegistry.sol";

/// @title PolicyFuzzer
/// @notice Test-only: moves one field of a policy to just below, at or just above one of its bounds (or, one time in
/// eight, to a random value of its type), so fuzz and invariant runs hit both sides of every bound.
library PolicyFuzzer {
    /// @notice Number of fields `perturb` knows (one per struct field, plus a random valid reward split).
    uint256 internal constant FIELDS = 26;

    /// @notice `p` with field `field % FIELDS` moved near a bound chosen by `seed`.
    function perturb(
        IModelPolicyRegistry.Policy memory p,
        uint256 field,
        uint256 seed
    ) internal pure returns (IModelPolicyRegistry.Policy memory) {
        field %= FIELDS;
        if (field == 0) p.rule = IModelPolicyRegistry.AggregationRule(seed % 4);
        else if (field == 1) p.trimBps = uint16(_u(seed, 0, 4_999, type(uint16).max));
        else if (field == 2) p.krumF = uint16(_u(seed, 0, 1_000, type(uint16).max));
        else if (field == 3) p.weighting = IModelPolicyRegistry.Weighting(seed % 2);
        else if (field == 4) p.maxSampleWeight = uint32(_u(seed, 1, type(uint32).max, type(uint32).max));
        else if (field == 5) p.clipMantissa = uint64(_u(seed, 1, _maxMantissa(p.clipExp), type(uint64).max));
        else if (field == 6) p.clipExp = int16(_i(seed, -64, 12, type(int16).min, type(int16).max));
        else if (field == 7) p.minContributors = uint32(_u(seed, _minContributors(p), uint32(type(int32).max), type(uint32).max));
        else if (field == 8) p.commitWindowSeconds = uint32(_u(seed, 10 minutes, 30 days, type(uint32).max));
        else if (field == 9) p.revealWindowSeconds = uint32(_u(seed, 10 minutes, 30 days, type(uint32).max));
        else if (field == 10) p.attestWindowSeconds = uint32(_u(seed, 10 minutes, 30 days, type(uint32).max));
        else if (field == 11) p.challengeWindowSeconds = uint32(_u(seed, 10 minutes, 30 days, type(uint32).max));
        else if (field == 12) p.claimWindowSeconds = uint32(_u(seed, 1 days, 365 days, type(uint32).max));
        else if (field == 13) p.minContributorStake = uint128(_u(seed, 1, type(uint128).max >> 1, type(uint128).max));
        else if (field == 14) p.minOperatorStake = uint128(_u(seed, 1, type(uint128).max >> 1, type(uint128).max));
        else if (field == 15) p.slashBps = uint16(_u(seed, 0, 10_000, type(uint16).max));
        else if (field == 16) p.contributorsBps = uint16(_u(seed, 0, 10_000, type(uint16).max));
        else if (field == 17) p.operatorsBps = uint16(_u(seed, 0, 10_000, type(uint16).max));
        else if (field == 18) p.treasuryBps = uint16(_u(seed, 0, 10_000, type(uint16).max));
        else if (field == 19) p.dpClipNormE6 = uint64(_u(seed, 1, uint64(type(int64).max), type(uint64).max));
        else if (field == 20) p.dpNoiseMultiplierE6 = uint64(_u(seed, 0, 1_000e6, type(uint64).max));
        else if (field == 21) p.dpDeltaE18 = uint64(_u(seed, 1, 1e18 - 1, type(uint64).max));
        else if (field == 22) p.remainderTo = IModelPolicyRegistry.RemainderDestination(seed % 2);
        else if (field == 24) p.disputeBond = uint128(_u(seed, 1, type(uint128).max >> 1, type(uint128).max));
        else if (field == 25) p.wrongResultBps = uint16(_u(seed, p.slashBps, 10_000, type(uint16).max));
        else {
            // A random split that sums to 10000, then the treasury share nudged by -2..+2.
            p.contributorsBps = uint16(seed % 10_001);
            p.operatorsBps = uint16((seed >> 16) % (10_001 - uint256(p.contributorsBps)));
            uint256 t = 10_000 - uint256(p.contributorsBps) - p.operatorsBps;
            uint256 nudge = (seed >> 32) % 5;
            p.treasuryBps = uint16(t + nudge < 2 ? 0 : t + nudge - 2);
        }
        return p;
    }

    /// @dev Largest valid mantissa for exponent `e`: m * 2^e <= 2^12 (or 1 if `e` is out of range).
    function _maxMantissa(int16 e) private pure returns (uint256) {
        if (e < -64 || e > 12) return 1;
        uint256 m = uint256(1) << uint256(int256(76) - (int256(e) + 64));
        return m > type(uint64).max ? type(uint64).max : m;
    }

    function _minContributors(IModelPolicyRegistry.Policy memory p) private pure returns (uint256) {
        return p.rule == IModelPolicyRegistry.AggregationRule.MultiKrum ? 2 * uint256(p.krumF) + 3 : 1;
    }

    /// @dev A value near `lo` or `hi` (offset -2..+2) clamped to `[0, typeMax]`, or (1 in 8) any value of the type.
    function _u(uint256 seed, uint256 lo, uint256 hi, uint256 typeMax) private pure returns (uint256) {
        if ((seed >> 200) % 8 == 0) return typeMax == type(uint256).max ? seed : (seed >> 8) % (typeMax + 1);
        uint256 b = seed % 2 == 0 ? lo : hi;
        uint256 off = (seed >> 1) % 5;
        if (b + off < 2) return 0;
        uint256 v = b + off - 2;
        return v > typeMax ? typeMax : v;
    }

    function _i(uint256 seed, int256 lo, int256 hi, int256 typeMin, int256 typeMax) private pure returns (int256) {
        if ((seed >> 200) % 8 == 0) return typeMin + int256((seed >> 8) % uint256(typeMax - typeMin + 1));
        int256 v = (seed % 2 == 0 ? lo : hi) + int256((seed >> 1) % 5) - 2;
        return v < typeMin ? typeMin : v > typeMax ? typeMax : v;
    }
}

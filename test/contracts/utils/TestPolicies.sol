// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IModelPolicyRegistry} from "../../../contracts/interfaces/IModelPolicyRegistry.sol";

/// @notice Policies shared by the Solidity tests.
library TestPolicies {
    /// @notice fedavg, 1-hour phases, 1 contributor minimum, 80/10/10 split, 50% slash.
    function basic() internal pure returns (IModelPolicyRegistry.Policy memory p) {
        p.rule = IModelPolicyRegistry.AggregationRule.FedAvg;
        p.trimBps = 1000;
        p.krumF = 1;
        p.weighting = IModelPolicyRegistry.Weighting.Samples;
        p.maxSampleWeight = 10_000;
        p.clipMantissa = 1;
        p.clipExp = 0;
        p.minContributors = 1;
        p.commitWindowSeconds = 1 hours;
        p.revealWindowSeconds = 1 hours;
        p.attestWindowSeconds = 1 hours;
        p.challengeWindowSeconds = 1 hours;
        p.claimWindowSeconds = 1 days;
        p.minContributorStake = 100e18;
        p.minOperatorStake = 1000e18;
        p.slashBps = 5000;
        p.contributorsBps = 8000;
        p.operatorsBps = 1000;
        p.treasuryBps = 1000;
        p.dpClipNormE6 = 1e6;
        p.dpNoiseMultiplierE6 = 1.1e6;
        p.dpDeltaE18 = 1e13;
        p.remainderTo = IModelPolicyRegistry.RemainderDestination.Treasury;
        p.disputeBond = 100e18;
        p.wrongResultBps = 10_000;
    }
}

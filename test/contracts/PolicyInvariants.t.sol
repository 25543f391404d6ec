// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ModelPolicyRegistry} from "../../contracts/governance/ModelPolicyRegistry.sol";
import {PolicyHandler} from "../../contracts/test/PolicyHandler.sol";
import {Base} from "./utils/Base.t.sol";
import {PolicyBounds} from "./utils/PolicyBounds.sol";
import {TestPolicies} from "./utils/TestPolicies.sol";

/// @notice Stateful invariants of the policy registry under any sequence of governance `setPolicy` calls.
contract PolicyInvariantsTest is Base {
    PolicyHandler private _handler;
    ModelPolicyRegistry private _registry;

    function setUp() public {
        _handler = new PolicyHandler(TestPolicies.basic());
        _registry = _handler.registry();
        targetContract(address(_handler));
    }

    /// @notice The current policy (and every stored version) is within the reference bounds.
    function invariant_policyWithinBounds() public view {
        uint256 current = _registry.currentVersion();
        assertTrue(PolicyBounds.withinBounds(_registry.currentPolicy()), "current policy out of bounds");
        for (uint256 v = 1; v <= current; ++v) {
            assertTrue(PolicyBounds.withinBounds(_registry.policy(v)), "stored policy out of bounds");
        }
    }

    /// @notice Versions are append-only: one per accepted proposal, none for a rejected one.
    function invariant_versionCountsAcceptedPolicies() public view {
        assertEq(_registry.currentVersion(), 1 + _handler.ghostAccepted(), "versions");
    }
}

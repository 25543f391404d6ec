// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

import {ModelPolicyRegistry} from "../../contracts/governance/ModelPolicyRegistry.sol";
import {IModelPolicyRegistry} from "../../contracts/interfaces/IModelPolicyRegistry.sol";
import {PolicyFuzzer} from "../../contracts/test/PolicyFuzzer.sol";
import {Base} from "./utils/Base.t.sol";
import {PolicyBounds} from "./utils/PolicyBounds.sol";
import {TestPolicies} from "./utils/TestPolicies.sol";

/// @notice Fuzz tests of the policy bounds: every field around both of its bounds, against a reference model.
contract PolicyFuzzTest is Base {
    ModelPolicyRegistry private _registry;

    function setUp() public {
        _registry = new ModelPolicyRegistry(address(this), TestPolicies.basic());
    }

    /// @notice checkPolicy accepts a policy iff every field is within bounds (one field moved around a bound).
    function testFuzz_checkPolicy_acceptsIffWithinBounds(uint256 field, uint256 seed) public view {
        IModelPolicyRegistry.Policy memory p = PolicyFuzzer.perturb(TestPolicies.basic(), field, seed);
        assertEq(_accepts(p), PolicyBounds.withinBounds(p), "checkPolicy disagrees with the bounds");
    }

    /// @notice Same with two fields moved (catches bounds that depend on another field: clip, min contributors).
    function testFuzz_checkPolicy_acceptsIffWithinBoundsTwoFields(
        uint256 fieldA,
        uint256 seedA,
        uint256 fieldB,
        uint256 seedB
    ) public view {
        IModelPolicyRegistry.Policy memory p = TestPolicies.basic();
        p = PolicyFuzzer.perturb(PolicyFuzzer.perturb(p, fieldA, seedA), fieldB, seedB);
        assertEq(_accepts(p), PolicyBounds.withinBounds(p), "checkPolicy disagrees with the bounds");
    }

    /// @notice setPolicy stores exactly an accepted policy as the next version, and rejects the rest unchanged.
    function testFuzz_setPolicy_appendsIffWithinBounds(uint256 field, uint256 seed) public {
        IModelPolicyRegistry.Policy memory p = PolicyFuzzer.perturb(TestPolicies.basic(), field, seed);
        bool ok = PolicyBounds.withinBounds(p);
        try _registry.setPolicy(p) returns (uint256 version) {
            assertTrue(ok, "accepted out-of-bounds policy");
            assertEq(version, 2, "version");
            assertEq(keccak256(abi.encode(_registry.currentPolicy())), keccak256(abi.encode(p)), "stored policy");
        } catch {
            assertTrue(!ok, "rejected in-bounds policy");
            assertEq(_registry.currentVersion(), 1, "version moved");
        }
    }

    /// @notice Only the owner (the timelock) adds versions.
    function testFuzz_setPolicy_onlyOwner(address caller) public {
        vm.assume(caller != address(this));
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, caller));
        vm.prank(caller);
        _registry.setPolicy(TestPolicies.basic());
    }

    function _accepts(IModelPolicyRegistry.Policy memory p) private view returns (bool) {
        try _registry.checkPolicy(p) {
            return true;
        } catch {
            return false;
        }
    }
}

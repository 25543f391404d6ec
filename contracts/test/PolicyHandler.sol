// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;
// solhint-disable no-empty-blocks, private-vars-leading-underscore, named-parameters-mapping
// Test-only handler: rejected policies are expected and skipped (try/catch with empty catch).

import {ModelPolicyRegistry} from "../governance/ModelPolicyRegistry.sol";
import {IModelPolicyRegistry} from "../interfaces/IModelPolicyRegistry.sol";
import {PolicyFuzzer} from "./PolicyFuzzer.sol";

/// @title PolicyHandler
/// @notice Test-only invariant handler standing in for governance: owns the policy registry and proposes policies with
/// one to three fields moved around their bounds (starting from the current policy), counting what was accepted.
contract PolicyHandler {
    ModelPolicyRegistry public immutable registry;
    uint256 public ghostAccepted;
    uint256 public ghostRejected;

    constructor(IModelPolicyRegistry.Policy memory genesis) {
        registry = new ModelPolicyRegistry(address(this), genesis);
    }

    /// @notice Proposes the current policy with up to three perturbed fields.
    function setPolicy(uint256 fieldA, uint256 seedA, uint256 fieldB, uint256 seedB, uint256 fieldC) external {
        IModelPolicyRegistry.Policy memory p = registry.currentPolicy();
        p = PolicyFuzzer.perturb(p, fieldA, seedA);
        if (fieldB % 2 == 0) p = PolicyFuzzer.perturb(p, fieldB >> 1, seedB);
        if (fieldC % 3 == 0) p = PolicyFuzzer.perturb(p, fieldC >> 2, seedA ^ seedB);
        try registry.setPolicy(p) {
            ++ghostAccepted;
        } catch {
            ++ghostRejected;
        }
    }
}

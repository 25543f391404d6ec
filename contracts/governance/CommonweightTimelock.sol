// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";

/**
 * @title CommonweightTimelock
 * @notice The OpenZeppelin TimelockController, unchanged, under a project name so deployments have an artifact.
 * It owns the policy registry and holds the admin roles of staking, the oracle registry and the model registry.
 * It is also the default treasury.
 */
contract CommonweightTimelock is TimelockController {
    /// @param minDelaySeconds Minimum delay of queued operations.
    /// @param proposers Proposers and cancellers (the Governor).
    /// @param executors Executors (`address(0)` lets anyone execute).
    /// @param admin Optional bootstrap admin, `address(0)` for none.
    constructor(
        uint256 minDelaySeconds,
        address[] memory proposers,
        address[] memory executors,
        address admin
    ) TimelockController(minDelaySeconds, proposers, executors, admin) {}
}

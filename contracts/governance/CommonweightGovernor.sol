// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Governor} from "@openzeppelin/contracts/governance/Governor.sol";
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
import {GovernorCountingSimple} from "@openzeppelin/contracts/governance/extensions/GovernorCountingSimple.sol";
import {GovernorSettings} from "@openzeppelin/contracts/governance/extensions/GovernorSettings.sol";
import {GovernorTimelockControl} from "@openzeppelin/contracts/governance/extensions/GovernorTimelockControl.sol";
import {GovernorVotes} from "@openzeppelin/contracts/governance/extensions/GovernorVotes.sol";
import {
    GovernorVotesQuorumFraction
} from "@openzeppelin/contracts/governance/extensions/GovernorVotesQuorumFraction.sol";
import {IVotes} from "@openzeppelin/contracts/governance/utils/IVotes.sol";

/**
 * @title CommonweightGovernor
 * @notice The DAO: an OpenZeppelin Governor (settings, simple counting, votes, quorum fraction, timelock control)
 * whose voting power is token votes plus stake votes, both read at the proposal snapshot, on the token's timestamp
 * clock. Wallets and front ends see a standard IGovernor / ERC-6372 governor.
 * @dev Quorum is a fraction of the token's past total supply. Staked tokens are part of that supply (held by the
 * staking contract, which never delegates, so they are not counted twice) and vote through the staking contract,
 * so the quorum base is exactly the supply that can vote. No custom counting: only `_getVotes` is extended.
 * NOTE: the staking contract must use the same clock as the token (both `mode=timestamp`).
 */
contract CommonweightGovernor is
    Governor,
    GovernorSettings,
    GovernorCountingSimple,
    GovernorVotes,
    GovernorVotesQuorumFraction,
    GovernorTimelockControl
{
    IVotes private immutable _stakeVotes;

    /// @param token_ The governance token (ERC-5805, timestamp clock).
    /// @param stakeVotes_ The staking contract (ERC-5805, timestamp clock).
    /// @param timelock_ The timelock that executes proposals and owns the protocol's parameters.
    /// @param votingDelaySeconds Delay between proposal and vote start.
    /// @param votingPeriodSeconds Vote duration.
    /// @param proposalThresholdVotes Votes needed to propose.
    /// @param quorumPercent Quorum in percent of the token supply.
    constructor(
        IVotes token_,
        IVotes stakeVotes_,
        TimelockController timelock_,
        uint48 votingDelaySeconds,
        uint32 votingPeriodSeconds,
        uint256 proposalThresholdVotes,
        uint256 quorumPercent
    )
        Governor("Commonweight Governor")
        GovernorSettings(votingDelaySeconds, votingPeriodSeconds, proposalThresholdVotes)
        GovernorVotes(token_)
        GovernorVotesQuorumFraction(quorumPercent)
        GovernorTimelockControl(timelock_)
    {
        _stakeVotes = stakeVotes_;
    }

    /// @notice The staking contract whose votes are added to token votes.
    function stakeVotes() external view returns (IVotes) {
        return _stakeVotes;
    }

    /// @inheritdoc Governor
    function proposalThreshold() public view override(Governor, GovernorSettings) returns (uint256) {
        return super.proposalThreshold();
    }

    /// @inheritdoc Governor
    function state(uint256 proposalId) public view override(Governor, GovernorTimelockControl) returns (ProposalState) {
        return super.state(proposalId);
    }

    /// @inheritdoc Governor
    function proposalNeedsQueuing(
        uint256 proposalId
    ) public view override(Governor, GovernorTimelockControl) returns (bool) {
        return super.proposalNeedsQueuing(proposalId);
    }

    /// @dev Token votes plus stake votes of `account` at `timepoint` (both checkpointed, so flash-acquired tokens
    /// and stake added after the snapshot do not count).
    function _getVotes(
        address account,
        uint256 timepoint,
        bytes memory params
    ) internal view override(Governor, GovernorVotes) returns (uint256) {
        return super._getVotes(account, timepoint, params) + _stakeVotes.getPastVotes(account, timepoint);
    }

    function _queueOperations(
        uint256 proposalId,
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl) returns (uint48) {
        return super._queueOperations(proposalId, targets, values, calldatas, descriptionHash);
    }

    function _executeOperations(
        uint256 proposalId,
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl) {
        super._executeOperations(proposalId, targets, values, calldatas, descriptionHash);
    }

    function _cancel(
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl) returns (uint256) {
        return super._cancel(targets, values, calldatas, descriptionHash);
    }

    function _executor() internal view override(Governor, GovernorTimelockControl) returns (address) {
        return super._executor();
    }
}

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";

import {ResultTrees} from "../libraries/ResultTrees.sol";
import {IRounds} from "../interfaces/IRounds.sol";
import {RoundsStorage} from "./RoundsStorage.sol";

/**
 * @title RoundContributions
 * @notice Contributor side of {Rounds}: commit, reveal, and the per-account settlement of round locks (release,
 * non-reveal slashing, invalid-update slashing). Each settlement is its own permissionless call, so no transaction
 * loops over contributors.
 * @dev A revealed contributor's stake stays locked until the result can no longer be disputed (the challenge
 * window) and, when the result lists invalid contributors, one window more, in which anyone can slash them with a
 * proof against `invalidRoot` before they can release.
 */
abstract contract RoundContributions is RoundsStorage {
    /// @dev Staking reason tag: bytes32("non-reveal").
    bytes32 private constant _TAG_NON_REVEAL = "non-reveal";
    /// @dev Staking reason tag: bytes32("invalid-update").
    bytes32 private constant _TAG_INVALID_UPDATE = "invalid-update";

    /// @inheritdoc IRounds
    function commit(uint256 roundId, bytes32 commitment) external {
        RoundState storage r = _requireStatus(roundId, _OPEN_STATES);
        _requireWindow(roundId, r.openedAt, r.commitEnd);
        if (uint256(commitment) <= uint256(_SETTLED)) revert RoundsInvalidCommitment(commitment);
        address account = msg.sender;
        if (_contributions[roundId][account] != bytes32(0)) revert RoundsAlreadyCommitted(roundId, account);
        _contributions[roundId][account] = commitment;
        ++r.commitCount;
        uint256 stake = r.contributorStake;
        emit Committed(roundId, account, commitment, stake);
        _staking.lock(account, stake);
    }

    /// @inheritdoc IRounds
    function reveal(uint256 roundId, bytes32 updateHash, bytes32 salt, string calldata uri) external {
        RoundState storage r = _requireStatus(roundId, _OPEN_STATES);
        _requireWindow(roundId, r.commitEnd, r.revealEnd);
        address account = msg.sender;
        bytes32 stored = _contributions[roundId][account];
        if (uint256(stored) <= uint256(_SETTLED)) revert RoundsNotCommitted(roundId, account);
        if (stored != computeCommitment(roundId, account, updateHash, salt)) {
            revert RoundsCommitmentMismatch(roundId, account);
        }
        _contributions[roundId][account] = _REVEALED;
        uint256 count = ++r.revealCount;
        bytes32 revealsHash = keccak256(abi.encode(r.revealsHash, account, updateHash));
        r.revealsHash = revealsHash;
        emit Revealed(roundId, account, updateHash, uri, count, revealsHash);
    }

    /// @inheritdoc IRounds
    function slashNonRevealer(uint256 roundId, address account) external {
        RoundState storage r = _requireStatus(roundId, _CLOSED_OR_ENDED_STATES);
        if (uint256(_contributions[roundId][account]) <= uint256(_SETTLED)) {
            revert RoundsContributionNotSettleable(roundId, account);
        }
        _contributions[roundId][account] = _SETTLED;
        _slashAndRelease(r, roundId, account, _REASON_NON_REVEAL, _TAG_NON_REVEAL);
    }

    /// @inheritdoc IRounds
    function slashInvalid(uint256 roundId, address account, uint8 reason, bytes32[] calldata proof) external {
        RoundState storage r = _requireStatus(roundId, _ENDED_STATES);
        _requireWindow(roundId, r.challengeEnd, _FOREVER);
        if (reason == _REASON_NON_REVEAL || reason > _MAX_INVALID_REASON) revert RoundsInvalidReason(reason);
        if (_contributions[roundId][account] != _REVEALED) revert RoundsContributionNotSettleable(roundId, account);
        if (!MerkleProof.verifyCalldata(proof, r.invalidRoot, ResultTrees.invalidLeaf(account, reason))) {
            revert RoundsInvalidProof(roundId, account);
        }
        _contributions[roundId][account] = _SETTLED;
        _slashAndRelease(r, roundId, account, reason, _TAG_INVALID_UPDATE);
    }

    /// @inheritdoc IRounds
    function releaseStake(uint256 roundId, address account) external {
        RoundState storage r = _requireStatus(roundId, _ENDED_STATES);
        if (_contributions[roundId][account] != _REVEALED) revert RoundsContributionNotSettleable(roundId, account);
        _requireWindow(roundId, _releaseAt(r), _FOREVER);
        _contributions[roundId][account] = _SETTLED;
        uint256 stake = r.contributorStake;
        emit ContributorStakeReleased(roundId, account, stake);
        _staking.unlock(account, stake);
    }

    /// @dev Slashes the round's `slashBps` of `account`'s round lock to the treasury and releases the rest.
    function _slashAndRelease(
        RoundState storage r,
        uint256 roundId,
        address account,
        uint8 reason,
        bytes32 tag
    ) private {
        uint256 stake = r.contributorStake;
        uint256 slashed = (stake * r.slashBps) / _BPS_DENOMINATOR;
        emit ContributorSlashed(roundId, account, slashed, reason);
        emit ContributorStakeReleased(roundId, account, stake - slashed);
        _staking.slash(account, slashed, tag);
        _staking.unlock(account, stake - slashed);
    }
}

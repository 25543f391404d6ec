// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Time} from "@openzeppelin/contracts/utils/types/Time.sol";

import {IRounds} from "../interfaces/IRounds.sol";
import {RoundAttestations} from "./RoundAttestations.sol";

/**
 * @title RoundDisputes
 * @notice The optimistic challenge of {Rounds}: anyone disputes a signed result inside its challenge window with a
 * bond; governance (the timelock) resolves it after voters recomputed the round (`cw verify-round`).
 * @dev Upheld: the result digest is void (it can never count again), its model version is voided in the registry,
 * every signer loses the round's `wrongResultBps` of its stake (half to the challenger, half to the treasury), the
 * bond goes back, and the round is `Closed` again: after a registration period of one attestation window (operators
 * may take the freed slots), a new quorum snapshot (k re-read at resolution, the set as of the end of the period;
 * the slashed signers are out for good) attests within one more window, or the round fails and refunds.
 * Rejected: the bond goes to the treasury and the result stands; its claim window is extended by the time it was
 * frozen, and the challenge window is over (a result is disputed at most once).
 * NOTE: a dispute costs the challenger a bond only when governance rejects it; governance is the last word on which
 * results are wrong (the README's trust section).
 */
abstract contract RoundDisputes is RoundAttestations {
    using SafeERC20 for IERC20;

    /// @dev Reason tag of wrong-result slashes: bytes32("wrong-result").
    bytes32 internal constant _WRONG_RESULT = "wrong-result";
    /// @dev Status bitmap: Finalized or Failed (a signed result can be disputed in either).
    bytes32 private constant _DISPUTABLE_STATES = _ENDED_STATES;

    address private immutable _resolver;

    /// @param resolver_ The only address that resolves disputes (the timelock).
    constructor(address resolver_) {
        _resolver = resolver_;
    }

    /// @inheritdoc IRounds
    function dispute(uint256 roundId, address[] calldata signers) external {
        RoundState storage r = _requireStatus(roundId, _DISPUTABLE_STATES);
        bytes32 digest = r.resultDigest;
        if (digest == bytes32(0)) revert RoundsNothingToDispute(roundId);
        if (block.timestamp >= r.challengeEnd) revert RoundsChallengeWindowClosed(roundId, r.challengeEnd);
        Dispute storage d = _disputes[roundId];
        if (d.digest == digest) revert RoundsAlreadyDisputed(roundId, digest);
        _checkSigners(r, roundId, digest, signers);

        uint256 bond = r.disputeBond;
        d.challenger = msg.sender;
        d.status = DisputeStatus.Pending;
        d.raisedAt = Time.timestamp();
        d.resumeStatus = r.status;
        d.digest = digest;
        d.bond = uint128(bond);
        d.signers = signers;
        r.status = RoundStatus.Disputed;
        _bondsHeld += bond;
        emit RoundDisputed(roundId, msg.sender, digest, bond, signers);
        for (uint256 i = 0; i < signers.length; ++i) _oracles.setFrozen(signers[i], true);
        IERC20(_staking.token()).safeTransferFrom(msg.sender, address(this), bond);
    }

    /// @inheritdoc IRounds
    function resolveDispute(uint256 roundId, bool upheld) external {
        if (msg.sender != _resolver) revert RoundsNotResolver(msg.sender);
        RoundState storage r = _requireStatus(roundId, _DISPUTED_STATES);
        Dispute storage d = _disputes[roundId];
        address[] memory signers = d.signers;
        uint256 bond = d.bond;
        _bondsHeld -= bond;
        for (uint256 i = 0; i < signers.length; ++i) _oracles.setFrozen(signers[i], false);
        IERC20 bondToken = IERC20(_staking.token());
        if (!upheld) {
            d.status = DisputeStatus.Rejected;
            // Give back the time the result was frozen, and end the window: it was disputed once.
            uint48 frozenFor = Time.timestamp() - d.raisedAt;
            r.status = d.resumeStatus;
            r.claimEnd += frozenFor;
            r.challengeEnd = Time.timestamp();
            emit DisputeResolved(roundId, false, 0, 0, 0);
            bondToken.safeTransfer(_staking.treasury(), bond);
            return;
        }
        d.status = DisputeStatus.Upheld;
        uint256 newDeadline = _voidResult(r, roundId, d.digest);
        uint256 slashed;
        uint256 reward;
        for (uint256 i = 0; i < signers.length; ++i) {
            uint256 amount = _oracles.slashOperator(
                signers[i], roundId, _WRONG_RESULT, r.wrongResultBps, d.challenger, _REPORTER_SHARE_BPS
            );
            slashed += amount;
            reward += (amount * _REPORTER_SHARE_BPS) / _BPS_DENOMINATOR;
        }
        emit DisputeResolved(roundId, true, slashed, reward, newDeadline);
        bondToken.safeTransfer(d.challenger, bond);
    }

    /// @inheritdoc IRounds
    function resolver() external view returns (address) {
        return _resolver;
    }

    /// @dev Voids the result and reopens the round for attestations under a fresh quorum snapshot. Returns the new
    /// attestation deadline.
    function _voidResult(RoundState storage r, uint256 roundId, bytes32 digest) private returns (uint256) {
        _attestationCounts[roundId][digest] = _VOIDED_COUNT;
        if (r.modelVersion != 0) _models.voidVersion(r.modelVersion);
        uint48 nowSeconds = Time.timestamp();
        r.status = RoundStatus.Closed;
        r.modelVersion = 0;
        r.attesterCount = 0;
        r.operatorShare = 0;
        r.totalRewards = 0;
        r.rewardsRoot = bytes32(0);
        r.invalidRoot = bytes32(0);
        r.resultDigest = bytes32(0);
        r.challengeEnd = 0;
        r.claimEnd = 0;
        // A registration period first (operators may join the freed slots), then a full attestation window; the new
        // quorum is the set at the end of the registration period.
        uint48 windowSeconds = _policies.policy(r.policyVersion).attestWindowSeconds;
        uint48 eligibleAt = nowSeconds + windowSeconds;
        uint48 deadline = eligibleAt + windowSeconds;
        r.attestDeadline = deadline;
        r.eligibleAt = eligibleAt;
        // Cannot truncate: k <= OracleRegistry.MAX_THRESHOLD (64).
        r.threshold = uint8(_oracles.threshold());
        return deadline;
    }

    /// @dev Reverts with {RoundsInvalidSigners} unless `signers` is strictly ascending, has exactly `attesterCount`
    /// entries, and each attested `digest`: then it is exactly the set of the result's signers.
    function _checkSigners(
        RoundState storage r,
        uint256 roundId,
        bytes32 digest,
        address[] calldata signers
    ) private view {
        uint256 n = signers.length;
        if (n != r.attesterCount) revert RoundsInvalidSigners(roundId);
        address previous = address(0);
        for (uint256 i = 0; i < n; ++i) {
            address signer = signers[i];
            if (signer <= previous || _attestations[roundId][signer] != digest) revert RoundsInvalidSigners(roundId);
            previous = signer;
        }
    }
}

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {BitMaps} from "@openzeppelin/contracts/utils/structs/BitMaps.sol";
import {Time} from "@openzeppelin/contracts/utils/types/Time.sol";

import {IRounds} from "../interfaces/IRounds.sol";
import {RoundsStorage} from "./RoundsStorage.sol";

/**
 * @title RoundAttestations
 * @notice Oracle side of {Rounds}: EIP-712 signed attestations, k-of-n finalization under the round's quorum snapshot
 * and equivocation reports.
 * @dev Domain: name "Commonweight Rounds", version "1", this chain id, this contract. An operator signs
 * `Attestation(RoundResult result,string modelUri)`; attestations are counted per result digest
 * ({hashRoundResult}), so operators that published the model at different URIs still form one quorum, and the
 * finalizing signer's own URI goes to the model registry (the others are mirrors, in {ModelUriAttested}).
 * Checks in order (after OCR): round Closed, before the attestation deadline, the result's reveal accumulator equals
 * the round's, the result is consistent and not voided, the signer is eligible under the round's snapshot
 * (registered before it, in the set at it, never slashed, locking at least the snapshotted stake) and has not
 * attested this round. The attestation that brings a digest to the round's snapshotted k settles the round, in O(1).
 */
abstract contract RoundAttestations is RoundsStorage, EIP712 {
    using BitMaps for BitMaps.BitMap;

    /// @notice EIP-712 type hash of {IRounds-RoundResult}.
    bytes32 public constant ROUND_RESULT_TYPEHASH = keccak256(
        "RoundResult(uint256 roundId,bytes32 modelHash,bytes32 rewardsRoot,uint256 totalRewards,"
        "bytes32 invalidRoot,bytes32 metricsHash,bytes32 revealsHash)"
    );
    /// @notice EIP-712 type hash of the signed attestation (the result and the signer's model URI).
    bytes32 public constant ATTESTATION_TYPEHASH = keccak256(
        "Attestation(RoundResult result,string modelUri)"
        "RoundResult(uint256 roundId,bytes32 modelHash,bytes32 rewardsRoot,uint256 totalRewards,"
        "bytes32 invalidRoot,bytes32 metricsHash,bytes32 revealsHash)"
    );
    /// @dev Reason tag of equivocation slashes: bytes32("equivocation").
    bytes32 internal constant _EQUIVOCATION = "equivocation";
    /// @dev Share of a slash paid to whoever proved the fault (reporter or challenger): half.
    uint256 internal constant _REPORTER_SHARE_BPS = 5_000;

    /// @inheritdoc IRounds
    function attest(
        RoundResult calldata result,
        bytes calldata signature,
        string calldata modelUri
    ) external returns (bool finalized) {
        uint256 roundId = result.roundId;
        RoundState storage r = _requireStatus(roundId, _CLOSED_STATES);
        // After an upheld dispute attestations restart at the new quorum snapshot (eligibleAt); before, at revealEnd.
        uint256 start = r.eligibleAt > r.revealEnd ? r.eligibleAt : r.revealEnd;
        _requireWindow(roundId, start, r.attestDeadline);
        if (result.revealsHash != r.revealsHash) {
            revert RoundsRevealsMismatch(roundId, result.revealsHash, r.revealsHash);
        }
        _checkResult(r, result);
        (bytes32 digest, address signer) = _eligibleSigner(r, result, signature, modelUri);
        if (_attestations[roundId][signer] != bytes32(0)) revert RoundsAlreadyAttested(roundId, signer);
        uint256 count = _attestationCounts[roundId][digest];
        if (count >= _VOIDED_COUNT) revert RoundsResultVoided(roundId, digest);
        _attestations[roundId][signer] = digest;
        _attestationCounts[roundId][digest] = ++count;
        emit Attested(roundId, signer, digest, count);
        emit ModelUriAttested(roundId, signer, modelUri);
        if (count < r.threshold) return false;
        // count == threshold: counting stops here because the status leaves Closed.
        if (result.modelHash == bytes32(0)) {
            r.attesterCount = uint8(count);
            _fail(r, roundId, FailureReason.FailedResult, result.invalidRoot, digest);
        } else {
            _finalize(r, result, digest, count, modelUri);
        }
        return true;
    }

    /// @dev The result digest and the signer of the attestation; reverts with {RoundsNotOperator} unless the signer is
    /// eligible under the round's snapshot, and holds its stake past the round's latest possible challenge window.
    function _eligibleSigner(
        RoundState storage r,
        RoundResult calldata result,
        bytes calldata signature,
        string calldata modelUri
    ) private returns (bytes32 digest, address signer) {
        bytes32 structHash = _structHash(result);
        digest = _hashTypedDataV4(structHash);
        signer = ECDSA.recover(_attestationDigest(structHash, modelUri), signature);
        uint256 holdUntil = uint256(r.attestDeadline) + r.challengeWindowSeconds;
        if (!_oracles.holdForAttestation(signer, r.eligibleAt, r.operatorStake, holdUntil)) {
            revert RoundsNotOperator(result.roundId, signer);
        }
    }

    /// @inheritdoc IRounds
    function reportEquivocation(SignedResult calldata a, SignedResult calldata b) external {
        bytes32 structA = _structHash(a.result);
        bytes32 structB = _structHash(b.result);
        uint256 roundId = a.result.roundId;
        if (roundId != b.result.roundId || structA == structB) revert RoundsNotEquivocation();
        address signer = ECDSA.recover(_attestationDigest(structA, a.modelUri), a.signature);
        if (ECDSA.recover(_attestationDigest(structB, b.modelUri), b.signature) != signer) {
            revert RoundsNotEquivocation();
        }
        RoundState storage r = _rounds[roundId];
        _equivocated[roundId].set(uint160(signer));
        // An attestation it already made no longer counts while the round is still collecting them.
        bytes32 attested = _attestations[roundId][signer];
        if (attested != bytes32(0) && r.status == RoundStatus.Closed) {
            uint256 count = _attestationCounts[roundId][attested];
            if (count < _VOIDED_COUNT) _attestationCounts[roundId][attested] = count - 1;
        }
        // Rounds that never existed have slashBps 0: nothing is slashed, but the operator still leaves the set.
        _oracles.slashOperator(signer, roundId, _EQUIVOCATION, r.slashBps, msg.sender, _REPORTER_SHARE_BPS);
    }

    /// @inheritdoc IRounds
    function hashRoundResult(RoundResult calldata result) public view returns (bytes32) {
        return _hashTypedDataV4(_structHash(result));
    }

    /// @inheritdoc IRounds
    function hashAttestation(RoundResult calldata result, string calldata modelUri) external view returns (bytes32) {
        return _attestationDigest(_structHash(result), modelUri);
    }

    /// @dev The EIP-712 struct hash of a result. Every field is static, so abi.encode(result) is the concatenation
    /// of the EIP-712 encoded fields.
    function _structHash(RoundResult calldata result) private pure returns (bytes32) {
        return keccak256(abi.encode(ROUND_RESULT_TYPEHASH, result));
    }

    /// @dev The signed digest of `Attestation(result, modelUri)` (EIP-712: the nested struct is encoded as its struct
    /// hash, the string as its keccak256).
    function _attestationDigest(bytes32 resultStructHash, string calldata modelUri) private view returns (bytes32) {
        bytes32 uriHash = keccak256(bytes(modelUri));
        return _hashTypedDataV4(keccak256(abi.encode(ATTESTATION_TYPEHASH, resultStructHash, uriHash)));
    }

    /// @dev Reverts with {RoundsInvalidResult} unless the result is self-consistent and within the round's pool.
    function _checkResult(RoundState storage r, RoundResult calldata result) private view {
        uint256 total = result.totalRewards;
        bool consistent = result.modelHash == bytes32(0)
            ? total == 0 && result.rewardsRoot == bytes32(0)
            : total <= r.rewardPool && (total == 0) == (result.rewardsRoot == bytes32(0));
        if (!consistent) revert RoundsInvalidResult(result.roundId, total, r.rewardPool);
    }

    /// @dev Stores the result (O(1)), appends the model and opens the challenge window; claims follow it.
    function _finalize(
        RoundState storage r,
        RoundResult calldata result,
        bytes32 digest,
        uint256 attesters,
        string calldata modelUri
    ) private {
        uint256 roundId = result.roundId;
        uint48 challengeEnd = Time.timestamp() + r.challengeWindowSeconds;
        r.status = RoundStatus.Finalized;
        // Cannot truncate: attesters == threshold <= 64; totalRewards <= rewardPool (uint128).
        r.attesterCount = uint8(attesters);
        r.operatorShare = uint128(r.operatorPool / attesters);
        r.totalRewards = uint128(result.totalRewards);
        r.challengeEnd = challengeEnd;
        r.claimEnd = challengeEnd + r.claimWindowSeconds;
        r.rewardsRoot = result.rewardsRoot;
        if (result.invalidRoot != bytes32(0)) r.invalidRoot = result.invalidRoot;
        r.resultDigest = digest;
        uint256 modelVersion = _models.appendVersion(
            result.modelHash,
            r.baseModelVersion,
            roundId,
            r.policyVersion,
            result.metricsHash,
            modelUri
        );
        // Cannot truncate: registry versions are uint32 (its lineage packing).
        r.modelVersion = uint32(modelVersion);
        emit RoundFinalized(
            roundId,
            digest,
            modelVersion,
            result.modelHash,
            result.rewardsRoot,
            result.totalRewards,
            result.invalidRoot,
            result.metricsHash,
            challengeEnd
        );
    }
}

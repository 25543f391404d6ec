// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {Time} from "@openzeppelin/contracts/utils/types/Time.sol";

import {IRounds} from "../interfaces/IRounds.sol";
import {RoundsStorage} from "./RoundsStorage.sol";

/**
 * @title RoundAttestations
 * @notice Oracle side of {Rounds}: EIP-712 signed round results, k-of-n finalization and equivocation reports.
 * @dev Domain: name "Commonweight Rounds", version "1", this chain id, this contract. Checks in order (after OCR):
 * round Closed, before the attestation deadline, the result's reveal accumulator equals the round's, the result is
 * consistent, the signer may attest (registered before the round opened, still registered), and it has not attested
 * this round. The attestation that brings a digest to the registry's current threshold k settles the round, in O(1):
 * roots are stored, nothing is looped over.
 */
abstract contract RoundAttestations is RoundsStorage, EIP712 {
    /// @notice EIP-712 type hash of {IRounds-RoundResult}.
    bytes32 public constant ROUND_RESULT_TYPEHASH = keccak256(
        "RoundResult(uint256 roundId,bytes32 modelHash,bytes32 rewardsRoot,uint256 totalRewards,"
        "bytes32 invalidRoot,bytes32 metricsHash,bytes32 revealsHash)"
    );

    /// @inheritdoc IRounds
    function attest(
        RoundResult calldata result,
        bytes calldata signature,
        string calldata modelUri
    ) external returns (bool finalized) {
        uint256 roundId = result.roundId;
        RoundState storage r = _requireStatus(roundId, _CLOSED_STATES);
        _requireWindow(roundId, r.revealEnd, r.attestDeadline);
        if (result.revealsHash != r.revealsHash) {
            revert RoundsRevealsMismatch(roundId, result.revealsHash, r.revealsHash);
        }
        _checkResult(r, result);
        bytes32 digest = hashRoundResult(result);
        address signer = ECDSA.recover(digest, signature);
        if (!_oracles.canAttest(signer, r.openedAt)) revert RoundsNotOperator(roundId, signer);
        if (_attestations[roundId][signer] != bytes32(0)) revert RoundsAlreadyAttested(roundId, signer);
        _attestations[roundId][signer] = digest;
        uint256 count = ++_attestationCounts[roundId][digest];
        emit Attested(roundId, signer, digest, count);
        uint256 k = _oracles.threshold();
        if (count < k) return false;
        if (result.modelHash == bytes32(0)) {
            _fail(r, roundId, FailureReason.FailedResult, result.invalidRoot);
        } else {
            _finalize(r, result, digest, k, modelUri);
        }
        return true;
    }

    /// @inheritdoc IRounds
    function reportEquivocation(
        RoundResult calldata a,
        bytes calldata signatureA,
        RoundResult calldata b,
        bytes calldata signatureB
    ) external {
        bytes32 digestA = hashRoundResult(a);
        bytes32 digestB = hashRoundResult(b);
        if (a.roundId != b.roundId || digestA == digestB) revert RoundsNotEquivocation();
        address signer = ECDSA.recover(digestA, signatureA);
        if (ECDSA.recover(digestB, signatureB) != signer) revert RoundsNotEquivocation();
        _oracles.slashForEquivocation(signer, a.roundId);
    }

    /// @inheritdoc IRounds
    function hashRoundResult(RoundResult calldata result) public view returns (bytes32) {
        // Every field is static, so abi.encode(result) is the concatenation of the EIP-712 encoded fields.
        return _hashTypedDataV4(keccak256(abi.encode(ROUND_RESULT_TYPEHASH, result)));
    }

    /// @dev Reverts with {RoundsInvalidResult} unless the result is self-consistent and within the round's pool.
    function _checkResult(RoundState storage r, RoundResult calldata result) private view {
        uint256 total = result.totalRewards;
        bool consistent = result.modelHash == bytes32(0)
            ? total == 0 && result.rewardsRoot == bytes32(0)
            : total <= r.rewardPool && (total == 0) == (result.rewardsRoot == bytes32(0));
        if (!consistent) revert RoundsInvalidResult(result.roundId, total, r.rewardPool);
    }

    /// @dev Stores the result (O(1)), appends the model and opens the claim and challenge windows.
    function _finalize(
        RoundState storage r,
        RoundResult calldata result,
        bytes32 digest,
        uint256 k,
        string calldata modelUri
    ) private {
        uint256 roundId = result.roundId;
        uint48 nowSeconds = Time.timestamp();
        r.status = RoundStatus.Finalized;
        // Cannot truncate: k <= OracleRegistry.MAX_THRESHOLD (64); totalRewards <= rewardPool (uint128).
        r.attesterCount = uint8(k);
        r.totalRewards = uint128(result.totalRewards);
        r.challengeEnd = nowSeconds + r.challengeWindowSeconds;
        r.claimEnd = nowSeconds + r.claimWindowSeconds;
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
        emit RoundFinalized(
            roundId,
            digest,
            modelVersion,
            result.modelHash,
            result.rewardsRoot,
            result.totalRewards,
            result.invalidRoot,
            result.metricsHash
        );
    }
}

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IModelRegistry} from "../interfaces/IModelRegistry.sol";

/**
 * @title ModelRegistry
 * @notice Append-only lineage of model versions (see {IModelRegistry}).
 * @dev Trust model: `APPENDER_ROLE` (the rounds contract) appends finalized models; `DEFAULT_ADMIN_ROLE` (the
 * timelock) appends genesis models and manages roles. Nothing can be changed or removed.
 * @custom:invariant A version's parent is an earlier version (or 0); versions never change once appended.
 */
contract ModelRegistry is IModelRegistry, AccessControl {
    using SafeCast for uint256;

    /// @notice Role of the contracts that append finalized models.
    bytes32 public constant APPENDER_ROLE = keccak256("APPENDER_ROLE");

    /// @dev The two hashes of each version (two full slots).
    struct VersionHashes {
        bytes32 modelHash;
        bytes32 metricsHash;
    }

    /// @dev Bits of a version's packed lineage: roundId (64) | parentVersion (32) | policyVersion (32).
    uint256 private constant _LINEAGE_BITS = 128;
    uint256 private constant _LINEAGE_MASK = (1 << _LINEAGE_BITS) - 1;

    /// @dev Number of versions; versions are `1.._versionCount`.
    uint256 private _versionCount;
    mapping(uint256 version => VersionHashes hashes) private _hashes;
    /// @dev Lineage of versions `2p` (low half) and `2p + 1` (high half) share slot `p`: a version's lineage is 16
    /// bytes, so every other append writes a slot that is already non-zero (2.9k instead of 20k gas). Each half is
    /// written once (append-only), which is why {_append} may OR it in.
    mapping(uint256 pair => uint256 lineages) private _lineages;
    /// @dev Newest version that is not void (rounds train from it); equals `_versionCount` unless the newest were
    /// voided.
    uint256 private _latestValid;
    mapping(uint256 version => bool voided) private _voided;

    /// @param admin Initial `DEFAULT_ADMIN_ROLE` holder (the deployer, which hands it to the timelock).
    constructor(address admin) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// @inheritdoc IModelRegistry
    function appendVersion(
        bytes32 modelHash,
        uint256 parentVersion,
        uint256 roundId,
        uint256 policyVersion,
        bytes32 metricsHash,
        string calldata uri
    ) external onlyRole(APPENDER_ROLE) returns (uint256 version) {
        bytes32 parentHash = _version(parentVersion).modelHash;
        return _append(ModelVersion({
            modelHash: modelHash,
            metricsHash: metricsHash,
            roundId: roundId.toUint64(),
            parentVersion: parentVersion.toUint32(),
            policyVersion: policyVersion.toUint32()
        }), parentHash, uri);
    }

    /// @inheritdoc IModelRegistry
    function appendGenesis(
        bytes32 modelHash,
        string calldata uri
    ) external onlyRole(DEFAULT_ADMIN_ROLE) returns (uint256 version) {
        ModelVersion memory genesis;
        genesis.modelHash = modelHash;
        return _append(genesis, bytes32(0), uri);
    }

    /// @inheritdoc IModelRegistry
    function latestVersion() external view returns (uint256) {
        return _latestValid;
    }

    /// @inheritdoc IModelRegistry
    function voidVersion(uint256 version) external onlyRole(APPENDER_ROLE) {
        _version(version);
        if (_voided[version]) return;
        _voided[version] = true;
        uint256 latest = _latestValid;
        // Walks back over void versions only: each step passes one voided version, which happens once per dispute.
        while (latest != 0 && _voided[latest]) --latest;
        _latestValid = latest;
        uint256 lineage = (_lineages[version >> 1] >> ((version & 1) * _LINEAGE_BITS)) & _LINEAGE_MASK;
        emit ModelVersionVoided(version, uint64(lineage >> 64));
    }

    /// @inheritdoc IModelRegistry
    function isVoided(uint256 version) external view returns (bool) {
        return _voided[version];
    }

    /// @inheritdoc IModelRegistry
    function modelVersion(uint256 version) external view returns (ModelVersion memory entry) {
        VersionHashes storage h = _version(version);
        entry.modelHash = h.modelHash;
        entry.metricsHash = h.metricsHash;
        uint256 lineage = (_lineages[version >> 1] >> ((version & 1) * _LINEAGE_BITS)) & _LINEAGE_MASK;
        entry.roundId = uint64(lineage >> 64);
        entry.parentVersion = uint32(lineage >> 32);
        entry.policyVersion = uint32(lineage);
    }

    function _append(ModelVersion memory entry, bytes32 parentHash, string calldata uri) private returns (uint256) {
        if (entry.modelHash == bytes32(0)) revert ModelRegistryZeroHash();
        // Cannot overflow: the count grows by one per append, so it never gets near 2**256.
        uint256 version;
        unchecked {
            version = _versionCount + 1;
        }
        _versionCount = version;
        _latestValid = version;
        VersionHashes storage h = _hashes[version];
        h.modelHash = entry.modelHash;
        if (entry.metricsHash != bytes32(0)) h.metricsHash = entry.metricsHash;
        uint256 lineage = (uint256(entry.roundId) << 64) | (uint256(entry.parentVersion) << 32) | entry.policyVersion;
        // Genesis versions have an all-zero lineage: skip the no-op write.
        if (lineage != 0) _lineages[version >> 1] |= lineage << ((version & 1) * _LINEAGE_BITS);
        emit ModelVersionAppended(
            version,
            entry.modelHash,
            entry.parentVersion,
            parentHash,
            entry.roundId,
            entry.policyVersion,
            entry.metricsHash,
            uri
        );
        return version;
    }

    function _version(uint256 version) private view returns (VersionHashes storage) {
        uint256 count = _versionCount;
        if (version == 0 || version > count) revert ModelRegistryUnknownVersion(version, count);
        return _hashes[version];
    }
}

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

    ModelVersion[] private _versions;

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
        return _versions.length;
    }

    /// @inheritdoc IModelRegistry
    function modelVersion(uint256 version) external view returns (ModelVersion memory) {
        return _version(version);
    }

    function _append(ModelVersion memory entry, bytes32 parentHash, string calldata uri) private returns (uint256) {
        if (entry.modelHash == bytes32(0)) revert ModelRegistryZeroHash();
        _versions.push(entry);
        uint256 version = _versions.length;
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

    function _version(uint256 version) private view returns (ModelVersion storage) {
        if (version == 0 || version > _versions.length) revert ModelRegistryUnknownVersion(version, _versions.length);
        return _versions[version - 1];
    }
}

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * @title IModelRegistry
 * @notice Append-only lineage of model versions. Versions are numbered from 1; a version's parent is an earlier
 * version (0 for a genesis model). Rounds append the models they finalize (`APPENDER_ROLE`); the admin (the timelock)
 * may append genesis models. The file URI is a locator, not a commitment: it is emitted, not stored, and the sha256
 * `modelHash` is what anyone verifies a downloaded file against.
 */
interface IModelRegistry {
    /// @notice One model version.
    /// @param modelHash sha256 of the canonical model file (docs/protocol.md §1).
    /// @param metricsHash sha256 of the round's result document (docs/protocol.md §5), zero for genesis models.
    /// @param roundId The round that produced it, 0 for genesis models.
    /// @param parentVersion The version it was trained from, 0 for genesis models.
    /// @param policyVersion The policy version the round used, 0 for genesis models.
    struct ModelVersion {
        bytes32 modelHash;
        bytes32 metricsHash;
        uint64 roundId;
        uint32 parentVersion;
        uint32 policyVersion;
    }

    /// @notice A model hash of zero was given.
    error ModelRegistryZeroHash();
    /// @notice Version `version` does not exist; versions are `1..count`.
    /// @param version The version asked for.
    /// @param count The number of versions.
    error ModelRegistryUnknownVersion(uint256 version, uint256 count);

    /// @notice Version `version` was appended.
    /// @param version The new version number.
    /// @param modelHash Hash of the model file.
    /// @param parentVersion Parent version, 0 for genesis models.
    /// @param parentHash Hash of the parent model, zero for genesis models.
    /// @param roundId Producing round, 0 for genesis models.
    /// @param policyVersion Policy version of that round, 0 for genesis models.
    /// @param metricsHash Hash of the round's result document.
    /// @param uri Where the model file can be fetched.
    event ModelVersionAppended(
        uint256 indexed version,
        bytes32 indexed modelHash,
        uint256 indexed parentVersion,
        bytes32 parentHash,
        uint256 roundId,
        uint256 policyVersion,
        bytes32 metricsHash,
        string uri
    );

    /// @notice Version `version` of round `roundId` was voided (its result was disputed and the dispute upheld);
    /// {latestVersion} skips it from now on.
    /// @param version The voided version.
    /// @param roundId Its round.
    event ModelVersionVoided(uint256 indexed version, uint256 indexed roundId);

    /// @notice Voids `version` (a finalized result overturned by an upheld dispute). Only `APPENDER_ROLE` (rounds).
    /// @dev The version stays readable; {latestVersion} returns the newest version that is not void.
    /// @param version An existing version.
    function voidVersion(uint256 version) external;

    /// @notice Whether `version` was voided.
    /// @param version A model version.
    /// @return True when governance voided it after an upheld dispute.
    function isVoided(uint256 version) external view returns (bool);

    /// @notice Appends a model produced by round `roundId` from `parentVersion`. Only `APPENDER_ROLE` (rounds).
    /// @param modelHash Hash of the model file, not zero.
    /// @param parentVersion An existing version.
    /// @param roundId The producing round.
    /// @param policyVersion The round's policy version.
    /// @param metricsHash Hash of the round's result document.
    /// @param uri Where the model file can be fetched.
    /// @return version The new version number.
    function appendVersion(
        bytes32 modelHash,
        uint256 parentVersion,
        uint256 roundId,
        uint256 policyVersion,
        bytes32 metricsHash,
        string calldata uri
    ) external returns (uint256 version);

    /// @notice Appends a genesis model (no parent, no round). Only `DEFAULT_ADMIN_ROLE` (the timelock).
    /// @param modelHash Hash of the model file, not zero.
    /// @param uri Where the model file can be fetched.
    /// @return version The new version number.
    function appendGenesis(bytes32 modelHash, string calldata uri) external returns (uint256 version);

    /// @notice The number of versions, which is also the latest version number (0 when empty).
    function latestVersion() external view returns (uint256);

    /// @notice Version `version`; reverts with {ModelRegistryUnknownVersion} if it does not exist.
    /// @param version A version in `1..latestVersion()`.
    function modelVersion(uint256 version) external view returns (ModelVersion memory);
}

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Time} from "@openzeppelin/contracts/utils/types/Time.sol";

import {IModelPolicyRegistry} from "../interfaces/IModelPolicyRegistry.sol";
import {IOracleRegistry} from "../interfaces/IOracleRegistry.sol";
import {IStaking} from "../interfaces/IStaking.sol";

/**
 * @title OracleRegistry
 * @notice The oracle operator set, its threshold k and equivocation slashing (see {IOracleRegistry}).
 * @dev Trust model: anyone with enough free stake registers and deregisters itself. `DEFAULT_ADMIN_ROLE` (the timelock)
 * sets k and the exit delay. `SLASHER_ROLE` (the rounds contract, which verifies the two conflicting EIP-712
 * signatures on its own domain) triggers equivocation slashing. This contract needs `LOCKER_ROLE` and `SLASHER_ROLE`
 * on the staking contract.
 * NOTE: an operator's lock is fixed at registration; a later rise of `minOperatorStake` applies to new registrations.
 * @custom:invariant 2 * threshold() > operatorCount() and threshold() >= 1 after every call.
 * @custom:invariant operatorCount() equals the number of operators with `active == true`.
 */
contract OracleRegistry is IOracleRegistry, AccessControl {
    using SafeCast for uint256;

    /// @notice Role of the contract allowed to slash for equivocation.
    bytes32 public constant SLASHER_ROLE = keccak256("SLASHER_ROLE");
    /// @notice Highest threshold (attestations per round are bounded by it).
    uint256 public constant MAX_THRESHOLD = 64;
    /// @notice Shortest exit delay.
    uint256 public constant MIN_EXIT_SECONDS = 1 days;
    /// @notice Longest exit delay.
    uint256 public constant MAX_EXIT_SECONDS = 90 days;
    /// @notice Reason tag passed to staking for equivocation slashes: bytes32("equivocation").
    bytes32 public constant EQUIVOCATION = "equivocation";
    /// @notice Basis-point denominator.
    uint256 private constant _BPS_DENOMINATOR = 10_000;

    IStaking private immutable _staking;
    IModelPolicyRegistry private immutable _policies;
    uint256 private _threshold;
    uint256 private _operatorCount;
    uint256 private _exitDelay;
    mapping(address operator => Operator state) private _operators;
    mapping(uint256 roundId => mapping(address operator => bool slashed)) private _equivocationSlashed;

    /// @param staking_ The staking contract.
    /// @param policies_ The policy registry (source of `minOperatorStake` and `slashBps`).
    /// @param threshold_ Initial k (>= 1; there are no operators yet).
    /// @param exitDelaySeconds Initial exit delay.
    /// @param admin Initial `DEFAULT_ADMIN_ROLE` holder (the deployer, which hands it to the timelock).
    constructor(
        IStaking staking_,
        IModelPolicyRegistry policies_,
        uint256 threshold_,
        uint256 exitDelaySeconds,
        address admin
    ) {
        _staking = staking_;
        _policies = policies_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _setThreshold(threshold_);
        _setExitDelay(exitDelaySeconds);
    }

    /// @inheritdoc IOracleRegistry
    function register() external {
        address operator = _msgSender();
        Operator storage op = _operators[operator];
        if (op.active || op.exitAt != 0) revert OracleAlreadyRegistered(operator);
        uint256 operators = _operatorCount + 1;
        if (2 * _threshold <= operators) revert OracleThresholdTooLow(_threshold, operators);
        uint256 stake = _policies.currentPolicy().minOperatorStake;
        _operatorCount = operators;
        _operators[operator] = Operator({
            lockedStake: stake.toUint128(),
            registeredAt: Time.timestamp(),
            exitAt: 0,
            active: true
        });
        emit OperatorRegistered(operator, stake, operators);
        _staking.lock(operator, stake);
    }

    /// @inheritdoc IOracleRegistry
    function deregister() external {
        address operator = _msgSender();
        if (!_operators[operator].active) revert OracleNotOperator(operator);
        _deactivate(operator);
    }

    /// @inheritdoc IOracleRegistry
    function releaseStake(address operator) external {
        Operator memory op = _operators[operator];
        if (op.exitAt == 0 || block.timestamp < op.exitAt) revert OracleStakeNotReleasable(operator, op.exitAt);
        delete _operators[operator];
        emit OperatorStakeReleased(operator, op.lockedStake);
        _staking.unlock(operator, op.lockedStake);
    }

    /// @inheritdoc IOracleRegistry
    function slashForEquivocation(
        address operator,
        uint256 roundId
    ) external onlyRole(SLASHER_ROLE) returns (uint256 amount) {
        Operator storage op = _operators[operator];
        if (op.lockedStake == 0) revert OracleNotOperator(operator);
        if (_equivocationSlashed[roundId][operator]) revert OracleEquivocationAlreadySlashed(operator, roundId);
        _equivocationSlashed[roundId][operator] = true;
        uint256 locked = op.lockedStake;
        amount = (locked * _policies.currentPolicy().slashBps) / _BPS_DENOMINATOR;
        // Cannot underflow: slashBps <= 10000, so amount <= locked.
        op.lockedStake = uint128(locked - amount);
        if (op.active) _deactivate(operator);
        emit OperatorSlashed(operator, roundId, amount);
        _staking.slash(operator, amount, EQUIVOCATION);
    }

    /// @inheritdoc IOracleRegistry
    function setThreshold(uint256 newThreshold) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setThreshold(newThreshold);
    }

    /// @inheritdoc IOracleRegistry
    function setExitDelay(uint256 newDelaySeconds) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setExitDelay(newDelaySeconds);
    }

    /// @inheritdoc IOracleRegistry
    function threshold() external view returns (uint256) {
        return _threshold;
    }

    /// @inheritdoc IOracleRegistry
    function operatorCount() external view returns (uint256) {
        return _operatorCount;
    }

    /// @inheritdoc IOracleRegistry
    function exitDelay() external view returns (uint256) {
        return _exitDelay;
    }

    /// @inheritdoc IOracleRegistry
    function isOperator(address account) external view returns (bool) {
        return _operators[account].active;
    }

    /// @inheritdoc IOracleRegistry
    function canAttest(address account, uint256 openedAt) external view returns (bool) {
        Operator memory op = _operators[account];
        return op.active && op.registeredAt <= openedAt;
    }

    /// @inheritdoc IOracleRegistry
    function operatorInfo(address account) external view returns (Operator memory) {
        return _operators[account];
    }

    /// @dev Removes an active operator; its stake stays locked until the exit time. Lowering n keeps 2k > n.
    function _deactivate(address operator) private {
        Operator storage op = _operators[operator];
        uint48 exitAt = (block.timestamp + _exitDelay).toUint48();
        op.active = false;
        op.exitAt = exitAt;
        uint256 operators = --_operatorCount;
        emit OperatorDeregistered(operator, exitAt, operators);
    }

    function _setThreshold(uint256 newThreshold) private {
        if (newThreshold > MAX_THRESHOLD) revert OracleThresholdTooHigh(newThreshold, MAX_THRESHOLD);
        if (newThreshold == 0 || 2 * newThreshold <= _operatorCount) {
            revert OracleThresholdTooLow(newThreshold, _operatorCount);
        }
        emit ThresholdSet(_threshold, newThreshold);
        _threshold = newThreshold;
    }

    function _setExitDelay(uint256 newDelaySeconds) private {
        if (newDelaySeconds < MIN_EXIT_SECONDS || newDelaySeconds > MAX_EXIT_SECONDS) {
            revert OracleExitDelayOutOfBounds(newDelaySeconds, MIN_EXIT_SECONDS, MAX_EXIT_SECONDS);
        }
        emit ExitDelaySet(_exitDelay, newDelaySeconds);
        _exitDelay = newDelaySeconds;
    }
}

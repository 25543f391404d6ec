// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";
import {Time} from "@openzeppelin/contracts/utils/types/Time.sol";

import {IModelPolicyRegistry} from "../interfaces/IModelPolicyRegistry.sol";
import {IOracleRegistry} from "../interfaces/IOracleRegistry.sol";
import {IStaking} from "../interfaces/IStaking.sol";

/**
 * @title OracleRegistry
 * @notice The oracle operator set, its threshold k, slot eviction and operator slashing (see {IOracleRegistry}).
 * @dev Trust model: anyone with enough free stake registers (evicting a smaller stake when the slots are full) and
 * deregisters itself. `DEFAULT_ADMIN_ROLE` (the timelock) sets k and the exit delay. `SLASHER_ROLE` (the rounds
 * contract, which proves faults: two conflicting EIP-712 signatures, or a dispute upheld by governance) slashes,
 * holds and freezes stakes. This contract needs `LOCKER_ROLE` and `SLASHER_ROLE` on the staking contract.
 * NOTE: an operator's lock is fixed at registration; a later rise of `minOperatorStake` applies to new registrations
 * (and rounds snapshot the minimum at open, so a smaller lock does not count for them).
 * @custom:invariant 2 * threshold() > operatorCount() and threshold() >= 1 after every call.
 * @custom:invariant operatorCount() equals the number of operators with `active == true` (== operators().length).
 */
contract OracleRegistry is IOracleRegistry, AccessControl {
    using SafeCast for uint256;
    using EnumerableSet for EnumerableSet.AddressSet;

    /// @notice Role of the contract allowed to slash, hold and freeze operator stakes.
    bytes32 public constant SLASHER_ROLE = keccak256("SLASHER_ROLE");
    /// @notice Highest threshold (attestations per round are bounded by it).
    uint256 public constant MAX_THRESHOLD = 64;
    /// @notice Shortest exit delay.
    uint256 public constant MIN_EXIT_SECONDS = 1 days;
    /// @notice Longest exit delay.
    uint256 public constant MAX_EXIT_SECONDS = 90 days;
    /// @notice Reason tag of equivocation slashes: bytes32("equivocation").
    bytes32 public constant EQUIVOCATION = "equivocation";
    /// @notice Basis-point denominator.
    uint256 private constant _BPS_DENOMINATOR = 10_000;

    IStaking private immutable _staking;
    IModelPolicyRegistry private immutable _policies;
    uint256 private _threshold;
    uint256 private _exitDelay;
    EnumerableSet.AddressSet private _active;
    mapping(address operator => Operator state) private _operators;
    mapping(uint256 roundId => mapping(address operator => mapping(bytes32 reason => bool slashed))) private _slashed;

    /// @param staking_ The staking contract.
    /// @param policies_ The policy registry (source of `minOperatorStake`).
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
        _register(_msgSender(), _policies.currentPolicy().minOperatorStake);
    }

    /// @inheritdoc IOracleRegistry
    function registerWithStake(uint256 stake) external {
        _register(_msgSender(), stake);
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
        uint256 releasableAt = op.exitAt > op.heldUntil ? op.exitAt : op.heldUntil;
        if (op.exitAt == 0 || block.timestamp < releasableAt || op.frozen != 0) {
            revert OracleStakeNotReleasable(operator, releasableAt);
        }
        // Keep the record (registeredAt, slashed) but nothing locked: the account may register again later.
        _operators[operator].lockedStake = 0;
        _operators[operator].exitAt = 0;
        emit OperatorStakeReleased(operator, op.lockedStake);
        _staking.unlock(operator, op.lockedStake);
    }

    /// @inheritdoc IOracleRegistry
    function slashOperator(
        address operator,
        uint256 roundId,
        bytes32 reason,
        uint256 slashBps,
        address reporter,
        uint256 reporterBps
    ) external onlyRole(SLASHER_ROLE) returns (uint256 amount) {
        if (slashBps > _BPS_DENOMINATOR) revert OracleInvalidBps(slashBps);
        if (reporterBps > _BPS_DENOMINATOR) revert OracleInvalidBps(reporterBps);
        Operator storage op = _operators[operator];
        if (op.lockedStake == 0) revert OracleNotOperator(operator);
        if (_slashed[roundId][operator][reason]) revert OracleAlreadySlashed(operator, roundId, reason);
        _slashed[roundId][operator][reason] = true;
        uint256 locked = op.lockedStake;
        amount = (locked * slashBps) / _BPS_DENOMINATOR;
        uint256 reporterAmount = (amount * reporterBps) / _BPS_DENOMINATOR;
        // Cannot underflow: slashBps <= 10000, so amount <= locked.
        op.lockedStake = uint128(locked - amount);
        op.slashed = true;
        if (op.active) _deactivate(operator);
        emit OperatorSlashed(operator, roundId, amount, reason, reporter, reporterAmount);
        _staking.slashWithReward(operator, amount, reason, reporter, reporterAmount);
    }

    /// @inheritdoc IOracleRegistry
    function holdForAttestation(
        address operator,
        uint256 eligibleAt,
        uint256 minStake,
        uint256 holdUntil
    ) external onlyRole(SLASHER_ROLE) returns (bool eligible) {
        Operator storage op = _operators[operator];
        eligible = _eligible(op, eligibleAt) && op.lockedStake >= minStake;
        if (eligible && holdUntil > op.heldUntil) op.heldUntil = holdUntil.toUint48();
    }

    /// @inheritdoc IOracleRegistry
    function setFrozen(address operator, bool frozen) external onlyRole(SLASHER_ROLE) {
        Operator storage op = _operators[operator];
        if (frozen) ++op.frozen;
        else --op.frozen;
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
        return _active.length();
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
    function canAttest(address account, uint256 eligibleAt) external view returns (bool) {
        return _eligible(_operators[account], eligibleAt);
    }

    /// @inheritdoc IOracleRegistry
    function operators() external view returns (address[] memory) {
        return _active.values();
    }

    /// @inheritdoc IOracleRegistry
    function operatorInfo(address account) external view returns (Operator memory) {
        return _operators[account];
    }

    /// @dev In the set at `eligibleAt` (registered strictly before it, so a registration in the round's own block
    /// does not count) and not left by then, never slashed, stake still locked.
    function _eligible(Operator storage op, uint256 eligibleAt) private view returns (bool) {
        return op.lockedStake != 0 && !op.slashed && op.registeredAt < eligibleAt
            && (op.active || op.leftAt > eligibleAt);
    }

    /// @dev Registers `operator` with `stake`, evicting the smallest stake when the `2k - 1` slots are full. The
    /// scan is bounded: at most `2 * MAX_THRESHOLD - 1` members.
    function _register(address operator, uint256 stake) private {
        Operator storage op = _operators[operator];
        if (op.active || op.exitAt != 0) revert OracleAlreadyRegistered(operator);
        uint256 minStake = _policies.currentPolicy().minOperatorStake;
        if (stake < minStake) revert OracleStakeTooLow(stake, minStake);
        if (2 * _threshold <= _active.length() + 1) {
            (address smallest, uint256 smallestStake) = _smallestMember();
            if (smallest == address(0) || stake <= smallestStake) revert OracleSlotsFull(stake, smallestStake);
            _deactivate(smallest);
            emit OperatorEvicted(smallest, operator, smallestStake, stake);
        }
        _active.add(operator);
        op.lockedStake = stake.toUint128();
        op.registeredAt = Time.timestamp();
        op.active = true;
        op.leftAt = 0;
        emit OperatorRegistered(operator, stake, _active.length());
        _staking.lock(operator, stake);
    }

    /// @dev The member with the smallest lock (the first one found on ties).
    function _smallestMember() private view returns (address smallest, uint256 smallestStake) {
        uint256 n = _active.length();
        for (uint256 i = 0; i < n; ++i) {
            address member = _active.at(i);
            uint256 stake = _operators[member].lockedStake;
            if (smallest == address(0) || stake < smallestStake) (smallest, smallestStake) = (member, stake);
        }
    }

    /// @dev Removes an active operator; its stake stays locked until the exit time. Lowering n keeps 2k > n.
    function _deactivate(address operator) private {
        Operator storage op = _operators[operator];
        uint48 exitAt = (block.timestamp + _exitDelay).toUint48();
        op.active = false;
        op.exitAt = exitAt;
        op.leftAt = Time.timestamp();
        _active.remove(operator);
        emit OperatorDeregistered(operator, exitAt, _active.length());
    }

    function _setThreshold(uint256 newThreshold) private {
        if (newThreshold > MAX_THRESHOLD) revert OracleThresholdTooHigh(newThreshold, MAX_THRESHOLD);
        uint256 n = _active.length();
        if (newThreshold == 0 || 2 * newThreshold <= n) revert OracleThresholdTooLow(newThreshold, n);
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

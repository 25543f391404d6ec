// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * @title IOracleRegistry
 * @notice The oracle operator set and its threshold k. An operator registers by locking the policy's minimum operator
 * stake; it may attest rounds opened after it registered. The threshold always satisfies `2k > n` (n = registered
 * operators), so two different results of one round can never both gather k attestations from honest-majority sets:
 * registering is blocked while it would break `2k > n` (governance raises k first), lowering k is checked the same
 * way, and deregistering only lowers n, so it can never break it (if n drops below k, rounds simply fail and refund).
 * A deregistered operator's stake stays locked for {exitDelay}, so it can still be slashed for equivocation.
 */
interface IOracleRegistry {
    /// @notice State of one operator.
    /// @param lockedStake Stake locked for operator duty.
    /// @param registeredAt Registration time; only rounds opened at or after it can be attested.
    /// @param exitAt When the stake of a deregistered operator can be released (0 while registered).
    /// @param active Whether the operator is registered.
    struct Operator {
        uint128 lockedStake;
        uint48 registeredAt;
        uint48 exitAt;
        bool active;
    }

    /// @notice `operator` is already registered or still exiting.
    /// @param operator The operator.
    error OracleAlreadyRegistered(address operator);
    /// @notice `operator` is not a registered operator.
    /// @param operator The address.
    error OracleNotOperator(address operator);
    /// @notice Threshold `threshold` with `operators` operators breaks `2k > n` or `k >= 1`.
    /// @param threshold The threshold k.
    /// @param operators The operator count n.
    error OracleThresholdTooLow(uint256 threshold, uint256 operators);
    /// @notice Threshold `threshold` is above {MAX_THRESHOLD}.
    /// @param threshold The proposed threshold.
    /// @param max The maximum.
    error OracleThresholdTooHigh(uint256 threshold, uint256 max);
    /// @notice The exit delay `delaySeconds` is outside `[min, max]`.
    /// @param delaySeconds The proposed delay.
    /// @param minSeconds Lower bound.
    /// @param maxSeconds Upper bound.
    error OracleExitDelayOutOfBounds(uint256 delaySeconds, uint256 minSeconds, uint256 maxSeconds);
    /// @notice `operator` has no exited stake to release yet (`exitAt` 0 or in the future).
    /// @param operator The operator.
    /// @param exitAt Its exit time.
    error OracleStakeNotReleasable(address operator, uint256 exitAt);
    /// @notice `operator` was already slashed for equivocating in round `roundId`.
    /// @param operator The operator.
    /// @param roundId The round.
    error OracleEquivocationAlreadySlashed(address operator, uint256 roundId);

    /// @notice `operator` registered, locking `stake`; the set now has `operators` members.
    /// @param operator The operator.
    /// @param stake Stake locked.
    /// @param operators New operator count.
    event OperatorRegistered(address indexed operator, uint256 stake, uint256 operators);
    /// @notice `operator` left the set; its stake can be released at `exitAt`.
    /// @param operator The operator.
    /// @param exitAt Release time of its stake.
    /// @param operators New operator count.
    event OperatorDeregistered(address indexed operator, uint256 exitAt, uint256 operators);
    /// @notice The remaining locked stake `amount` of an exited `operator` was released.
    /// @param operator The operator.
    /// @param amount Stake unlocked.
    event OperatorStakeReleased(address indexed operator, uint256 amount);
    /// @notice `operator` was slashed `amount` for signing two results of round `roundId` and removed from the set.
    /// @param operator The operator.
    /// @param roundId The round.
    /// @param amount Stake slashed.
    event OperatorSlashed(address indexed operator, uint256 indexed roundId, uint256 amount);
    /// @notice The threshold changed.
    /// @param oldThreshold Previous k.
    /// @param newThreshold New k.
    event ThresholdSet(uint256 oldThreshold, uint256 newThreshold);
    /// @notice The exit delay changed.
    /// @param oldDelaySeconds Previous delay.
    /// @param newDelaySeconds New delay.
    event ExitDelaySet(uint256 oldDelaySeconds, uint256 newDelaySeconds);

    /// @notice Registers the caller, locking the current policy's `minOperatorStake` of its free stake.
    function register() external;

    /// @notice Removes the caller from the set; its stake stays locked until `now + exitDelay`.
    function deregister() external;

    /// @notice Releases the stake of an exited `operator` after its exit time. Anyone may call.
    /// @param operator The exited operator.
    function releaseStake(address operator) external;

    /// @notice Slashes `operator` for equivocation in round `roundId` (the policy's `slashBps` of its lock) and
    /// removes it from the set. Only `SLASHER_ROLE` (the rounds contract, which checks the two signatures).
    /// @param operator The equivocating operator (registered or exiting).
    /// @param roundId The round it signed two results for.
    /// @return amount Stake slashed.
    function slashForEquivocation(address operator, uint256 roundId) external returns (uint256 amount);

    /// @notice Sets the threshold k. Only `DEFAULT_ADMIN_ROLE` (the timelock). Requires `2k > n` and `k >= 1`.
    /// @param newThreshold The new k.
    function setThreshold(uint256 newThreshold) external;

    /// @notice Sets the exit delay. Only `DEFAULT_ADMIN_ROLE` (the timelock).
    /// @param newDelaySeconds The new delay.
    function setExitDelay(uint256 newDelaySeconds) external;

    /// @notice The threshold k: matching attestations needed to finalize a round.
    function threshold() external view returns (uint256);

    /// @notice The number n of registered operators.
    function operatorCount() external view returns (uint256);

    /// @notice Seconds a deregistered operator's stake stays locked.
    function exitDelay() external view returns (uint256);

    /// @notice Whether `account` is a registered operator.
    /// @param account The account.
    function isOperator(address account) external view returns (bool);

    /// @notice Whether `account` may attest a round opened at `openedAt`: registered at or before then and still
    /// registered now.
    /// @param account The signer.
    /// @param openedAt The round's open time.
    function canAttest(address account, uint256 openedAt) external view returns (bool);

    /// @notice The state of `account` as an operator.
    /// @param account The account.
    function operatorInfo(address account) external view returns (Operator memory);
}

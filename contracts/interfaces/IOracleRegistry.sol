// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * @title IOracleRegistry
 * @notice The oracle operator set and its threshold k. An operator registers by locking at least the policy's minimum
 * operator stake; it may attest rounds opened after it registered (and while it was in the set). The threshold always
 * satisfies `2k > n` (n = registered operators), so the operators eligible for one round (the set when it opened)
 * can never form two quorums without one of them equivocating. The set has `2k - 1` slots; when they are full, a
 * newcomer with a larger stake than the smallest member evicts it (so slots cannot be squatted cheaply), else
 * registration is refused until governance raises k. Lowering k is checked against `2k > n`; deregistering only
 * lowers n. A deregistered or evicted operator's stake stays locked for {exitDelay}, and also until every round it
 * attested has passed its challenge window ({holdForAttestation}) and no dispute of a result it signed is open
 * ({setFrozen}), so it can still be slashed for equivocation and for a wrong result.
 */
interface IOracleRegistry {
    /// @notice State of one operator.
    /// @param lockedStake Stake locked for operator duty.
    /// @param registeredAt Registration time; only rounds opened at or after it can be attested.
    /// @param exitAt When the stake of a deregistered operator can be released (0 while registered).
    /// @param active Whether the operator is registered.
    /// @param leftAt When it left the set (deregistered, evicted or slashed; 0 while registered).
    /// @param heldUntil Its stake cannot be released before this time (the challenge windows of rounds it attested).
    /// @param frozen Open disputes of results it signed; its stake cannot be released while non-zero.
    /// @param slashed Whether it was ever slashed (a slashed operator attests no round again).
    struct Operator {
        uint128 lockedStake;
        uint48 registeredAt;
        uint48 exitAt;
        bool active;
        uint48 leftAt;
        uint48 heldUntil;
        uint32 frozen;
        bool slashed;
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
    /// @notice `operator` has no exited stake to release yet (`exitAt` 0, or `releasableAt` in the future, or a
    /// dispute of a result it signed is open).
    /// @param operator The operator.
    /// @param releasableAt The earliest release time (its exit time or its hold, whichever is later).
    error OracleStakeNotReleasable(address operator, uint256 releasableAt);
    /// @notice `operator` was already slashed for `reason` in round `roundId`.
    /// @param operator The operator.
    /// @param roundId The round.
    /// @param reason The slash reason tag.
    error OracleAlreadySlashed(address operator, uint256 roundId, bytes32 reason);
    /// @notice `stake` is below the policy's minimum operator stake `minStake`.
    /// @param stake The offered stake.
    /// @param minStake The minimum.
    error OracleStakeTooLow(uint256 stake, uint256 minStake);
    /// @notice All `2k - 1` slots are taken and `stake` does not exceed the smallest member's `smallestStake`.
    /// @param stake The offered stake.
    /// @param smallestStake The smallest registered stake (the one it would have to beat to evict).
    error OracleSlotsFull(uint256 stake, uint256 smallestStake);
    /// @notice A slash or reporter share in basis points is above 10000.
    /// @param bps The rate.
    error OracleInvalidBps(uint256 bps);

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
    /// @notice `operator` was slashed `amount` in round `roundId` for `reason` ("equivocation" or "wrong-result") and
    /// removed from the set; `reporter` received `reporterAmount` of it, the treasury the rest.
    /// @param operator The operator.
    /// @param roundId The round.
    /// @param amount Stake slashed.
    /// @param reason The reason tag.
    /// @param reporter Who proved the fault.
    /// @param reporterAmount The reporter's share.
    event OperatorSlashed(
        address indexed operator,
        uint256 indexed roundId,
        uint256 amount,
        bytes32 reason,
        address reporter,
        uint256 reporterAmount
    );
    /// @notice `operator` lost its slot to `newcomer`, which registered with a larger stake.
    /// @param operator The evicted operator (now exiting).
    /// @param newcomer The new operator.
    /// @param stake The evicted operator's stake.
    /// @param newcomerStake The newcomer's stake.
    event OperatorEvicted(address indexed operator, address indexed newcomer, uint256 stake, uint256 newcomerStake);
    /// @notice The threshold changed.
    /// @param oldThreshold Previous k.
    /// @param newThreshold New k.
    event ThresholdSet(uint256 oldThreshold, uint256 newThreshold);
    /// @notice The exit delay changed.
    /// @param oldDelaySeconds Previous delay.
    /// @param newDelaySeconds New delay.
    event ExitDelaySet(uint256 oldDelaySeconds, uint256 newDelaySeconds);

    /// @notice Registers the caller, locking the current policy's `minOperatorStake` of its free stake (see
    /// {registerWithStake}).
    function register() external;

    /// @notice Registers the caller, locking `stake` (at least the policy's `minOperatorStake`) of its free stake.
    /// When the `2k - 1` slots are full, evicts the member with the smallest stake if `stake` is larger.
    /// @param stake The stake to lock.
    function registerWithStake(uint256 stake) external;

    /// @notice Removes the caller from the set; its stake stays locked until `now + exitDelay`.
    function deregister() external;

    /// @notice Releases the stake of an exited `operator` after its exit time. Anyone may call.
    /// @param operator The exited operator.
    function releaseStake(address operator) external;

    /// @notice Slashes `slashBps` of `operator`'s lock for a fault in round `roundId`, pays `reporterBps` of it to
    /// `reporter` and the rest to the treasury, and removes the operator from the set for good. Works while the
    /// operator is registered or exiting. Once per (round, operator, reason). Only `SLASHER_ROLE` (the rounds
    /// contract, which proves the fault: two signatures, or an upheld dispute).
    /// @param operator The operator.
    /// @param roundId The round.
    /// @param reason The reason tag ("equivocation" or "wrong-result").
    /// @param slashBps The round's snapshotted rate for this fault.
    /// @param reporter Who proved it.
    /// @param reporterBps The reporter's share of the slashed amount.
    /// @return amount Stake slashed.
    function slashOperator(
        address operator,
        uint256 roundId,
        bytes32 reason,
        uint256 slashBps,
        address reporter,
        uint256 reporterBps
    ) external returns (uint256 amount);

    /// @notice Checks that `operator` may attest a round whose quorum was snapshotted at `eligibleAt` with minimum
    /// stake `minStake`, and if so holds its stake until at least `holdUntil`. Only `SLASHER_ROLE` (the rounds
    /// contract). Eligible: registered before `eligibleAt`, in the set at `eligibleAt` (still registered, or left
    /// after it), never slashed, and locking at least `minStake`.
    /// @param operator The signer.
    /// @param eligibleAt The round's snapshot time.
    /// @param minStake The round's snapshotted minimum operator stake.
    /// @param holdUntil The end of the round's latest possible challenge window.
    /// @return eligible Whether it may attest.
    function holdForAttestation(
        address operator,
        uint256 eligibleAt,
        uint256 minStake,
        uint256 holdUntil
    ) external returns (bool eligible);

    /// @notice Freezes (`true`) or unfreezes (`false`) `operator`'s stake for a dispute of a result it signed. Only
    /// `SLASHER_ROLE` (the rounds contract). Freezes count: each open dispute adds one.
    /// @param operator The operator.
    /// @param frozen Freeze or unfreeze.
    function setFrozen(address operator, bool frozen) external;

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

    /// @notice Whether `account` may attest a round whose quorum was snapshotted at `eligibleAt` (see
    /// {holdForAttestation}; without the stake check).
    /// @param account The signer.
    /// @param eligibleAt The round's snapshot time.
    function canAttest(address account, uint256 eligibleAt) external view returns (bool);

    /// @notice The registered operators (at most `2k - 1`), in no particular order.
    function operators() external view returns (address[] memory);

    /// @notice The state of `account` as an operator.
    /// @param account The account.
    function operatorInfo(address account) external view returns (Operator memory);
}

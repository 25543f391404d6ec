// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * @title IStaking
 * @notice Stake of contributors and oracle operators: deposits, an unbonding delay, locks held by the protocol's
 * own contracts, and slashing by authorised contracts only. Staked tokens keep their holder's voting power: the
 * staking contract is itself an ERC-5805 `Votes` source (timestamp clock) that the Governor adds to token votes.
 *
 * Accounting per account: `bonded` (includes `locked`), `locked` (held by lockers for rounds or operator duty) and
 * one `unbonding` request. Free stake is `bonded - locked`. Voting units are `bonded + unbonding`, i.e. every token the
 * contract holds for the account, so total voting units always equal {totalStaked}.
 */
interface IStaking {
    /// @notice The unbonding request of one account.
    /// @param amount Tokens waiting to be withdrawn (token base units).
    /// @param releaseAt Timestamp from which {withdraw} pays them out.
    struct Unbonding {
        uint128 amount;
        uint64 releaseAt;
    }

    /// @notice `amount` is zero where a positive amount is required.
    error StakingZeroAmount();
    /// @notice An address argument is the zero address.
    error StakingZeroAddress();
    /// @notice `account` has `free` unlocked bonded stake but `required` is needed.
    /// @param account The staker.
    /// @param free Bonded stake that is not locked.
    /// @param required The amount asked for.
    error StakingInsufficientFreeStake(address account, uint256 free, uint256 required);
    /// @notice `account` has only `locked` locked stake but `required` was to be unlocked or slashed.
    /// @param account The staker.
    /// @param locked Currently locked stake.
    /// @param required The amount asked for.
    error StakingInsufficientLockedStake(address account, uint256 locked, uint256 required);
    /// @notice The unbonding request of `account` releases at `releaseAt`, which is later than `nowSeconds`.
    /// @param account The staker.
    /// @param releaseAt Release time of the request.
    /// @param nowSeconds Current block timestamp.
    error StakingUnbondingNotReleased(address account, uint64 releaseAt, uint256 nowSeconds);
    /// @notice `account` has no unbonding request to withdraw.
    /// @param account The staker.
    error StakingNothingToWithdraw(address account);
    /// @notice A governed unbonding delay outside `[min, max]` seconds was proposed.
    /// @param delaySeconds The proposed delay.
    /// @param minSeconds Lower bound.
    /// @param maxSeconds Upper bound.
    error StakingUnbondingDelayOutOfBounds(uint256 delaySeconds, uint256 minSeconds, uint256 maxSeconds);

    /// @notice `account` deposited `amount` tokens; its bonded stake is now `bonded`.
    /// @param account The staker.
    /// @param amount Tokens deposited.
    /// @param bonded Bonded stake after the deposit.
    event Staked(address indexed account, uint256 amount, uint256 bonded);
    /// @notice `account` moved `amount` from bonded stake to unbonding; the whole request releases at `releaseAt`.
    /// @param account The staker.
    /// @param amount Tokens added to the request.
    /// @param releaseAt New release time of the (merged) request.
    event UnstakeRequested(address indexed account, uint256 amount, uint64 releaseAt);
    /// @notice `account` withdrew `amount` unbonded tokens.
    /// @param account The staker.
    /// @param amount Tokens paid out.
    event Withdrawn(address indexed account, uint256 amount);
    /// @notice `locker` locked `amount` of `account`'s free stake.
    /// @param account The staker.
    /// @param locker The contract holding the lock.
    /// @param amount Tokens locked.
    event StakeLocked(address indexed account, address indexed locker, uint256 amount);
    /// @notice `locker` released `amount` of `account`'s locked stake.
    /// @param account The staker.
    /// @param locker The contract releasing the lock.
    /// @param amount Tokens unlocked.
    event StakeUnlocked(address indexed account, address indexed locker, uint256 amount);
    /// @notice `slasher` slashed `amount` of `account`'s locked stake and sent it to `treasury`.
    /// @param account The staker.
    /// @param slasher The authorised contract that slashed.
    /// @param amount Tokens slashed.
    /// @param reason A short tag, e.g. `"non-reveal"`, `"invalid-update"`, `"equivocation"`.
    /// @param treasury Recipient of the slashed tokens.
    event Slashed(address indexed account, address indexed slasher, uint256 amount, bytes32 reason, address treasury);
    /// @notice The treasury receiving slashed tokens changed.
    /// @param oldTreasury Previous treasury.
    /// @param newTreasury New treasury.
    event TreasurySet(address oldTreasury, address newTreasury);
    /// @notice The governed unbonding delay changed.
    /// @param oldDelaySeconds Previous delay.
    /// @param newDelaySeconds New delay.
    event UnbondingDelaySet(uint256 oldDelaySeconds, uint256 newDelaySeconds);

    /// @notice Deposits `amount` tokens (after `approve`) as bonded stake of the caller.
    /// @dev On the caller's first deposit, when it has no stake delegate yet, its stake votes are delegated to its
    /// token delegate (or to itself), so staking never silently drops voting power.
    /// @param amount Tokens to deposit.
    function stake(uint256 amount) external;

    /// @notice Moves `amount` of the caller's free bonded stake into its unbonding request and restarts the
    /// request's timer (`releaseAt = now + unbondingDelay`). Unbonding stake keeps its votes but cannot be locked.
    /// @param amount Tokens to unbond.
    function requestUnstake(uint256 amount) external;

    /// @notice Pays out the caller's whole unbonding request once released.
    /// @return amount Tokens paid out.
    function withdraw() external returns (uint256 amount);

    /// @notice Locks `amount` of `account`'s free stake. Only for contracts with `LOCKER_ROLE`.
    /// @dev IMPORTANT: the staking contract keeps one lock total per account. A locker must track and release or
    /// slash only what it locked itself; the role is granted by governance to the protocol's own contracts only.
    /// @param account The staker.
    /// @param amount Tokens to lock.
    function lock(address account, uint256 amount) external;

    /// @notice Releases `amount` of `account`'s locked stake. Only for contracts with `LOCKER_ROLE`.
    /// @param account The staker.
    /// @param amount Tokens to unlock.
    function unlock(address account, uint256 amount) external;

    /// @notice Slashes `amount` of `account`'s locked stake: the tokens leave the stake (and its votes) and go to
    /// the treasury. Only for contracts with `SLASHER_ROLE`.
    /// @param account The staker.
    /// @param amount Tokens to slash (must be locked).
    /// @param reason A short tag recorded in {Slashed}.
    function slash(address account, uint256 amount, bytes32 reason) external;

    /// @notice Like {slash}, but `reward` of the slashed `amount` goes to `beneficiary` (the fault's reporter) and
    /// the rest to the treasury. Only for contracts with `SLASHER_ROLE`.
    /// @param account The staker.
    /// @param amount Tokens to slash (must be locked).
    /// @param reason A short tag recorded in {Slashed}.
    /// @param beneficiary Receives `reward`.
    /// @param reward Part of `amount` paid to `beneficiary` (at most `amount`).
    function slashWithReward(
        address account,
        uint256 amount,
        bytes32 reason,
        address beneficiary,
        uint256 reward
    ) external;

    /// @notice Sets the treasury that receives slashed tokens. Only `DEFAULT_ADMIN_ROLE` (the timelock).
    /// @param newTreasury The new treasury, not zero.
    function setTreasury(address newTreasury) external;

    /// @notice Sets the unbonding delay. Only `DEFAULT_ADMIN_ROLE` (the timelock).
    /// @param newDelaySeconds Between {MIN_UNBONDING_SECONDS} and {MAX_UNBONDING_SECONDS}.
    function setUnbondingDelay(uint256 newDelaySeconds) external;

    /// @notice The staked token.
    function token() external view returns (address);

    /// @notice Recipient of slashed tokens (and of the protocol's treasury share of rounds).
    function treasury() external view returns (address);

    /// @notice Seconds between {requestUnstake} and {withdraw}.
    function unbondingDelay() external view returns (uint256);

    /// @notice All tokens held for `account`: bonded plus unbonding (equal to its voting units).
    /// @param account The staker.
    function stakeOf(address account) external view returns (uint256);

    /// @notice Bonded stake of `account` (includes locked stake).
    /// @param account The staker.
    function bondedOf(address account) external view returns (uint256);

    /// @notice Locked stake of `account`.
    /// @param account The staker.
    function lockedOf(address account) external view returns (uint256);

    /// @notice Bonded stake of `account` that is not locked.
    /// @param account The staker.
    function freeStakeOf(address account) external view returns (uint256);

    /// @notice The unbonding request of `account`.
    /// @param account The staker.
    function unbondingOf(address account) external view returns (Unbonding memory);

    /// @notice Sum of {stakeOf} over all accounts.
    function totalStaked() external view returns (uint256);
}

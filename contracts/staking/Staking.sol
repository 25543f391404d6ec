// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Votes} from "@openzeppelin/contracts/governance/utils/Votes.sol";
import {IVotes} from "@openzeppelin/contracts/governance/utils/IVotes.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {Time} from "@openzeppelin/contracts/utils/types/Time.sol";

import {IStaking} from "../interfaces/IStaking.sol";

/**
 * @title Staking
 * @notice Stake of contributors and oracle operators (see {IStaking}). Also an ERC-5805 votes source on a timestamp
 * clock: staked tokens keep their holder's voting power, read by the Governor at the proposal snapshot.
 * @dev Trust model: anyone stakes, unbonds and withdraws their own tokens. `LOCKER_ROLE` (rounds, oracle registry)
 * locks and unlocks; `SLASHER_ROLE` (the same contracts) slashes locked stake to the treasury. `DEFAULT_ADMIN_ROLE`
 * (the timelock) grants roles and sets the treasury and the unbonding delay. The token is the trusted protocol token
 * (no fee on transfer), so deposits are credited at face value.
 * @custom:invariant token.balanceOf(this) == totalStaked() == sum of stakeOf(account) ==
 * deposits - withdrawals - slashed.
 * @custom:invariant total voting units (getTotalSupply) == totalStaked().
 * @custom:invariant lockedOf(account) <= bondedOf(account) for every account.
 */
contract Staking is IStaking, AccessControl, Votes, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;

    /// @notice Role of contracts that lock and unlock stake.
    bytes32 public constant LOCKER_ROLE = keccak256("LOCKER_ROLE");
    /// @notice Role of contracts that slash locked stake.
    bytes32 public constant SLASHER_ROLE = keccak256("SLASHER_ROLE");
    /// @notice Lowest governed unbonding delay (1 day).
    uint256 public constant MIN_UNBONDING_SECONDS = 1 days;
    /// @notice Highest governed unbonding delay (90 days).
    uint256 public constant MAX_UNBONDING_SECONDS = 90 days;

    /// @dev One slot per account: bonded stake (locked included) and locked stake.
    struct Account {
        uint128 bonded;
        uint128 locked;
    }

    IERC20 private immutable _token;
    address private _treasury;
    uint256 private _unbondingDelay;
    mapping(address account => Account state) private _accounts;
    mapping(address account => Unbonding request) private _unbondings;

    /// @param token_ The protocol token.
    /// @param treasury_ Recipient of slashed tokens.
    /// @param unbondingDelaySeconds Initial unbonding delay.
    /// @param admin Initial `DEFAULT_ADMIN_ROLE` holder (the deployer, which hands it to the timelock).
    constructor(
        IERC20 token_,
        address treasury_,
        uint256 unbondingDelaySeconds,
        address admin
    ) EIP712("Commonweight Staking", "1") {
        if (address(token_) == address(0) || admin == address(0)) revert StakingZeroAddress();
        _token = token_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _setTreasury(treasury_);
        _setUnbondingDelay(unbondingDelaySeconds);
    }

    // ---------------------------------------------------------------- stakers

    /// @inheritdoc IStaking
    function stake(uint256 amount) external nonReentrant {
        if (amount == 0) revert StakingZeroAmount();
        address account = _msgSender();
        if (delegates(account) == address(0)) {
            // First stake: follow the token delegation, so moving tokens into stake keeps the same voter. Runs
            // before the balance update because `_delegate` moves the account's current voting units.
            address tokenDelegate = IVotes(address(_token)).delegates(account);
            _delegate(account, tokenDelegate == address(0) ? account : tokenDelegate);
        }
        Account storage acc = _accounts[account];
        uint256 bonded = acc.bonded + amount;
        acc.bonded = bonded.toUint128();
        _transferVotingUnits(address(0), account, amount);
        emit Staked(account, amount, bonded);
        _token.safeTransferFrom(account, address(this), amount);
    }

    /// @inheritdoc IStaking
    function requestUnstake(uint256 amount) external {
        if (amount == 0) revert StakingZeroAmount();
        address account = _msgSender();
        Account storage acc = _accounts[account];
        uint256 free = acc.bonded - acc.locked;
        if (amount > free) revert StakingInsufficientFreeStake(account, free, amount);
        // Cannot underflow: amount <= free <= bonded.
        unchecked {
            acc.bonded -= uint128(amount);
        }
        Unbonding storage request = _unbondings[account];
        uint64 releaseAt = (block.timestamp + _unbondingDelay).toUint64();
        request.amount = (request.amount + amount).toUint128();
        request.releaseAt = releaseAt;
        emit UnstakeRequested(account, amount, releaseAt);
    }

    /// @inheritdoc IStaking
    function withdraw() external nonReentrant returns (uint256 amount) {
        address account = _msgSender();
        Unbonding memory request = _unbondings[account];
        if (request.amount == 0) revert StakingNothingToWithdraw(account);
        if (block.timestamp < request.releaseAt) {
            revert StakingUnbondingNotReleased(account, request.releaseAt, block.timestamp);
        }
        amount = request.amount;
        delete _unbondings[account];
        _transferVotingUnits(account, address(0), amount);
        emit Withdrawn(account, amount);
        _token.safeTransfer(account, amount);
    }

    // ---------------------------------------------------------------- protocol contracts

    /// @inheritdoc IStaking
    function lock(address account, uint256 amount) external onlyRole(LOCKER_ROLE) {
        Account storage acc = _accounts[account];
        uint256 free = acc.bonded - acc.locked;
        if (amount > free) revert StakingInsufficientFreeStake(account, free, amount);
        // Cannot overflow: locked + amount <= bonded, which fits in uint128.
        unchecked {
            acc.locked += uint128(amount);
        }
        emit StakeLocked(account, _msgSender(), amount);
    }

    /// @inheritdoc IStaking
    function unlock(address account, uint256 amount) external onlyRole(LOCKER_ROLE) {
        Account storage acc = _accounts[account];
        uint256 locked = acc.locked;
        if (amount > locked) revert StakingInsufficientLockedStake(account, locked, amount);
        // Cannot underflow: amount <= locked.
        unchecked {
            acc.locked = uint128(locked - amount);
        }
        emit StakeUnlocked(account, _msgSender(), amount);
    }

    /// @inheritdoc IStaking
    function slash(address account, uint256 amount, bytes32 reason) external onlyRole(SLASHER_ROLE) nonReentrant {
        _slash(account, amount, reason, address(0), 0);
    }

    /// @inheritdoc IStaking
    function slashWithReward(
        address account,
        uint256 amount,
        bytes32 reason,
        address beneficiary,
        uint256 reward
    ) external onlyRole(SLASHER_ROLE) nonReentrant {
        if (reward > amount) revert StakingInsufficientLockedStake(account, amount, reward);
        if (reward > 0 && beneficiary == address(0)) revert StakingZeroAddress();
        _slash(account, amount, reason, beneficiary, reward);
    }

    /// @dev Burns `amount` of the lock (and its votes), pays `reward` to `beneficiary` and the rest to the treasury.
    function _slash(address account, uint256 amount, bytes32 reason, address beneficiary, uint256 reward) private {
        Account storage acc = _accounts[account];
        uint256 locked = acc.locked;
        if (amount > locked) revert StakingInsufficientLockedStake(account, locked, amount);
        // Cannot underflow: amount <= locked <= bonded.
        unchecked {
            acc.locked = uint128(locked - amount);
            acc.bonded -= uint128(amount);
        }
        _transferVotingUnits(account, address(0), amount);
        address treasury_ = _treasury;
        emit Slashed(account, _msgSender(), amount, reason, treasury_);
        if (reward > 0) _token.safeTransfer(beneficiary, reward);
        if (amount > reward) _token.safeTransfer(treasury_, amount - reward);
    }

    // ---------------------------------------------------------------- governance

    /// @inheritdoc IStaking
    function setTreasury(address newTreasury) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setTreasury(newTreasury);
    }

    /// @inheritdoc IStaking
    function setUnbondingDelay(uint256 newDelaySeconds) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setUnbondingDelay(newDelaySeconds);
    }

    // ---------------------------------------------------------------- views

    /// @notice ERC-6372 clock: the block timestamp (same clock as the token and the Governor).
    function clock() public view override returns (uint48) {
        return Time.timestamp();
    }

    /// @notice ERC-6372 clock mode.
    // solhint-disable-next-line func-name-mixedcase
    function CLOCK_MODE() public pure override returns (string memory) {
        return "mode=timestamp";
    }

    /// @inheritdoc IStaking
    function token() external view returns (address) {
        return address(_token);
    }

    /// @inheritdoc IStaking
    function treasury() external view returns (address) {
        return _treasury;
    }

    /// @inheritdoc IStaking
    function unbondingDelay() external view returns (uint256) {
        return _unbondingDelay;
    }

    /// @inheritdoc IStaking
    function stakeOf(address account) public view returns (uint256) {
        return uint256(_accounts[account].bonded) + _unbondings[account].amount;
    }

    /// @inheritdoc IStaking
    function bondedOf(address account) external view returns (uint256) {
        return _accounts[account].bonded;
    }

    /// @inheritdoc IStaking
    function lockedOf(address account) external view returns (uint256) {
        return _accounts[account].locked;
    }

    /// @inheritdoc IStaking
    function freeStakeOf(address account) external view returns (uint256) {
        Account memory acc = _accounts[account];
        return acc.bonded - acc.locked;
    }

    /// @inheritdoc IStaking
    function unbondingOf(address account) external view returns (Unbonding memory) {
        return _unbondings[account];
    }

    /// @inheritdoc IStaking
    function totalStaked() external view returns (uint256) {
        // Every staked token is exactly one voting unit (see {_getVotingUnits}) and every change of stake moves voting
        // units to or from address(0), so the Votes total-supply checkpoint is the total stake; a separate counter
        // would be a second SSTORE per stake, withdrawal and slash.
        return _getTotalSupply();
    }

    /// @notice Delegate of `account`'s stake votes (ERC-5805).
    /// @dev address(0) never has a delegate: {delegate} and {stake} delegate for `_msgSender()` and {delegateBySig} for
    /// an `ECDSA.recover` signer, neither of which is ever address(0). Answering that case without an SLOAD saves a
    /// cold storage read in every `_transferVotingUnits` from or to address(0) (stake, withdraw, slash).
    function delegates(address account) public view override returns (address) {
        if (account == address(0)) return address(0);
        return super.delegates(account);
    }

    /// @notice Current total voting units (all staked tokens, delegated or not).
    function totalVotingUnits() external view returns (uint256) {
        return _getTotalSupply();
    }

    // ---------------------------------------------------------------- internal

    /// @dev Voting units of `account`: every token held for it (bonded + unbonding).
    function _getVotingUnits(address account) internal view override returns (uint256) {
        return stakeOf(account);
    }

    function _setTreasury(address newTreasury) private {
        if (newTreasury == address(0)) revert StakingZeroAddress();
        emit TreasurySet(_treasury, newTreasury);
        _treasury = newTreasury;
    }

    function _setUnbondingDelay(uint256 newDelaySeconds) private {
        if (newDelaySeconds < MIN_UNBONDING_SECONDS || newDelaySeconds > MAX_UNBONDING_SECONDS) {
            revert StakingUnbondingDelayOutOfBounds(newDelaySeconds, MIN_UNBONDING_SECONDS, MAX_UNBONDING_SECONDS);
        }
        emit UnbondingDelaySet(_unbondingDelay, newDelaySeconds);
        _unbondingDelay = newDelaySeconds;
    }
}

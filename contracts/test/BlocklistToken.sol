// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title BlocklistToken
/// @notice Test-only ERC-20 whose transfers to a blocked address revert (like USDC's blocklist), to test that one
/// failing sweep transfer does not strand the other.
contract BlocklistToken is ERC20 {
    mapping(address account => bool blocked) private _blocked;

    /// @notice Thrown on a transfer to a blocked `account`.
    error BlocklistTokenBlocked(address account);

    constructor() ERC20("Blocklist Token", "BLK") {}

    /// @notice Mints `amount` to `to` (test helper).
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Blocks or unblocks transfers to `account` (test helper).
    function setBlocked(address account, bool blocked) external {
        _blocked[account] = blocked;
    }

    function _update(address from, address to, uint256 value) internal override {
        if (_blocked[to]) revert BlocklistTokenBlocked(to);
        super._update(from, to, value);
    }
}

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title FeeOnTransferToken
/// @notice Test-only ERC-20 that burns `feeBps` of every transfer, to test balance-delta escrow crediting.
contract FeeOnTransferToken is ERC20 {
    uint256 private immutable _feeBps;

    /// @param feeBps Share of each transfer burnt, in basis points.
    constructor(uint256 feeBps) ERC20("Fee Token", "FEE") {
        _feeBps = feeBps;
    }

    /// @notice Mints `amount` to `to` (test helper).
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function _update(address from, address to, uint256 value) internal override {
        if (from == address(0) || to == address(0)) return super._update(from, to, value);
        uint256 fee = (value * _feeBps) / 10_000;
        super._update(from, address(0), fee);
        super._update(from, to, value - fee);
    }
}

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title SmokeToken
/// @notice Test-only ERC-20 that proves the toolchain compiles and deploys OpenZeppelin code offline.
/// @dev Never referenced by deployment modules.
contract SmokeToken is ERC20 {
    constructor(uint256 initialSupply) ERC20("Smoke", "SMOKE") {
        _mint(msg.sender, initialSupply);
    }
}

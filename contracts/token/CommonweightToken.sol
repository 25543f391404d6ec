// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {ERC20Votes} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Votes.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {Time} from "@openzeppelin/contracts/utils/types/Time.sol";

/**
 * @title CommonweightToken
 * @notice The governance and reward token (CWT): ERC-20 with EIP-2612 permits and ERC-5805 votes on a timestamp
 * clock (ERC-6372 `mode=timestamp`), so governance works the same on L1 and on L2s with irregular block times.
 * @dev The whole supply is minted once at deployment; there is no minter. Holders must delegate (to themselves or
 * someone else) for their balance to count as votes.
 * @custom:invariant totalSupply() never changes after construction.
 */
contract CommonweightToken is ERC20, ERC20Permit, ERC20Votes {
    /// @param initialHolder Receives the whole supply.
    /// @param initialSupply Total supply in base units (18 decimals).
    constructor(
        address initialHolder,
        uint256 initialSupply
    ) ERC20("Commonweight", "CWT") ERC20Permit("Commonweight") {
        _mint(initialHolder, initialSupply);
    }

    /// @notice ERC-6372 clock: the block timestamp.
    function clock() public view override returns (uint48) {
        return Time.timestamp();
    }

    /// @notice ERC-6372 clock mode.
    // solhint-disable-next-line func-name-mixedcase
    function CLOCK_MODE() public pure override returns (string memory) {
        return "mode=timestamp";
    }

    /// @inheritdoc ERC20Permit
    function nonces(address owner) public view override(ERC20Permit, Nonces) returns (uint256) {
        return super.nonces(owner);
    }

    function _update(address from, address to, uint256 value) internal override(ERC20, ERC20Votes) {
        super._update(from, to, value);
    }
}

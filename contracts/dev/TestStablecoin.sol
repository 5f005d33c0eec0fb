// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";

/**
 * @title Test USD (tUSD)
 * @notice LOCAL CHAINS ONLY. A 6-decimal stablecoin stand-in with ERC-2612 permit, used as the payout asset of
 *         Black Gold dividends on development chains. The deploy script deploys it only on local chains (Ganache);
 *         it is worthless: {mint} is open to anyone.
 */
contract TestStablecoin is ERC20, ERC20Permit {
    constructor() ERC20("Test USD", "tUSD") ERC20Permit("Test USD") {}

    /// @notice 6, like USDC.
    function decimals() public pure override returns (uint8) {
        return 6;
    }

    /// @notice Mint `amount` (smallest units) to `to`. Open to anyone: local chains only.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}

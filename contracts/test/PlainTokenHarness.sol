// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";

/// TEST/BENCH ONLY. DividendTokenHarness without the dividends extension: the gas baseline of bench/gas_dividends.py.
contract PlainTokenHarness is ERC20, ERC20Permit {
    constructor() ERC20("Plain Harness", "PLNH") ERC20Permit("Plain Harness") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function mintBatch(address[] calldata recipients, uint256[] calldata amounts) external {
        require(recipients.length == amounts.length, "length");
        for (uint256 i = 0; i < recipients.length; ++i) {
            _mint(recipients[i], amounts[i]);
        }
    }

    function burn(address from, uint256 amount) external {
        _burn(from, amount);
    }
}

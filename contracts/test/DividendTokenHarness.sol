// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {ERC20Dividends} from "../extensions/ERC20Dividends.sol";

/// TEST ONLY -- never deployed by scripts/deploy.py. An ERC20 + ERC20Permit + ERC20Dividends token whose mint,
/// batch mint and burn are open to anyone, so tests drive balances directly. Dividends admin: `admin`.
contract DividendTokenHarness is ERC20, ERC20Permit, ERC20Dividends {
    address public immutable admin;

    error HarnessUnauthorized(address caller);

    constructor(address admin_) ERC20("Dividend Harness", "DIVH") ERC20Permit("Dividend Harness") {
        admin = admin_;
    }

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @dev Like BlackGold.mintBatch once every balance change passes through `_update`: `_mint` per recipient.
    function mintBatch(address[] calldata recipients, uint256[] calldata amounts) external {
        require(recipients.length == amounts.length, "length");
        for (uint256 i = 0; i < recipients.length; ++i) {
            _mint(recipients[i], amounts[i]);
        }
    }

    function burn(address from, uint256 amount) external {
        _burn(from, amount);
    }

    function nonces(address owner) public view override(ERC20Permit, Nonces) returns (uint256) {
        return super.nonces(owner);
    }

    function _update(address from, address to, uint256 value) internal override(ERC20, ERC20Dividends) {
        super._update(from, to, value);
    }

    function _authorizeDividendsAdmin() internal view override {
        if (msg.sender != admin) revert HarnessUnauthorized(msg.sender);
    }
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {BlackGold} from "../BlackGold.sol";

/**
 * @title BlackGoldUpdateSpy
 * @notice TEST ONLY (contracts/test/): never deployed by scripts/deploy.py. BlackGold with an `_update` override
 *         that records every call, as a future extension (e.g. a per-holder dividend accumulator) would override
 *         it: the token tests check that every balance change, each recipient of `mintBatch` included, reaches it.
 */
contract BlackGoldUpdateSpy is BlackGold {
    /// @notice One call of `_update(from, to, value)`.
    event UpdateSeen(address indexed from, address indexed to, uint256 value);

    constructor(uint256 initialCap, address admin) BlackGold(initialCap, admin) {}

    function _update(address from, address to, uint256 value) internal override {
        emit UpdateSeen(from, to, value);
        super._update(from, to, value);
    }
}

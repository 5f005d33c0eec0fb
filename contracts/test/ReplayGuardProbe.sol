// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {BitMaps} from "@openzeppelin/contracts/utils/structs/BitMaps.sol";

/**
 * @title ReplayGuardProbe
 * @notice BENCH ONLY (contracts/test/): never deployed by scripts/deploy.py. Measures what each candidate replay
 *         guard costs per order, so the choice in PurchaseMining is backed by figures (bench/gas_mining.py).
 *         Each function marks `refs` in its own structure, exactly as a guard would, and nothing else.
 */
contract ReplayGuardProbe {
    using BitMaps for BitMaps.BitMap;

    mapping(bytes32 orderRef => bool) private _used;
    BitMaps.BitMap private _byRef;
    BitMaps.BitMap private _bySequence;

    /// @notice Candidate 1 (chosen): `mapping(bytes32 => bool)` keyed by the order reference.
    function markMapping(bytes32[] calldata refs) external {
        for (uint256 i; i < refs.length; ++i) {
            if (!_used[refs[i]]) _used[refs[i]] = true;
        }
    }

    /// @notice Candidate 2: an OpenZeppelin BitMap keyed by the order reference (256 refs per word if they collide).
    function markBitmapByRef(bytes32[] calldata refs) external {
        for (uint256 i; i < refs.length; ++i) {
            uint256 key = uint256(refs[i]);
            if (!_byRef.get(key)) _byRef.set(key);
        }
    }

    /// @notice Candidate 3 (unsound here, for reference): a BitMap over dense sequence numbers `first..first+n-1`,
    ///         which would need one global sequence; the oracles have none, and two oracles would give the same
    ///         order two numbers.
    function markBitmapBySequence(uint256 first, uint256 n) external {
        for (uint256 i; i < n; ++i) {
            uint256 key = first + i;
            if (!_bySequence.get(key)) _bySequence.set(key);
        }
    }
}

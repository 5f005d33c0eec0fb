// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/**
 * @title RecipientTally
 * @notice In-memory sum of grams per recipient over one batch, so each distinct recipient is minted once per
 *         batch (one token balance write, one Transfer event) however many purchases in the batch name it.
 * @dev Open addressing with linear probing over a power-of-two table, load factor <= 1/2. A table word holds
 *      `recipient | (index + 1) << 160`, `index` pointing into a dense array of (recipient, amount) pairs kept
 *      in insertion order. The probe starts at keccak256(recipient XOR salt): with a salt nobody knows in advance
 *      (the previous block hash), addresses cannot be ground to collide, so a batch costs O(1) probes per
 *      recipient on average. Written in assembly because it runs three times per purchase (gas, issue 6).
 *      Amounts are sums of grams of one batch (< 2^128 each, at most 3 x 2^32 entries): no overflow.
 */
library RecipientTally {
    /// @param table memory pointer of the `size`-word hash table
    /// @param mask size - 1
    /// @param entries memory pointer of the dense (recipient, amount) pairs, 64 bytes each
    /// @param count number of distinct recipients so far
    /// @param salt probe salt
    struct Tally {
        uint256 table;
        uint256 mask;
        uint256 entries;
        uint256 count;
        uint256 salt;
    }

    /// @notice A zeroed tally for at most `maxEntries` distinct recipients.
    function create(uint256 maxEntries, uint256 salt) internal pure returns (Tally memory t) {
        uint256 size = 8;
        while (size < 2 * maxEntries) size <<= 1;
        uint256 tableBytes = size << 5;
        uint256 entriesBytes = maxEntries << 6;
        uint256 ptr;
        assembly ("memory-safe") {
            ptr := mload(0x40)
            // zero the table (memory past the free pointer may hold scratch data): copying from past the end
            // of calldata writes zeros
            calldatacopy(ptr, calldatasize(), tableBytes)
            mstore(0x40, add(ptr, add(tableBytes, entriesBytes)))
        }
        t.table = ptr;
        t.mask = size - 1;
        t.entries = ptr + tableBytes;
        t.salt = salt;
    }

    /// @notice Add `amount` grams for `who` (no-op for a zero amount).
    function add(Tally memory t, address who, uint256 amount) internal pure {
        if (amount == 0) return;
        assembly ("memory-safe") {
            let key := and(who, 0xffffffffffffffffffffffffffffffffffffffff)
            let table := mload(t)
            let mask := mload(add(t, 0x20))
            mstore(0x00, xor(key, mload(add(t, 0x80))))
            let i := and(keccak256(0x00, 0x20), mask)
            for {} 1 {} {
                let slotPtr := add(table, shl(5, i))
                let s := mload(slotPtr)
                if iszero(s) {
                    let idx := mload(add(t, 0x60))
                    let e := add(mload(add(t, 0x40)), shl(6, idx))
                    mstore(e, key)
                    mstore(add(e, 0x20), amount)
                    mstore(slotPtr, or(key, shl(160, add(idx, 1))))
                    mstore(add(t, 0x60), add(idx, 1))
                    break
                }
                if eq(and(s, 0xffffffffffffffffffffffffffffffffffffffff), key) {
                    let e := add(add(mload(add(t, 0x40)), shl(6, sub(shr(160, s), 1))), 0x20)
                    mstore(e, add(mload(e), amount))
                    break
                }
                i := and(add(i, 1), mask)
            }
        }
    }

}

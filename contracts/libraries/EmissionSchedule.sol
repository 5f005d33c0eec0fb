// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/**
 * @title EmissionSchedule
 * @notice The halving schedule of purchase mining, as pure integer arithmetic.
 *
 * Notation: `A` = mining allocation, `M` = grams mined so far (both in grams-wei), `R = A - M` the grams left,
 * `r0` = base rate (grams-wei per minor currency unit), `B` = 10,000 basis points.
 *
 * Epochs. Epoch `k` (k = 0, 1, 2, ...) is the range of cumulative mined grams
 *     [A - floor(A / 2^k), A - floor(A / 2^(k+1)))
 * i.e. epoch 0 ends at A/2, epoch 1 at 3A/4, epoch 2 at 7A/8, ...; its rate is `r0 / 2^k`.
 * For a position `M < A` the epoch is
 *     k = floor(log2(A / R))            (integer division inside; proof: R <= floor(A/2^k) <=> R * 2^k <= A)
 * so the epoch is a pure function of (A, M): there is no stored epoch counter, and changing the allocation
 * "continues the schedule from the new allocation" by construction (see {PurchaseMining-setAllocation}).
 *
 * Pricing. A purchase whose minted part is worth `N = amount * r0 * mintBps` (grams-wei x bps at the base rate)
 * is priced piecewise: in epoch k it is worth floor(N / (B * 2^k)) grams. If that fits in the room left in the
 * epoch, `room = R - floor(A / 2^(k+1))`, it is minted and we are done; otherwise `room` grams are minted at
 * epoch k's rate, the part of the purchase they paid for (`room * B * 2^k` of N, exactly, no rounding) is
 * removed from N, and the rest is priced in epoch k+1 at half the rate. Only the very last division rounds
 * down (dust < 1 gram-wei per purchase). The room of each epoch is at least 1 wei while R > 0, the epochs
 * telescope to exactly A, so mining never crosses the allocation.
 */
library EmissionSchedule {
    uint256 internal constant BPS = 10_000;

    /// @notice Position on the schedule, kept in memory while a batch is priced.
    /// @param allocation A
    /// @param remaining R = A - M
    /// @param epoch k (meaningless once remaining == 0)
    /// @param capRoom grams the token can still mint (its cap), minus what this batch already took
    struct Cursor {
        uint256 allocation;
        uint256 remaining;
        uint256 epoch;
        uint256 capRoom;
    }

    /// @notice Epoch of a position with `remaining` grams left out of `allocation` (0 when nothing is left).
    function epochOf(uint256 allocation, uint256 remaining) internal pure returns (uint256) {
        if (remaining == 0) return 0;
        return Math.log2(allocation / remaining);
    }

    /// @notice A cursor at the current position, with the token's cap room.
    function open(uint256 allocation, uint256 mined, uint256 capRoom) internal pure returns (Cursor memory c) {
        c.allocation = allocation;
        c.remaining = allocation - mined;
        c.epoch = epochOf(allocation, c.remaining);
        c.capRoom = capRoom;
    }

    /**
     * @notice Price `nominal` (= amount x r0 x mintBps) piecewise from the cursor, advance the cursor, and return
     *         the grams minted. Never more than the allocation left, never more than the cap room left.
     */
    function advance(Cursor memory c, uint256 nominal) internal pure returns (uint256 grams) {
        // Unchecked (the callers run it per purchase): k < 128 (an epoch of a 128-bit allocation), so k + 1 and
        // the shifts are in range; r - floorNext >= 1 by the epoch invariant; r -= want with want <= room <= r;
        // room * BPS < 2^128 * 2^14, and the subtraction from nominal is proven below; start - r and
        // start - grams with r, grams <= start; capRoom -= grams with grams <= capRoom.
        unchecked {
            uint256 a = c.allocation;
            uint256 r = c.remaining;
            uint256 k = c.epoch;
            uint256 start = r;
            while (r != 0) {
                uint256 floorNext = a >> (k + 1);
                uint256 room = r - floorNext; // >= 1: invariant floor(A/2^(k+1)) < R <= floor(A/2^k)
                uint256 want = (nominal >> k) / BPS; // floor(N / (B * 2^k))
                if (want <= room) {
                    r -= want;
                    if (r == floorNext) ++k; // landed exactly on the boundary: the next gram is priced at half rate
                    break;
                }
                // want > room implies nominal >= (room + 1) * B * 2^k: the subtraction below cannot underflow.
                r = floorNext;
                nominal -= (room * BPS) << k;
                ++k;
            }
            grams = start - r;
            if (grams > c.capRoom) {
                // The token's cap binds before the allocation does: mint what the cap allows, nothing more.
                grams = c.capRoom;
                r = start - grams;
                k = epochOf(a, r);
            }
            c.remaining = r;
            c.epoch = k;
            c.capRoom -= grams;
        }
    }
}

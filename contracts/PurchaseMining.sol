// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {IPurchaseMining} from "./interfaces/IPurchaseMining.sol";
import {IBlackGoldMinter} from "./interfaces/IBlackGoldMinter.sol";
import {EmissionSchedule} from "./libraries/EmissionSchedule.sol";
import {RecipientTally} from "./libraries/RecipientTally.sol";

/**
 * @title PurchaseMining
 * @notice "One consumption is one mining": the on-chain rule that turns a verified purchase into Black Gold
 *         grams for its consumer, referrer, supplier and the platform. The oracle only attests that a purchase
 *         happened; how many grams anyone gets is decided here, the same for everyone, readable by anyone.
 *
 * The rule (all quantities in wei: 1 gram = 1e18; `B` = 10,000 bps):
 * - Rate. `rate = baseRate / 2^k` grams-wei per minor currency unit (e.g. per fen), where the epoch
 *   `k = floor(log2(A / (A - M)))`, `A` = mining allocation, `M` = grams mined so far. The rate halves each time
 *   `M` crosses A/2, 3A/4, 7A/8, ... (boundary of epoch k: `A - floor(A / 2^(k+1))`).
 * - Grams. A purchase of `amount` mints `G = amount x rate x mintBps / B` grams, where `mintBps = B`, or
 *   `B - referrer share` when it has no referrer (the referrer's share is then not minted). A purchase that
 *   straddles a boundary is priced piecewise, exactly: the part that fills the epoch at its rate, the rest at half
 *   the rate, and so on (see {EmissionSchedule}). Only the last division rounds down.
 * - Never past the allocation (the epochs telescope to exactly A) and never past the token's cap
 *   (`token.remainingMintable()`). When the allocation (or the cap) is exhausted, a purchase mints what is left,
 *   then later purchases mint zero grams: they are still recorded as mined (event with zeros), so the oracle
 *   never retries them forever. The same holds for a purchase too small to be worth one gram-wei.
 * - Split. Default shares `consumerBps + referrerBps + supplierBps + platformBps = B`. A merchant override
 *   `o` (Purchase.referrerBps, 0 = none, `o <= maxReferrerBps`) sets the referrer share to `o` and the consumer
 *   share to `consumerBps + referrerBps - o`: it moves grams between referrer and consumer only. Referrer,
 *   supplier and platform get `floor(G x share / mintBps)`; the consumer gets the rest, so the four parts sum to
 *   `G` exactly: no gram is minted beyond the purchase's total and the rounding dust (< 3 wei) goes to the
 *   consumer.
 * - Allocation raised by vote: the epoch is a function of (A, M) only, so the schedule continues on the new
 *   allocation as if it had always been the allocation: `k' = floor(log2(A' / (A' - M)))`.
 * - Daily ceiling. A token bucket of capacity `dailyCeiling` grams, refilled continuously at
 *   `dailyCeiling / 1 day`: a batch may use at most what the bucket holds, else the whole batch reverts with
 *   {DailyCeilingExceeded}. A stolen oracle key can mint at most `dailyCeiling x (1 + t / 1 day)` in any span t.
 * - Replay guard: `mapping(bytes32 => bool)` keyed by the order reference (see {isMined} for the gas figures).
 *
 * Powers: governance (the timelock) holds DEFAULT_ADMIN_ROLE: it adds/removes oracles (ORACLE_ROLE) and changes
 * every parameter, each change evented. PAUSER_ROLE (governance, and whoever it names, e.g. a guardian) may
 * pause purchase minting; only governance unpauses. Pausing never touches transfers. This contract can only
 * mint new grams within the token's cap; it holds no power over any holder's balance.
 */
contract PurchaseMining is IPurchaseMining, AccessControl, Pausable {
    using EmissionSchedule for EmissionSchedule.Cursor;
    using RecipientTally for RecipientTally.Tally;

    /// @notice Role of the mint oracles allowed to submit purchases.
    bytes32 public constant ORACLE_ROLE = keccak256("ORACLE_ROLE");
    /// @notice Role allowed to pause purchase minting (not to unpause).
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");
    /// @notice 100% in basis points.
    uint256 public constant BPS = 10_000;
    /// @notice Largest accepted purchase amount in minor units (keeps the exact arithmetic far from overflow).
    uint256 public constant MAX_AMOUNT = type(uint96).max;

    /// @notice The Black Gold token this contract mints.
    IBlackGoldMinter public immutable token;

    /// @dev Rate and split, read once per batch (one slot).
    struct Params {
        uint96 baseRate;
        uint16 consumerBps;
        uint16 referrerBps;
        uint16 supplierBps;
        uint16 platformBps;
        uint16 maxReferrerBps;
    }

    /// @dev Schedule position (one slot): allocation A and grams mined M.
    struct Schedule {
        uint128 allocation;
        uint128 mined;
    }

    /// @dev Daily ceiling token bucket (one slot).
    struct Bucket {
        uint96 ceiling;
        uint96 level;
        uint64 updatedAt;
    }

    Params private _params;
    Schedule private _schedule;
    Bucket private _bucket;
    /// @notice Receives the platform's share (minted once per batch, summed over the batch's purchases).
    address public platform;
    mapping(bytes32 orderRef => bool) private _mined;

    /// @notice The base rate (grams-wei per minor unit in epoch 0) changed.
    event BaseRateSet(uint256 previousRate, uint256 newRate);
    /// @notice The default split changed.
    event SplitSet(uint16 consumerBps, uint16 referrerBps, uint16 supplierBps, uint16 platformBps);
    /// @notice The bound on merchant referrer overrides changed.
    event MaxReferrerBpsSet(uint16 previousMax, uint16 newMax);
    /// @notice The daily ceiling (grams-wei per rolling day) changed.
    event DailyCeilingSet(uint256 previousCeiling, uint256 newCeiling);
    /// @notice The mining allocation changed; the schedule continues from the new allocation.
    event AllocationSet(uint256 previousAllocation, uint256 newAllocation, uint256 minedSoFar);
    /// @notice The platform's receiving address changed.
    event PlatformSet(address indexed previousPlatform, address indexed newPlatform);

    /// @notice `mintBatch` was called with no purchase.
    error EmptyBatch();
    /// @notice Purchase `index` has a zero order reference.
    error ZeroOrderRef(uint256 index);
    /// @notice Purchase `index` has the zero address as consumer.
    error ZeroConsumer(uint256 index);
    /// @notice Purchase `index` has the zero address as supplier.
    error ZeroSupplier(uint256 index);
    /// @notice Purchase `index` has a zero amount.
    error ZeroAmount(uint256 index);
    /// @notice Purchase `index` has an amount above {MAX_AMOUNT}.
    error AmountTooLarge(uint256 index, uint256 amount, uint256 max);
    /// @notice Purchase `index` overrides the referrer share above the governance maximum.
    error ReferrerBpsTooHigh(uint256 index, uint256 referrerBps, uint256 max);
    /// @notice A zero address (or, for the token, an address without code) where an address is required.
    error ZeroAddress(string what);
    /// @notice The base rate is zero or does not fit in 96 bits.
    error InvalidRate(uint256 rate);
    /// @notice The split does not sum to 10,000 bps.
    error InvalidSplit(uint256 sum);
    /// @notice The referrer maximum exceeds consumer + referrer default shares (the consumer share would go negative).
    error InvalidMaxReferrerBps(uint256 maxReferrerBps, uint256 limit);
    /// @notice The daily ceiling is zero or does not fit in 96 bits.
    error InvalidCeiling(uint256 ceiling);
    /// @notice The allocation is below the grams already mined, or does not fit in 128 bits.
    error InvalidAllocation(uint256 allocation, uint256 mined);

    /**
     * @param token_ the Black Gold token (this contract needs its MINTER_ROLE, granted separately)
     * @param governance receives DEFAULT_ADMIN_ROLE and PAUSER_ROLE: the timelock in production
     * @param platform_ receives the platform's share
     * @param baseRate_ grams-wei per minor currency unit in epoch 0 (e.g. 1e16 = 1 gram per yuan at 100 fen/yuan)
     * @param allocation_ grams-wei the schedule may mine in total (A)
     * @param consumerBps default consumer share
     * @param referrerBps default referrer share
     * @param supplierBps supplier share
     * @param platformBps platform share
     * @param maxReferrerBps_ upper bound of merchant overrides of the referrer share
     * @param dailyCeiling_ grams-wei per rolling day through the oracle path
     */
    constructor(
        address token_,
        address governance,
        address platform_,
        uint256 baseRate_,
        uint256 allocation_,
        uint16 consumerBps,
        uint16 referrerBps,
        uint16 supplierBps,
        uint16 platformBps,
        uint16 maxReferrerBps_,
        uint256 dailyCeiling_
    ) {
        if (token_.code.length == 0) revert ZeroAddress("token");
        if (governance == address(0)) revert ZeroAddress("governance");
        token = IBlackGoldMinter(token_);
        _grantRole(DEFAULT_ADMIN_ROLE, governance);
        _grantRole(PAUSER_ROLE, governance);
        _setPlatform(platform_);
        _setBaseRate(baseRate_);
        _setSplit(consumerBps, referrerBps, supplierBps, platformBps);
        _setMaxReferrerBps(maxReferrerBps_);
        _setAllocation(allocation_);
        if (dailyCeiling_ == 0 || dailyCeiling_ > type(uint96).max) revert InvalidCeiling(dailyCeiling_);
        emit DailyCeilingSet(0, dailyCeiling_);
        // the bucket starts full
        _bucket = Bucket({ceiling: uint96(dailyCeiling_), level: uint96(dailyCeiling_), updatedAt: uint64(block.timestamp)});
    }

    // ------------------------------------------------------------------------------------------ oracle path

    /**
     * @notice Mine a batch of purchases. Only oracles, only while not paused.
     * @dev All-or-nothing: every purchase is validated (any invalid one reverts the whole batch with an error
     *      naming its index and field); an order already mined, before or earlier in this batch, is skipped with
     *      {PurchaseSkipped}; every other purchase is priced in order on the schedule, recorded in the replay guard
     *      and evented with {PurchaseMined}. Then the batch total is taken from the daily ceiling (or the batch
     *      reverts with {DailyCeilingExceeded}), and grams are minted in one `BlackGold.mintBatch` call: once per
     *      distinct recipient, summed over the batch, and once for the platform's total (each purchase's event
     *      still carries its own parts, so balances can be rebuilt from {PurchaseMined} alone). Effects happen
     *      before the mint (checks-effects-interactions).
     * @param purchases the purchases, in the order they are priced
     * @return mined how many purchases were mined (skipped ones excluded)
     */
    function mintBatch(Purchase[] calldata purchases)
        external
        override
        onlyRole(ORACLE_ROLE)
        whenNotPaused
        returns (uint256 mined)
    {
        uint256 n = purchases.length;
        if (n == 0) revert EmptyBatch();
        Params memory p = _params;
        Schedule memory s = _schedule;
        EmissionSchedule.Cursor memory c = EmissionSchedule.open(s.allocation, s.mined, token.remainingMintable());
        RecipientTally.Tally memory tally = RecipientTally.create(3 * n, uint256(blockhash(block.number - 1)));
        uint256 platformTotal = 0;
        uint256 maxRef = p.maxReferrerBps;
        // one scratch copy, overwritten by each purchase in turn (see {_load})
        Purchase memory q = Purchase(bytes32(0), address(0), address(0), address(0), 0, 0);

        for (uint256 i; i < n; ) {
            _load(purchases, i, q);
            _validate(q, i, maxRef);
            bytes32 orderRef = q.orderRef;
            if (_mined[orderRef]) {
                emit PurchaseSkipped(orderRef);
            } else {
                _mined[orderRef] = true;
                unchecked {
                    // each platform part is at most the purchase's grams, and the batch's grams sum to at most the
                    // allocation left (< 2^128): no overflow
                    platformTotal += _minePurchase(q, c, p, tally);
                    ++mined;
                }
            }
            unchecked {
                ++i;
            }
        }

        uint256 batchGrams = (s.allocation - s.mined) - c.remaining;
        if (batchGrams == 0) return mined;
        _takeFromCeiling(batchGrams);
        _schedule.mined = uint128(s.mined + batchGrams); // <= allocation < 2^128

        // Interaction last: the token is the immutable Black Gold contract (no hooks, no callbacks).
        _mintAll(tally, platformTotal);
    }

    // ------------------------------------------------------------------------------------------------- views

    /**
     * @notice Whether `orderRef` has been mined (the replay guard).
     * @dev Storage choice, measured on Ganache (Shanghai) by bench/gas_mining.py with contracts/test/
     *      ReplayGuardProbe.sol: marking a fresh order costs one zero-to-non-zero SSTORE (22,100 gas cold) in a
     *      `mapping(bytes32 => bool)`, and exactly the same in an OpenZeppelin BitMap keyed by the order
     *      reference, because order references are hashes: two orders share a bitmap word with probability
     *      2^-248, so packing saves nothing (a bitmap only pays off for dense sequence numbers, which the oracles
     *      do not have: several oracles may submit the same order). Measured per order marked (calldata
     *      included): mapping 23,104 gas, BitMap keyed by orderRef 23,109, BitMap over dense sequence numbers
     *      1,131 (unsound here). The mapping is the cheapest sound structure; see the README (replay guard).
     */
    function isMined(bytes32 orderRef) external view override returns (bool) {
        return _mined[orderRef];
    }

    /**
     * @notice Grams each role would receive for a purchase of `amount` minor units if it were mined now, as the
     *         next purchase (the daily ceiling is not applied; see {dailyRemaining}).
     * @param amount amount paid in minor units (0 quotes zeros)
     * @param hasReferrer whether the purchase has a referrer (without one, the referrer share is not minted)
     * @param referrerBps merchant override of the referrer share, 0 = default; reverts above the maximum
     */
    function quote(uint256 amount, bool hasReferrer, uint16 referrerBps)
        external
        view
        override
        returns (uint256 consumerGrams, uint256 referrerGrams, uint256 supplierGrams, uint256 platformGrams)
    {
        Params memory p = _params;
        if (referrerBps > p.maxReferrerBps) revert ReferrerBpsTooHigh(0, referrerBps, p.maxReferrerBps);
        if (amount > MAX_AMOUNT) revert AmountTooLarge(0, amount, MAX_AMOUNT);
        if (amount == 0) return (0, 0, 0, 0);
        Schedule memory s = _schedule;
        EmissionSchedule.Cursor memory c = EmissionSchedule.open(s.allocation, s.mined, token.remainingMintable());
        return _mine(c, p, amount, hasReferrer, referrerBps);
    }

    /// @notice Grams (wei) the oracle path may still mint now: the daily ceiling bucket's current level.
    function dailyRemaining() external view override returns (uint256) {
        return _bucketLevel(_bucket);
    }

    /// @notice Rate now: grams-wei per minor unit, `baseRate / 2^epoch` (rounded down for display; pricing is exact).
    function currentRate() external view returns (uint256) {
        Schedule memory s = _schedule;
        if (s.allocation == s.mined) return 0;
        return uint256(_params.baseRate) >> EmissionSchedule.epochOf(s.allocation, s.allocation - s.mined);
    }

    /// @notice Current epoch k (number of halvings so far): `floor(log2(A / (A - M)))`, 0 once exhausted.
    function epoch() external view returns (uint256) {
        Schedule memory s = _schedule;
        return EmissionSchedule.epochOf(s.allocation, s.allocation - s.mined);
    }

    /// @notice Cumulative mined grams at which the next halving happens: `A - floor(A / 2^(k+1))`.
    function nextHalvingAt() external view returns (uint256) {
        Schedule memory s = _schedule;
        uint256 k = EmissionSchedule.epochOf(s.allocation, s.allocation - s.mined);
        return uint256(s.allocation) - (uint256(s.allocation) >> (k + 1));
    }

    /// @notice Base rate: grams-wei per minor unit in epoch 0.
    function baseRate() external view returns (uint256) {
        return _params.baseRate;
    }

    /// @notice The mining allocation A (grams-wei).
    function allocation() external view returns (uint256) {
        return _schedule.allocation;
    }

    /// @notice Grams (wei) mined through this contract so far (M).
    function minedTotal() external view returns (uint256) {
        return _schedule.mined;
    }

    /// @notice Grams (wei) the schedule can still mine: `A - M`.
    function remainingAllocation() external view returns (uint256) {
        Schedule memory s = _schedule;
        return uint256(s.allocation) - s.mined;
    }

    /// @notice Default split in bps: consumer, referrer, supplier, platform (sums to 10,000).
    function split() external view returns (uint16 consumerBps, uint16 referrerBps, uint16 supplierBps, uint16 platformBps) {
        Params memory p = _params;
        return (p.consumerBps, p.referrerBps, p.supplierBps, p.platformBps);
    }

    /// @notice Upper bound of merchant overrides of the referrer share (bps).
    function maxReferrerBps() external view returns (uint16) {
        return _params.maxReferrerBps;
    }

    /// @notice Capacity of the rolling daily ceiling (grams-wei); it refills at this amount per day.
    function dailyCeiling() external view returns (uint256) {
        return _bucket.ceiling;
    }

    // -------------------------------------------------------------------------------------------- governance

    /// @notice Set the base rate (grams-wei per minor unit in epoch 0; the current rate is `baseRate / 2^epoch`).
    /// @dev Only governance. Emits {BaseRateSet}.
    function setBaseRate(uint256 newRate) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setBaseRate(newRate);
    }

    /// @notice Set the default split (must sum to 10,000 bps and keep `maxReferrerBps <= consumer + referrer`).
    /// @dev Only governance. Emits {SplitSet}.
    function setSplit(uint16 consumerBps, uint16 referrerBps, uint16 supplierBps, uint16 platformBps)
        external
        onlyRole(DEFAULT_ADMIN_ROLE)
    {
        _setSplit(consumerBps, referrerBps, supplierBps, platformBps);
        uint256 limit = uint256(consumerBps) + referrerBps;
        if (_params.maxReferrerBps > limit) revert InvalidMaxReferrerBps(_params.maxReferrerBps, limit);
    }

    /// @notice Set the bound on merchant referrer overrides (at most consumer + referrer default shares).
    /// @dev Only governance. Emits {MaxReferrerBpsSet}.
    function setMaxReferrerBps(uint16 newMax) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setMaxReferrerBps(newMax);
    }

    /**
     * @notice Set the daily ceiling (grams-wei per rolling day). The bucket is first settled at the old rate, then
     *         capped at the new capacity: lowering takes effect at once, raising refills at the new rate.
     * @dev Only governance. Emits {DailyCeilingSet}.
     */
    function setDailyCeiling(uint256 newCeiling) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setDailyCeiling(newCeiling);
    }

    /**
     * @notice Set the mining allocation A (grams-wei), at least what is already mined. The schedule continues
     *         from the new allocation: the epoch becomes `floor(log2(A' / (A' - M)))`, so after a raise the rate is
     *         the one the schedule would have had at M if A' had been the allocation from the start. Raise the
     *         token's cap in the same vote if the cap would otherwise bind first.
     * @dev Only governance. Emits {AllocationSet}.
     */
    function setAllocation(uint256 newAllocation) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setAllocation(newAllocation);
    }

    /// @notice Set the address that receives the platform's share.
    /// @dev Only governance. Emits {PlatformSet}.
    function setPlatform(address newPlatform) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setPlatform(newPlatform);
    }

    /// @notice Pause purchase minting (never transfers: the token is not pausable). Governance or a pauser.
    function pause() external onlyRole(PAUSER_ROLE) {
        _pause();
    }

    /// @notice Resume purchase minting. Governance only.
    function unpause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _unpause();
    }

    // -------------------------------------------------------------------------------------------- internals

    /**
     * @dev Copy purchase `i` from calldata into `q` with one CALLDATACOPY, so each field is read from calldata once
     *      (reading `purchases[i].field` repeatedly re-ran the compiler's bounds and ABI checks on every access:
     *      about 2,000 gas per purchase, bench/gas_breakdown.py). `i < purchases.length`, and the ABI decoder
     *      checked at entry that the whole array lies inside the calldata. The ABI checks the compiler made on
     *      access are kept: an address word or the referrerBps word with dirty high bits reverts without data, as
     *      a checked calldata access does (only non-ABI-encoded calldata can have them).
     */
    function _load(Purchase[] calldata purchases, uint256 i, Purchase memory q) private pure {
        assembly ("memory-safe") {
            calldatacopy(q, add(purchases.offset, mul(i, 0xc0)), 0xc0)
            let dirty := or(shr(160, mload(add(q, 0x20))), shr(160, mload(add(q, 0x40))))
            dirty := or(dirty, or(shr(160, mload(add(q, 0x60))), shr(16, mload(add(q, 0xa0)))))
            if dirty {
                revert(0, 0)
            }
        }
    }

    function _validate(Purchase memory q, uint256 index, uint256 maxRef) private pure {
        if (q.orderRef == bytes32(0)) revert ZeroOrderRef(index);
        if (q.consumer == address(0)) revert ZeroConsumer(index);
        if (q.supplier == address(0)) revert ZeroSupplier(index);
        uint256 amount = q.amount;
        if (amount == 0) revert ZeroAmount(index);
        if (amount > MAX_AMOUNT) revert AmountTooLarge(index, amount, MAX_AMOUNT);
        if (q.referrerBps > maxRef) revert ReferrerBpsTooHigh(index, q.referrerBps, maxRef);
    }

    /// @dev Price, event and tally one purchase (already validated and recorded). Returns the platform's part.
    function _minePurchase(
        Purchase memory q,
        EmissionSchedule.Cursor memory c,
        Params memory p,
        RecipientTally.Tally memory tally
    ) private returns (uint256) {
        uint256 rate = c.remaining == 0 ? 0 : uint256(p.baseRate) >> c.epoch;
        bool hasReferrer = q.referrer != address(0);
        (uint256 cg, uint256 rg, uint256 sg, uint256 pg) = _mine(c, p, q.amount, hasReferrer, q.referrerBps);
        emit PurchaseMined(q.orderRef, q.consumer, q.referrer, q.supplier, q.amount, cg, rg, sg, pg, rate);
        tally.add(q.consumer, cg);
        if (hasReferrer) tally.add(q.referrer, rg);
        tally.add(q.supplier, sg);
        return pg;
    }

    /// @dev Price one purchase on the cursor and split it. Parts sum exactly to the grams priced.
    function _mine(
        EmissionSchedule.Cursor memory c,
        Params memory p,
        uint256 amount,
        bool hasReferrer,
        uint256 overrideBps
    ) private pure returns (uint256 consumerGrams, uint256 referrerGrams, uint256 supplierGrams, uint256 platformGrams) {
        // Unchecked, none of these can overflow or underflow (both callers check amount <= MAX_AMOUNT < 2^96 and
        // overrideBps <= maxReferrerBps first):
        // - refBps <= maxReferrerBps <= consumerBps + referrerBps <= BPS (setSplit/setMaxReferrerBps keep it), so
        //   BPS - refBps >= 0; the default referrerBps is part of a split summing to BPS.
        // - amount * baseRate * mintBps < 2^96 * 2^96 * 2^14 = 2^206.
        // - total <= the allocation left < 2^128, so total * bps < 2^142.
        // - the four parts sum to total: with a referrer, refBps + supplierBps + platformBps <= consumerBps +
        //   referrerBps + supplierBps + platformBps = BPS = mintBps; without, supplierBps + platformBps = BPS -
        //   consumerBps - referrerBps <= BPS - refBps = mintBps; floor(total x a / m) + floor(total x b / m) <=
        //   total x (a + b) / m <= total, so the consumer's rest is >= 0.
        // - total != 0 implies mintBps != 0 (advance(0) prices zero grams): the divisions are by non-zero (and
        //   Solidity still checks division by zero inside `unchecked`).
        unchecked {
            uint256 refBps = overrideBps != 0 ? overrideBps : p.referrerBps;
            uint256 mintBps = hasReferrer ? BPS : BPS - refBps;
            uint256 total = c.advance(amount * p.baseRate * mintBps);
            if (total == 0) return (0, 0, 0, 0);
            if (hasReferrer) referrerGrams = (total * refBps) / mintBps;
            supplierGrams = (total * p.supplierBps) / mintBps;
            platformGrams = (total * p.platformBps) / mintBps;
            consumerGrams = total - referrerGrams - supplierGrams - platformGrams;
        }
    }

    /**
     * @dev One `token.mintBatch(recipients, amounts)` for the tally's entries (insertion order) followed by the
     *      platform's total when non-zero, bubbling up the token's revert. The ABI call data is written straight
     *      from the tally into free memory (the two arrays need no separate copy): selector, the two array
     *      offsets (0x40 and 0x60 + 32m), then m recipients, then m amounts. The token's code was checked at
     *      deployment and the call returns nothing, so the high-level call's code-size and return-data checks
     *      are skipped. Every entry is non-zero (the tally drops zero amounts). Only called when the batch mints
     *      grams (some part is non-zero), so at least one entry is sent.
     */
    function _mintAll(RecipientTally.Tally memory tally, uint256 platformTotal) private {
        uint256 count = tally.count;
        uint256 e = tally.entries; // (recipient, amount) pairs, 64 bytes each (see {RecipientTally})
        uint256 m = count; // entries sent: the tally's, plus the platform's total when non-zero
        if (platformTotal != 0) ++m;
        address t = address(token);
        address platform_ = platform;
        bytes4 selector = IBlackGoldMinter.mintBatch.selector;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            let words := shl(5, m)
            mstore(ptr, selector) // bytes4 values are left-aligned: the selector fills the first 4 bytes
            mstore(add(ptr, 0x04), 0x40) // offset of recipients
            mstore(add(ptr, 0x24), add(0x60, words)) // offset of amounts: 0x40 + length word + m words
            mstore(add(ptr, 0x44), m) // recipients.length
            let recipients := add(ptr, 0x64)
            let amountsLen := add(recipients, words)
            mstore(amountsLen, m) // amounts.length
            let amounts := add(amountsLen, 0x20)
            for { let j := 0 } lt(j, count) { j := add(j, 1) } {
                let pair := add(e, shl(6, j))
                mstore(add(recipients, shl(5, j)), mload(pair))
                mstore(add(amounts, shl(5, j)), mload(add(pair, 0x20)))
            }
            if gt(m, count) {
                mstore(add(recipients, shl(5, count)), platform_)
                mstore(add(amounts, shl(5, count)), platformTotal)
            }
            if iszero(call(gas(), t, 0, ptr, add(0x84, shl(1, words)), 0, 0)) {
                returndatacopy(ptr, 0, returndatasize())
                revert(ptr, returndatasize())
            }
        }
    }

    function _bucketLevel(Bucket memory b) private view returns (uint256) {
        uint256 level = uint256(b.level) + ((block.timestamp - b.updatedAt) * b.ceiling) / 1 days;
        return level > b.ceiling ? b.ceiling : level;
    }

    function _takeFromCeiling(uint256 grams) private {
        Bucket memory b = _bucket;
        uint256 available = _bucketLevel(b);
        if (grams > available) revert DailyCeilingExceeded(grams, available);
        _bucket = Bucket({ceiling: b.ceiling, level: uint96(available - grams), updatedAt: uint64(block.timestamp)});
    }

    function _setBaseRate(uint256 newRate) private {
        if (newRate == 0 || newRate > type(uint96).max) revert InvalidRate(newRate);
        emit BaseRateSet(_params.baseRate, newRate);
        _params.baseRate = uint96(newRate);
    }

    function _setSplit(uint16 consumerBps, uint16 referrerBps, uint16 supplierBps, uint16 platformBps) private {
        uint256 sum = uint256(consumerBps) + referrerBps + supplierBps + platformBps;
        if (sum != BPS) revert InvalidSplit(sum);
        _params.consumerBps = consumerBps;
        _params.referrerBps = referrerBps;
        _params.supplierBps = supplierBps;
        _params.platformBps = platformBps;
        emit SplitSet(consumerBps, referrerBps, supplierBps, platformBps);
    }

    function _setMaxReferrerBps(uint16 newMax) private {
        uint256 limit = uint256(_params.consumerBps) + _params.referrerBps;
        if (newMax > limit) revert InvalidMaxReferrerBps(newMax, limit);
        emit MaxReferrerBpsSet(_params.maxReferrerBps, newMax);
        _params.maxReferrerBps = newMax;
    }

    function _setDailyCeiling(uint256 newCeiling) private {
        if (newCeiling == 0 || newCeiling > type(uint96).max) revert InvalidCeiling(newCeiling);
        Bucket memory b = _bucket;
        uint256 level = _bucketLevel(b); // settled at the old rate, then capped at the new capacity
        if (level > newCeiling) level = newCeiling;
        emit DailyCeilingSet(b.ceiling, newCeiling);
        _bucket = Bucket({ceiling: uint96(newCeiling), level: uint96(level), updatedAt: uint64(block.timestamp)});
    }

    function _setAllocation(uint256 newAllocation) private {
        Schedule memory s = _schedule;
        if (newAllocation < s.mined || newAllocation > type(uint128).max) {
            revert InvalidAllocation(newAllocation, s.mined);
        }
        emit AllocationSet(s.allocation, newAllocation, s.mined);
        _schedule.allocation = uint128(newAllocation);
    }

    function _setPlatform(address newPlatform) private {
        if (newPlatform == address(0)) revert ZeroAddress("platform");
        emit PlatformSet(platform, newPlatform);
        platform = newPlatform;
    }
}

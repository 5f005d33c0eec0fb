// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {IDividends} from "../interfaces/IDividends.sol";

/**
 * @title ERC20Dividends
 * @notice ERC-20 extension: dividends by share. Payout assets (ERC-20s, stablecoins in production) deposited by
 *         anyone stream linearly over a distribution period to every unit of this token's supply; every holder
 *         claims what its balance earned. See docs/dividends.md for the formula and a worked example.
 *
 * Rules an auditor can check against this file:
 * - Entitlement. While a stream of asset A runs, every token unit earns the same amount of A per second:
 *   holder h earns `rate * integral(balance_h(t) / totalSupply(t) dt)`. One reward-per-token accumulator per
 *   asset (Synthetix StakingRewards style); delegation and voting power play no part, the balance alone counts.
 * - Settlement. {_update} -- every mint, burn, transfer -- first settles `from` and `to` for every payout asset,
 *   at the balances and total supply before the change. Buying just before a deposit and selling just after
 *   earns only the seconds held.
 * - Streams. A deposit streams over {distributionPeriod} (default 7 days, governance sets 1 to 90 days; a change
 *   applies to the next deposit). A deposit into a running stream adds the undistributed rest (exactly
 *   `rate * (periodEnd - now)`, what the accumulator has not handed out) to the new amount and restarts the
 *   period. Such a deposit must not lower the per-second rate ({DividendsDepositTooSmall}, {minimumDeposit}):
 *   a dust deposit cannot stretch a running stream and so delay what holders are owed. Zero deposits revert.
 * - Scaled rate. Rates are kept in units x 1e36 per second (`SCALE`), so a 6-decimal asset loses nothing to
 *   `amount / period` truncation (at most `period / 1e36` units per deposit).
 * - Low supply. While `totalSupply() < MIN_ACCRUAL_SUPPLY` (one whole token) the stream is paused: the time does
 *   not consume it, the period end moves later by that time, and the rate is unchanged. No unit is lost to
 *   time without holders.
 * - Solvency. Every division rounds down, against the holder: payouts never exceed deposits. What rounding keeps
 *   stays in the contract as dust, per asset at most: 1 unit per account settlement (accruals are kept in whole
 *   units), plus `totalSupply / 1e36` units per accumulator update, plus `period / 1e36` units per deposit.
 * - Holders that are contracts (a treasury, a timelock, this token itself) accrue like anyone and claim by
 *   their own calls ({claim}) or through {claimFor}, which pays the holder.
 * - Assets. Governance (through {_authorizeDividendsAdmin}) registers and retires payout assets. At most
 *   `MAX_PAYOUT_ASSETS` are ever registered, retired ones included, because every balance change settles every
 *   registered asset: the bound caps the extra gas of a transfer (about 15-25k gas per asset, see
 *   docs/dividends.md). A retired asset takes no deposits, but its running stream finishes, its holders keep
 *   earning it until the stream ends and keep claiming it; its accounting cannot be dropped without losing
 *   unsettled earnings, so it keeps its place (registering it again reactivates it in that place).
 * - Fee-on-transfer assets are credited with the balance difference a deposit makes. Rebasing assets must not be
 *   registered: their balance changes are not deposits.
 * - Claims: the holder to any address ({claim}, {claimAll}), anyone for the holder ({claimFor}), or anyone with
 *   the holder's EIP-712 signature ({claimBySig}, token's domain, the token's shared OpenZeppelin `Nonces`).
 * - Deposits and claims are `nonReentrant`; claims zero the account before paying (checks-effects-interactions).
 *   Every external state change emits an event; settlements inside transfers do not (Synthetix-style).
 *
 * Storage lives in an ERC-7201 namespace (`blackgold.storage.ERC20Dividends`), so it cannot clash with the
 * inheriting token's layout. Per asset the state read on every balance change is one packed slot; per holder and
 * asset one packed slot, written only when the accumulator moved since the holder's last settlement.
 *
 * Integration: the inheriting token implements {_authorizeDividendsAdmin} (e.g. `_checkRole(ROLE)`) and lists
 * this contract among the overrides of `_update` and `nonces`. Every balance change must go through `_update`.
 */
abstract contract ERC20Dividends is ERC20, EIP712, Nonces, ReentrancyGuard, IDividends {
    using SafeERC20 for IERC20;

    /// @notice Most payout assets ever registered (retired ones count): caps the per-transfer gas.
    uint256 public constant MAX_PAYOUT_ASSETS = 4;
    /// @notice Distribution period when governance never set one.
    uint256 public constant DEFAULT_DISTRIBUTION_PERIOD = 7 days;
    /// @notice Shortest distribution period governance may set.
    uint256 public constant MIN_DISTRIBUTION_PERIOD = 1 days;
    /// @notice Longest distribution period governance may set.
    uint256 public constant MAX_DISTRIBUTION_PERIOD = 90 days;
    /// @notice Fixed-point scale of rates and of reward per token.
    uint256 public constant SCALE = 1e36;
    /// @notice Below this total supply (one whole 18-decimal token) streams pause instead of distributing.
    uint256 public constant MIN_ACCRUAL_SUPPLY = 1e18;
    /// @notice Most units of one asset ever deposited (2^96 - 1): the bound the packed accounting is proven for.
    uint256 public constant MAX_TOTAL_DEPOSIT = type(uint96).max;
    /// @notice EIP-712 type of a claim authorised by signature.
    bytes32 public constant CLAIM_TYPEHASH =
        keccak256("Claim(address holder,address asset,address recipient,uint256 nonce,uint256 deadline)");

    uint256 private constant _ACTIVE = 1;
    uint256 private constant _RETIRED = 2;
    uint256 private constant _MASK160 = (1 << 160) - 1;
    uint256 private constant _MASK40 = (1 << 40) - 1;

    /**
     * @dev Per payout asset. `stream` packs, low to high bits: reward per token (160), last update time (40),
     *      period end (40), status (8). Reward per token never exceeds 2^96 * 1e36 / 1e18 < 2^160 (deposits are
     *      capped at 2^96 - 1 units, the accumulator only grows while the supply is at least 1e18), so the
     *      packing never truncates. `scaledRate` is read only when time passed inside a stream.
     */
    struct Asset {
        uint256 stream;
        uint256 scaledRate;
        uint128 deposited;
        uint128 claimed;
        address token;
    }

    /// @custom:storage-location erc7201:blackgold.storage.ERC20Dividends
    struct DividendsStorage {
        uint8 assetCount;
        uint32 period; // 0 = DEFAULT_DISTRIBUTION_PERIOD
        mapping(address asset => uint256) indexPlusOne;
        mapping(uint256 index => Asset) assets;
        // packs, low to high: reward per token paid (160), accrued whole units (96); accrued <= 2^96 - 1 since
        // one holder never earns more than all deposits.
        mapping(uint256 index => mapping(address holder => uint256)) accounts;
    }

    // keccak256(abi.encode(uint256(keccak256("blackgold.storage.ERC20Dividends")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant _STORAGE_SLOT = 0xc2ed0beab997c642d6742556ece0ea728c0d78aa5cb15a4de61f0f31a9166600;

    /// @dev The authorisation of {registerPayoutAsset}, {retirePayoutAsset} and {setDistributionPeriod}: revert
    ///      unless the caller may administer dividends (BlackGold: the governance timelock's role).
    function _authorizeDividendsAdmin() internal virtual;

    // ================================================================== deposits

    /// @inheritdoc IDividends
    /// @dev Reverts: {DividendsZeroAmount}, {DividendsUnknownAsset}, {DividendsAssetRetired},
    ///      {DividendsDepositTooSmall} (would lower the running rate), {DividendsDepositCapExceeded}.
    ///      Emits {DividendsDeposited}.
    function deposit(address asset, uint256 amount) external virtual nonReentrant returns (uint256 credited) {
        return _deposit(asset, amount);
    }

    /// @inheritdoc IDividends
    /// @dev A failing permit is ignored (it may have been front-run); the transfer then needs the allowance.
    function depositWithPermit(address asset, uint256 amount, uint256 deadline, uint8 v, bytes32 r, bytes32 s)
        external
        virtual
        nonReentrant
        returns (uint256 credited)
    {
        try IERC20Permit(asset).permit(msg.sender, address(this), amount, deadline, v, r, s) {} catch {}
        return _deposit(asset, amount);
    }

    // ================================================================== claims

    /// @inheritdoc IDividends
    /// @dev Reverts: {DividendsZeroRecipient}, {DividendsUnknownAsset}, {DividendsNothingToClaim}.
    ///      Emits {DividendsClaimed}. Works for retired assets.
    function claim(address asset, address recipient) external virtual nonReentrant returns (uint256 amount) {
        return _claim(msg.sender, asset, recipient);
    }

    /// @inheritdoc IDividends
    /// @dev Reverts {DividendsZeroRecipient}; emits {DividendsClaimed} per asset paid.
    function claimAll(address recipient) external virtual nonReentrant returns (uint256[] memory amounts) {
        if (recipient == address(0)) revert DividendsZeroRecipient();
        DividendsStorage storage $ = _dividendsStorage();
        uint256 n = $.assetCount;
        amounts = new uint256[](n);
        for (uint256 i = 0; i < n; ++i) {
            uint256 amount = _take($, i, msg.sender);
            if (amount != 0) {
                amounts[i] = amount;
                _pay($, i, msg.sender, recipient, amount);
            }
        }
    }

    /// @inheritdoc IDividends
    /// @dev Pays the holder only, so anyone may trigger it. Reverts as {claim}.
    function claimFor(address holder, address asset) external virtual nonReentrant returns (uint256 amount) {
        return _claim(holder, asset, holder);
    }

    /// @inheritdoc IDividends
    /// @dev The signature consumes the holder's next nonce ({nonces}, shared with ERC-2612 permits and vote
    ///      delegation by signature). Reverts: {DividendsExpiredSignature} after `deadline`,
    ///      {DividendsInvalidSigner} when the recovered signer is not `holder` (wrong key, other data, other chain
    ///      or contract, or a nonce already used), then as {claim}.
    function claimBySig(
        address holder,
        address asset,
        address recipient,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external virtual nonReentrant returns (uint256 amount) {
        if (block.timestamp > deadline) revert DividendsExpiredSignature(deadline);
        bytes32 structHash = keccak256(abi.encode(CLAIM_TYPEHASH, holder, asset, recipient, _useNonce(holder), deadline));
        address signer = ECDSA.recover(_hashTypedDataV4(structHash), v, r, s);
        if (signer != holder) revert DividendsInvalidSigner(signer, holder);
        return _claim(holder, asset, recipient);
    }

    // ================================================================== governance

    /// @inheritdoc IDividends
    /// @dev Only the dividends admin ({_authorizeDividendsAdmin}). Reverts: {DividendsInvalidAsset} (zero address,
    ///      no code, this token), {DividendsAssetAlreadyRegistered}, {DividendsTooManyAssets}. Emits
    ///      {PayoutAssetRegistered}, or {PayoutAssetReactivated} for a retired asset.
    function registerPayoutAsset(address asset) external virtual {
        _authorizeDividendsAdmin();
        if (asset == address(0) || asset == address(this) || asset.code.length == 0) {
            revert DividendsInvalidAsset(asset);
        }
        DividendsStorage storage $ = _dividendsStorage();
        uint256 indexPlusOne = $.indexPlusOne[asset];
        if (indexPlusOne != 0) {
            Asset storage known = $.assets[indexPlusOne - 1];
            uint256 stream = known.stream;
            if (_statusOf(stream) == _ACTIVE) revert DividendsAssetAlreadyRegistered(asset);
            known.stream = _withStatus(stream, _ACTIVE);
            emit PayoutAssetReactivated(asset);
            return;
        }
        uint256 n = $.assetCount;
        if (n >= MAX_PAYOUT_ASSETS) revert DividendsTooManyAssets(MAX_PAYOUT_ASSETS);
        Asset storage created = $.assets[n];
        created.token = asset;
        created.stream = _withStatus(0, _ACTIVE);
        $.indexPlusOne[asset] = n + 1;
        $.assetCount = uint8(n + 1);
        emit PayoutAssetRegistered(asset, n);
    }

    /// @inheritdoc IDividends
    /// @dev Only the dividends admin. Reverts: {DividendsUnknownAsset}, {DividendsAssetRetired} if already retired.
    ///      Emits {PayoutAssetRetired}.
    function retirePayoutAsset(address asset) external virtual {
        _authorizeDividendsAdmin();
        DividendsStorage storage $ = _dividendsStorage();
        Asset storage a = $.assets[_indexOf($, asset)];
        uint256 stream = a.stream;
        if (_statusOf(stream) != _ACTIVE) revert DividendsAssetRetired(asset);
        a.stream = _withStatus(stream, _RETIRED);
        emit PayoutAssetRetired(asset);
    }

    /// @inheritdoc IDividends
    /// @dev Only the dividends admin. Reverts {DividendsPeriodOutOfBounds} outside [1 day, 90 days]. Running
    ///      streams keep their end; the new period applies from the next deposit. Emits {DistributionPeriodSet}.
    function setDistributionPeriod(uint256 period) external virtual {
        _authorizeDividendsAdmin();
        if (period < MIN_DISTRIBUTION_PERIOD || period > MAX_DISTRIBUTION_PERIOD) {
            revert DividendsPeriodOutOfBounds(period, MIN_DISTRIBUTION_PERIOD, MAX_DISTRIBUTION_PERIOD);
        }
        DividendsStorage storage $ = _dividendsStorage();
        uint256 previous = _periodOf($);
        $.period = uint32(period);
        emit DistributionPeriodSet(previous, period);
    }

    // ================================================================== views

    /// @inheritdoc IDividends
    function claimable(address holder, address asset) external view virtual returns (uint256) {
        DividendsStorage storage $ = _dividendsStorage();
        uint256 index = _indexOf($, asset);
        uint256 rpt = _rewardPerTokenOf(_liveStream($.assets[index]));
        return _earned($.accounts[index][holder], rpt, balanceOf(holder));
    }

    /// @inheritdoc IDividends
    function payoutAssets() external view virtual returns (address[] memory list) {
        DividendsStorage storage $ = _dividendsStorage();
        uint256 n = $.assetCount;
        list = new address[](n);
        for (uint256 i = 0; i < n; ++i) {
            list[i] = $.assets[i].token;
        }
    }

    /// @inheritdoc IDividends
    function payoutAssetStatus(address asset) external view virtual returns (bool registered, bool retired) {
        DividendsStorage storage $ = _dividendsStorage();
        uint256 indexPlusOne = $.indexPlusOne[asset];
        if (indexPlusOne == 0) return (false, false);
        return (true, _statusOf($.assets[indexPlusOne - 1].stream) == _RETIRED);
    }

    /// @inheritdoc IDividends
    function scaledRewardRate(address asset) external view virtual returns (uint256) {
        DividendsStorage storage $ = _dividendsStorage();
        Asset storage a = $.assets[_indexOf($, asset)];
        return block.timestamp < _periodEndOf(_liveStream(a)) ? a.scaledRate : 0;
    }

    /// @inheritdoc IDividends
    function periodEnd(address asset) external view virtual returns (uint256) {
        DividendsStorage storage $ = _dividendsStorage();
        return _periodEndOf(_liveStream($.assets[_indexOf($, asset)]));
    }

    /// @inheritdoc IDividends
    function rewardPerToken(address asset) external view virtual returns (uint256) {
        DividendsStorage storage $ = _dividendsStorage();
        return _rewardPerTokenOf(_liveStream($.assets[_indexOf($, asset)]));
    }

    /// @inheritdoc IDividends
    function totalDeposited(address asset) external view virtual returns (uint256) {
        DividendsStorage storage $ = _dividendsStorage();
        return $.assets[_indexOf($, asset)].deposited;
    }

    /// @inheritdoc IDividends
    function totalClaimed(address asset) external view virtual returns (uint256) {
        DividendsStorage storage $ = _dividendsStorage();
        return $.assets[_indexOf($, asset)].claimed;
    }

    /// @inheritdoc IDividends
    function distributionPeriod() external view virtual returns (uint256) {
        return _periodOf(_dividendsStorage());
    }

    /// @inheritdoc IDividends
    function minimumDeposit(address asset) external view virtual returns (uint256) {
        DividendsStorage storage $ = _dividendsStorage();
        Asset storage a = $.assets[_indexOf($, asset)];
        uint256 end = _periodEndOf(_liveStream(a));
        if (block.timestamp >= end) return 1;
        uint256 rate = a.scaledRate;
        return _minimumCredit(rate, rate * (end - block.timestamp), _periodOf($));
    }

    // ================================================================== the balance-change hook

    /**
     * @dev Settles `from` and `to` (skipping the zero address) in every payout asset at the balances and total
     *      supply before the change, then applies it. The asset count, each asset's packed stream slot and the
     *      total supply (only if some stream must advance) are read once per call; an account is written only
     *      when the accumulator moved since its last settlement. Never reverts (all bounds proven above).
     */
    function _update(address from, address to, uint256 value) internal virtual override {
        _settleDividends(from, to);
        super._update(from, to, value);
    }

    function _settleDividends(address from, address to) private {
        DividendsStorage storage $ = _dividendsStorage();
        uint256 n = $.assetCount;
        if (n == 0) return;
        uint256 supply = type(uint256).max; // read lazily
        uint256 fromBalance = from == address(0) ? 0 : balanceOf(from);
        bool settleTo = to != address(0) && to != from;
        uint256 toBalance = settleTo ? balanceOf(to) : 0;
        for (uint256 i = 0; i < n; ++i) {
            Asset storage a = $.assets[i];
            uint256 stream = a.stream;
            if (_mustAdvance(stream)) {
                if (supply == type(uint256).max) supply = totalSupply();
                stream = _advance(stream, a.scaledRate, supply);
                a.stream = stream;
            }
            uint256 rpt = stream & _MASK160;
            mapping(address => uint256) storage accounts = $.accounts[i];
            if (from != address(0)) _settle(accounts, from, rpt, fromBalance);
            if (settleTo) _settle(accounts, to, rpt, toBalance);
        }
    }

    // ================================================================== internals

    function _deposit(address asset, uint256 amount) private returns (uint256 credited) {
        if (amount == 0) revert DividendsZeroAmount();
        DividendsStorage storage $ = _dividendsStorage();
        Asset storage a = $.assets[_indexOf($, asset)];
        if (_statusOf(a.stream) != _ACTIVE) revert DividendsAssetRetired(asset);

        // Interaction first, to measure what arrives (fee-on-transfer); nonReentrant keeps deposits and claims
        // out, and a token hook moving this token only settles accounts against the stream as it stands.
        IERC20 token = IERC20(asset);
        uint256 before = token.balanceOf(address(this));
        token.safeTransferFrom(msg.sender, address(this), amount);
        credited = token.balanceOf(address(this)) - before;
        if (credited == 0) revert DividendsZeroAmount();
        uint256 total = uint256(a.deposited) + credited;
        if (total > MAX_TOTAL_DEPOSIT) revert DividendsDepositCapExceeded(total, MAX_TOTAL_DEPOSIT);

        uint256 stream = a.stream; // read again: a token hook may have advanced it
        uint256 rate = a.scaledRate;
        if (_mustAdvance(stream)) stream = _advance(stream, rate, totalSupply());
        uint256 period = _periodOf($);
        uint256 end = _periodEndOf(stream);
        uint256 newRate;
        if (block.timestamp < end) {
            // The undistributed rest is exactly what the accumulator has not handed out yet.
            uint256 leftover = rate * (end - block.timestamp);
            newRate = (leftover + credited * SCALE) / period;
            if (newRate < rate) revert DividendsDepositTooSmall(credited, _minimumCredit(rate, leftover, period));
        } else {
            newRate = (credited * SCALE) / period;
        }
        uint256 newEnd = block.timestamp + period;
        a.stream = _pack(_rewardPerTokenOf(stream), block.timestamp, newEnd, _statusOf(stream));
        a.scaledRate = newRate;
        a.deposited = uint128(total);
        emit DividendsDeposited(asset, msg.sender, amount, credited, newRate, newEnd);
    }

    function _claim(address holder, address asset, address recipient) private returns (uint256 amount) {
        if (recipient == address(0)) revert DividendsZeroRecipient();
        DividendsStorage storage $ = _dividendsStorage();
        uint256 index = _indexOf($, asset);
        amount = _take($, index, holder);
        if (amount == 0) revert DividendsNothingToClaim(holder, asset);
        _pay($, index, holder, recipient, amount);
    }

    /// @dev Settles `holder` in asset `index` and zeroes its accrual (effects); returns what it had earned.
    function _take(DividendsStorage storage $, uint256 index, address holder) private returns (uint256 amount) {
        Asset storage a = $.assets[index];
        uint256 stream = a.stream;
        if (_mustAdvance(stream)) {
            stream = _advance(stream, a.scaledRate, totalSupply());
            a.stream = stream;
        }
        uint256 rpt = stream & _MASK160;
        mapping(address => uint256) storage accounts = $.accounts[index];
        uint256 account = accounts[holder];
        amount = _earned(account, rpt, balanceOf(holder));
        if (amount != 0 || (account & _MASK160) != rpt) accounts[holder] = rpt; // accrued = 0
    }

    /// @dev Books and pays a claim (the interaction last).
    function _pay(DividendsStorage storage $, uint256 index, address holder, address recipient, uint256 amount)
        private
    {
        Asset storage a = $.assets[index];
        a.claimed += uint128(amount); // claimed <= deposited < 2^96
        address token = a.token;
        emit DividendsClaimed(holder, token, recipient, amount, msg.sender);
        IERC20(token).safeTransfer(recipient, amount);
    }

    function _settle(mapping(address => uint256) storage accounts, address holder, uint256 rpt, uint256 balance)
        private
    {
        uint256 account = accounts[holder];
        uint256 paid = account & _MASK160;
        if (paid == rpt) return; // nothing moved since the last settlement: no write
        // accrued stays below 2^96: one holder never earns more than all deposits of the asset.
        accounts[holder] = rpt | (_earned(account, rpt, balance) << 160);
    }

    /// @dev Whole units earned: the stored accrual plus `balance` times the accumulator's growth, rounded down.
    ///      `balance * growth <= rate * time <= 2^96 * SCALE`: no overflow (the balance never exceeded the supply
    ///      over the settled interval).
    function _earned(uint256 account, uint256 rpt, uint256 balance) private pure returns (uint256) {
        return (account >> 160) + (balance * (rpt - (account & _MASK160))) / SCALE;
    }

    /// @dev Whether the accumulator must move: time passed since the last update, inside a stream.
    function _mustAdvance(uint256 stream) private view returns (bool) {
        uint256 last = (stream >> 160) & _MASK40;
        return last < block.timestamp && last < _periodEndOf(stream);
    }

    /**
     * @dev The stream advanced to now under `supply` (constant since the last update). With at least
     *      MIN_ACCRUAL_SUPPLY the accumulator grows by `rate * time / supply` (time capped at the period end);
     *      below it the stream pauses: the end moves later by the elapsed time and nothing is handed out.
     */
    function _advance(uint256 stream, uint256 rate, uint256 supply) private view returns (uint256) {
        uint256 rpt = stream & _MASK160;
        uint256 last = (stream >> 160) & _MASK40;
        uint256 end = _periodEndOf(stream);
        if (supply < MIN_ACCRUAL_SUPPLY) {
            end += block.timestamp - last;
        } else {
            uint256 until = block.timestamp < end ? block.timestamp : end;
            rpt += (rate * (until - last)) / supply;
        }
        return _pack(rpt, block.timestamp, end, _statusOf(stream));
    }

    /// @dev The stream as it would be advanced now, without writing.
    function _liveStream(Asset storage a) private view returns (uint256 stream) {
        stream = a.stream;
        if (_mustAdvance(stream)) stream = _advance(stream, a.scaledRate, totalSupply());
    }

    /// @dev Smallest credit keeping `(leftover + credit * SCALE) / period >= rate`.
    function _minimumCredit(uint256 rate, uint256 leftover, uint256 period) private pure returns (uint256) {
        uint256 needed = rate * period;
        if (needed <= leftover) return 1;
        return (needed - leftover + SCALE - 1) / SCALE;
    }

    function _indexOf(DividendsStorage storage $, address asset) private view returns (uint256) {
        uint256 indexPlusOne = $.indexPlusOne[asset];
        if (indexPlusOne == 0) revert DividendsUnknownAsset(asset);
        return indexPlusOne - 1;
    }

    function _periodOf(DividendsStorage storage $) private view returns (uint256) {
        uint256 period = $.period;
        return period == 0 ? DEFAULT_DISTRIBUTION_PERIOD : period;
    }

    function _pack(uint256 rpt, uint256 last, uint256 end, uint256 status) private pure returns (uint256) {
        return rpt | (last << 160) | (end << 200) | (status << 240);
    }

    function _rewardPerTokenOf(uint256 stream) private pure returns (uint256) {
        return stream & _MASK160;
    }

    function _periodEndOf(uint256 stream) private pure returns (uint256) {
        return (stream >> 200) & _MASK40;
    }

    function _statusOf(uint256 stream) private pure returns (uint256) {
        return stream >> 240;
    }

    function _withStatus(uint256 stream, uint256 status) private pure returns (uint256) {
        return (stream & ((1 << 240) - 1)) | (status << 240);
    }

    function _dividendsStorage() private pure returns (DividendsStorage storage $) {
        assembly {
            $.slot := _STORAGE_SLOT
        }
    }
}

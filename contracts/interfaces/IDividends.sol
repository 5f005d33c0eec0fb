// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/**
 * @title IDividends
 * @notice Dividends by share of an ERC-20 (Black Gold): payout assets (ERC-20s) deposited by anyone stream linearly
 *         over a distribution period to every unit of the token's supply; holders claim what they earned.
 *         Implemented by {ERC20Dividends} (contracts/extensions/ERC20Dividends.sol); see docs/dividends.md.
 */
interface IDividends {
    // ------------------------------------------------------------------ events

    /// @notice `asset` became a payout asset, at position `index` of {payoutAssets}.
    event PayoutAssetRegistered(address indexed asset, uint256 index);
    /// @notice A retired `asset` accepts deposits again (it kept its position and its accounting).
    event PayoutAssetReactivated(address indexed asset);
    /// @notice `asset` accepts no more deposits; its running stream finishes and claims stay possible.
    event PayoutAssetRetired(address indexed asset);
    /// @notice The distribution period of future deposits changed from `previousPeriod` to `newPeriod` seconds.
    event DistributionPeriodSet(uint256 previousPeriod, uint256 newPeriod);
    /// @notice `depositor` deposited `amount` of `asset`, of which `credited` arrived (fee-on-transfer assets
    ///         credit less). The undistributed rest of the running stream plus `credited` now streams at
    ///         `scaledRate` (asset units x 1e36 per second, for the whole supply) until `periodEnd`.
    event DividendsDeposited(
        address indexed asset,
        address indexed depositor,
        uint256 amount,
        uint256 credited,
        uint256 scaledRate,
        uint256 periodEnd
    );
    /// @notice `amount` of `asset` earned by `holder` was paid to `recipient`; `caller` sent the transaction
    ///         (the holder, anyone for {claimFor}, a relayer for {claimBySig}).
    event DividendsClaimed(
        address indexed holder,
        address indexed asset,
        address indexed recipient,
        uint256 amount,
        address caller
    );

    // ------------------------------------------------------------------ errors

    /// @notice A deposit of zero, or one of which nothing arrived (a 100% transfer fee).
    error DividendsZeroAmount();
    /// @notice `asset` was never registered as a payout asset.
    error DividendsUnknownAsset(address asset);
    /// @notice `asset` is retired: it accepts no deposits (claims stay open).
    error DividendsAssetRetired(address asset);
    /// @notice `asset` is already an active payout asset.
    error DividendsAssetAlreadyRegistered(address asset);
    /// @notice `asset` cannot be a payout asset (zero address, no code, or the dividend token itself).
    error DividendsInvalidAsset(address asset);
    /// @notice Registering one more asset would pass the bound of `max` payout assets (retired ones count).
    error DividendsTooManyAssets(uint256 max);
    /// @notice A distribution period of `period` seconds is outside [`min`, `max`].
    error DividendsPeriodOutOfBounds(uint256 period, uint256 min, uint256 max);
    /// @notice The deposit would lower the per-second rate of the running stream: `credited` arrived, at least
    ///         `minimum` is needed now (see {minimumDeposit}).
    error DividendsDepositTooSmall(uint256 credited, uint256 minimum);
    /// @notice Lifetime deposits of one asset would pass `max` (2^96 - 1 units), the bound the packed
    ///         accounting is proven for.
    error DividendsDepositCapExceeded(uint256 totalDeposited, uint256 max);
    /// @notice Claims cannot pay the zero address.
    error DividendsZeroRecipient();
    /// @notice `holder` has nothing to claim in `asset`.
    error DividendsNothingToClaim(address holder, address asset);
    /// @notice The claim signature expired at `deadline`.
    error DividendsExpiredSignature(uint256 deadline);
    /// @notice The claim signature was made by `signer`, not by `holder` (or over other data, or a used nonce).
    error DividendsInvalidSigner(address signer, address holder);

    // ------------------------------------------------------------------ deposits

    /// @notice Deposit `amount` of payout `asset` (approve it first). Streams over {distributionPeriod}.
    /// @return credited what arrived (less than `amount` for a fee-on-transfer asset)
    function deposit(address asset, uint256 amount) external returns (uint256 credited);

    /// @notice {deposit} after an ERC-2612 `permit` of `amount` for this contract signed by the caller.
    /// @return credited what arrived
    function depositWithPermit(address asset, uint256 amount, uint256 deadline, uint8 v, bytes32 r, bytes32 s)
        external
        returns (uint256 credited);

    // ------------------------------------------------------------------ claims

    /// @notice Pay the caller's earnings in `asset` to `recipient`.
    /// @return amount paid
    function claim(address asset, address recipient) external returns (uint256 amount);

    /// @notice Pay the caller's earnings in every payout asset to `recipient` (assets with nothing are skipped).
    /// @return amounts paid, in {payoutAssets} order
    function claimAll(address recipient) external returns (uint256[] memory amounts);

    /// @notice Pay `holder`'s earnings in `asset` to `holder`. Anyone may call it.
    /// @return amount paid
    function claimFor(address holder, address asset) external returns (uint256 amount);

    /// @notice Pay `holder`'s earnings in `asset` to `recipient`, authorised by the holder's EIP-712 signature of
    ///         `Claim(address holder,address asset,address recipient,uint256 nonce,uint256 deadline)` under the
    ///         token's domain. Anyone may submit it.
    /// @return amount paid
    function claimBySig(
        address holder,
        address asset,
        address recipient,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external returns (uint256 amount);

    // ------------------------------------------------------------------ governance

    /// @notice Add `asset` as a payout asset (or reactivate a retired one).
    function registerPayoutAsset(address asset) external;

    /// @notice Stop deposits of `asset`; its running stream finishes and claims stay possible.
    function retirePayoutAsset(address asset) external;

    /// @notice Set the distribution period of future deposits, in seconds.
    function setDistributionPeriod(uint256 period) external;

    // ------------------------------------------------------------------ views

    /// @notice `asset`'s earnings of `holder` claimable now.
    function claimable(address holder, address asset) external view returns (uint256);

    /// @notice Every payout asset ever registered (retired ones included), in registration order.
    function payoutAssets() external view returns (address[] memory);

    /// @notice Whether `asset` is registered and whether it is retired.
    function payoutAssetStatus(address asset) external view returns (bool registered, bool retired);

    /// @notice Current stream rate of `asset`: units x 1e36 per second, shared by the whole supply (0 when no
    ///         stream runs).
    function scaledRewardRate(address asset) external view returns (uint256);

    /// @notice When the current stream of `asset` ends (moves later while the supply is below the minimum).
    function periodEnd(address asset) external view returns (uint256);

    /// @notice Live reward per token of `asset`: units x 1e36 earned per smallest token unit since registration.
    function rewardPerToken(address asset) external view returns (uint256);

    /// @notice Units of `asset` credited by deposits, ever.
    function totalDeposited(address asset) external view returns (uint256);

    /// @notice Units of `asset` paid out by claims, ever.
    function totalClaimed(address asset) external view returns (uint256);

    /// @notice Distribution period of the next deposit, in seconds.
    function distributionPeriod() external view returns (uint256);

    /// @notice Smallest credited amount of `asset` a deposit needs now (1 when no stream runs).
    function minimumDeposit(address asset) external view returns (uint256);
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/**
 * @title IPurchaseMining
 * @notice What the mint oracle and auditors rely on. The mint rule itself lives in PurchaseMining.
 */
interface IPurchaseMining {
    /// @notice One verified purchase, as the oracle attests it.
    /// @param orderRef unique per platform, e.g. keccak256(shop id, order number); mines at most once
    /// @param consumer who paid
    /// @param referrer who shared the link; address(0) = none (the referrer share is then not minted)
    /// @param supplier the merchant
    /// @param amount amount paid, in minor currency units (e.g. fen)
    /// @param referrerBps merchant's referrer share override in basis points of the purchase's grams;
    ///        0 = no override (the default split applies); otherwise bounded by the governance maximum
    struct Purchase {
        bytes32 orderRef;
        address consumer;
        address referrer;
        address supplier;
        uint256 amount;
        uint16 referrerBps;
    }

    /// @notice A purchase was mined: grams to each role at `rate` (grams-wei per minor unit at the start).
    event PurchaseMined(
        bytes32 indexed orderRef,
        address indexed consumer,
        address indexed referrer,
        address supplier,
        uint256 amount,
        uint256 consumerGrams,
        uint256 referrerGrams,
        uint256 supplierGrams,
        uint256 platformGrams,
        uint256 rate
    );

    /// @notice A purchase in a batch had already been mined and was skipped (safe retries).
    event PurchaseSkipped(bytes32 indexed orderRef);

    /// @notice Minting `requested` grams would pass the rolling daily ceiling; `available` remain.
    error DailyCeilingExceeded(uint256 requested, uint256 available);

    /// @notice Mine a batch. Only oracles. Already-mined orders are skipped with {PurchaseSkipped};
    ///         any other invalid purchase reverts the whole batch. Returns how many were mined.
    function mintBatch(Purchase[] calldata purchases) external returns (uint256 mined);

    /// @notice Whether `orderRef` has been mined (the replay guard).
    function isMined(bytes32 orderRef) external view returns (bool);

    /// @notice Grams each role would receive for a purchase of `amount` minor units, now.
    function quote(uint256 amount, bool hasReferrer, uint16 referrerBps)
        external
        view
        returns (uint256 consumerGrams, uint256 referrerGrams, uint256 supplierGrams, uint256 platformGrams);

    /// @notice Grams still mintable through the oracle path in the current ceiling window.
    function dailyRemaining() external view returns (uint256);
}

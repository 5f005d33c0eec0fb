// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/**
 * @title IBlackGoldMinter
 * @notice The two functions of the Black Gold token that PurchaseMining uses: mint a batch within the cap, and
 *         the room left under the cap. Nothing else: the mining contract holds no power over holders' balances.
 */
interface IBlackGoldMinter {
    /// @notice Mint `amounts[i]` grams (wei) to `recipients[i]` for each i, all or nothing. Reverts on a length
    ///         mismatch, a zero recipient, a batch total past the cap, or without the minter role.
    function mintBatch(address[] calldata recipients, uint256[] calldata amounts) external;

    /// @notice Grams (wei) still mintable before the token's cap: `cap() - totalMinted()`.
    function remainingMintable() external view returns (uint256);
}

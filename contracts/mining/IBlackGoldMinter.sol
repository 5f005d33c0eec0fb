// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/**
 * @title IBlackGoldMinter
 * @notice The two functions of the Black Gold token that PurchaseMining uses: mint within the cap, and the room
 *         left under the cap. Nothing else: the mining contract holds no power over holders' balances.
 */
interface IBlackGoldMinter {
    /// @notice Mint `amount` grams (wei) to `to`. Reverts past the cap or without the minter role.
    function mint(address to, uint256 amount) external;

    /// @notice Grams (wei) still mintable before the token's cap: `cap() - totalMinted()`.
    function remainingMintable() external view returns (uint256);
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Burnable} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Burnable.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {ERC20Votes} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Votes.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {Time} from "@openzeppelin/contracts/utils/types/Time.sol";

/**
 * @title Black Gold (BGOLD)
 * @notice The capped consumption-mining token. 1 token = 1 gram, 18 decimals.
 *
 * Rules an auditor can check against this file:
 * - Cumulative issuance is capped: `totalMinted() <= cap()` always. Burning lowers `totalSupply()` but never
 *   `totalMinted()`, so burnt grams never reopen room under the cap.
 * - Only holders of {MINTER_ROLE} can mint, and only within the cap.
 * - The cap can only grow, only by {CAP_RAISER_ROLE} (the holders' issuance vote, through its timelock).
 *   Roles are administered by {DEFAULT_ADMIN_ROLE}, which the deploy script hands to that timelock.
 * - No function lets any role move, freeze or burn another holder's grams; transfers cannot be paused.
 *   `burnFrom` spends an allowance the holder gave, exactly like `transferFrom`.
 * - Voting power (ERC20Votes) counts only delegated grams: a holder must delegate, possibly to itself.
 * - The votes clock is the block timestamp (ERC-6372 `mode=timestamp`), so voting delays and periods are
 *   stated in seconds and mean the same on any EVM network whatever its block time.
 */
contract BlackGold is ERC20, ERC20Burnable, ERC20Permit, ERC20Votes, AccessControl {
    /// @notice Role allowed to mint new grams within the cap (PurchaseMining holds it).
    bytes32 public constant MINTER_ROLE = keccak256("MINTER_ROLE");
    /// @notice Role allowed to raise the cap (the governance timelock holds it).
    bytes32 public constant CAP_RAISER_ROLE = keccak256("CAP_RAISER_ROLE");

    uint256 private _cap;
    uint256 private _totalMinted;
    uint256 private _totalBurned;

    /// @notice Emitted whenever the cap grows.
    event CapRaised(uint256 previousCap, uint256 newCap);
    /// @notice Emitted when an issuance vote raises the cap and mints the new room to `recipient` at once.
    event IssuanceGranted(address indexed recipient, uint256 amount);

    /// @notice A mint would take cumulative issuance past the cap.
    /// @param requested grams the mint asked for
    /// @param remaining grams still mintable under the cap
    error CapExceeded(uint256 requested, uint256 remaining);
    /// @notice A cap of zero at deployment, or a cap raise of zero.
    error ZeroCap();
    /// @notice The cap would exceed what ERC20Votes checkpoints can hold (2^208 - 1).
    error CapTooLarge(uint256 requestedCap, uint256 maxCap);
    /// @notice The initial admin is the zero address.
    error ZeroAdmin();

    /**
     * @param initialCap cap on cumulative issuance, in wei of grams (1e9 grams = 1e27 at 18 decimals)
     * @param admin receives {DEFAULT_ADMIN_ROLE} and {CAP_RAISER_ROLE}: the deployer during wiring, which
     *        hands both to the governance timelock and renounces them (scripts/deploy.py)
     */
    constructor(uint256 initialCap, address admin) ERC20("Black Gold", "BGOLD") ERC20Permit("Black Gold") {
        if (initialCap == 0) revert ZeroCap();
        if (admin == address(0)) revert ZeroAdmin();
        _checkCapFitsVotes(initialCap);
        _cap = initialCap;
        emit CapRaised(0, initialCap);
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(CAP_RAISER_ROLE, admin);
    }

    /// @notice Cap on cumulative issuance (grams in wei). Only grows.
    function cap() external view returns (uint256) {
        return _cap;
    }

    /// @notice Grams ever minted, burnt ones included. Never exceeds {cap}.
    function totalMinted() external view returns (uint256) {
        return _totalMinted;
    }

    /// @notice Grams ever burnt by their holders. `totalSupply() == totalMinted() - totalBurned()`.
    function totalBurned() external view returns (uint256) {
        return _totalBurned;
    }

    /// @notice Grams still mintable before the cap: `cap() - totalMinted()`.
    function remainingMintable() external view returns (uint256) {
        return _cap - _totalMinted;
    }

    /**
     * @notice Mint `amount` grams to `to`.
     * @dev Reverts with {CapExceeded} past the cap, and for callers without {MINTER_ROLE}.
     */
    function mint(address to, uint256 amount) external onlyRole(MINTER_ROLE) {
        _mint(to, amount);
    }

    /**
     * @notice Raise the cap by `increase` grams. The cap can never shrink.
     * @dev Only {CAP_RAISER_ROLE} (the issuance vote's timelock). Emits {CapRaised}.
     */
    function raiseCap(uint256 increase) external onlyRole(CAP_RAISER_ROLE) {
        _raiseCap(increase);
    }

    /**
     * @notice Raise the cap by `amount` grams and mint exactly those grams to `recipient`, atomically
     *         (an issuance grant, e.g. for an ecosystem fund). Room under the old cap is left untouched.
     * @dev Only {CAP_RAISER_ROLE}. Emits {CapRaised}, {IssuanceGranted} and the ERC-20 {Transfer}.
     */
    function grant(address recipient, uint256 amount) external onlyRole(CAP_RAISER_ROLE) {
        _raiseCap(amount);
        emit IssuanceGranted(recipient, amount);
        _mint(recipient, amount);
    }

    /// @notice ERC-6372 clock: the block timestamp (see the contract notes for why).
    function clock() public view override returns (uint48) {
        return Time.timestamp();
    }

    /// @notice ERC-6372 clock description.
    // solhint-disable-next-line func-name-mixedcase
    function CLOCK_MODE() public pure override returns (string memory) {
        return "mode=timestamp";
    }

    /// @notice Next permit/delegation nonce of `owner` (shared by ERC20Permit and ERC20Votes).
    function nonces(address owner) public view override(ERC20Permit, Nonces) returns (uint256) {
        return super.nonces(owner);
    }

    function _raiseCap(uint256 increase) private {
        if (increase == 0) revert ZeroCap();
        uint256 previousCap = _cap;
        uint256 newCap = previousCap + increase;
        _checkCapFitsVotes(newCap);
        _cap = newCap;
        emit CapRaised(previousCap, newCap);
    }

    function _checkCapFitsVotes(uint256 newCap) private view {
        uint256 maxCap = _maxSupply();
        if (newCap > maxCap) revert CapTooLarge(newCap, maxCap);
    }

    /// @dev Every mint and burn passes here: the cap check and the issuance counters cannot be bypassed.
    function _update(address from, address to, uint256 value) internal override(ERC20, ERC20Votes) {
        if (from == address(0)) {
            uint256 remaining = _cap - _totalMinted;
            if (value > remaining) revert CapExceeded(value, remaining);
            _totalMinted += value;
        } else if (to == address(0)) {
            _totalBurned += value;
        }
        super._update(from, to, value);
    }
}

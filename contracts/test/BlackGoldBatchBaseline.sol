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
 * @title BlackGoldBatchBaseline
 * @notice BENCH ONLY (contracts/test/): never deployed by scripts/deploy.py. A frozen copy of BlackGold as of
 *         commit e6120cb, before {BlackGold-mintBatch} was routed through `_update` for every recipient: its
 *         mintBatch re-implements OpenZeppelin's internal order (ERC20._update + _moveDelegateVotes per pair,
 *         one total-supply checkpoint) and so bypasses any `_update` override. Kept only so that
 *         bench/gas_mining.py can measure the old and the new batch mint side by side in one run.
 *         Only the contract name and this notice differ from that version.
 *
 * Original notice: Black Gold (BGOLD)
 * @notice The capped consumption-mining token. 1 token = 1 gram, 18 decimals.
 *
 * Rules an auditor can check against this file:
 * - Cumulative issuance is capped: `totalMinted() <= cap()` always. Burning lowers `totalSupply()` but never
 *   `totalMinted()`, so burnt grams never reopen room under the cap.
 * - Only holders of {MINTER_ROLE} can mint ({mint}, or {mintBatch} for many recipients at once), and only
 *   within the cap.
 * - The cap can only grow, only by {CAP_RAISER_ROLE} (the holders' issuance vote, through its timelock).
 *   Roles are administered by {DEFAULT_ADMIN_ROLE}, which the deploy script hands to that timelock.
 * - No function lets any role move, freeze or burn another holder's grams; transfers cannot be paused.
 *   `burnFrom` spends an allowance the holder gave, exactly like `transferFrom`.
 * - Voting power (ERC20Votes) counts only delegated grams: a holder must delegate, possibly to itself.
 * - The votes clock is the block timestamp (ERC-6372 `mode=timestamp`), so voting delays and periods are
 *   stated in seconds and mean the same on any EVM network whatever its block time.
 */
contract BlackGoldBatchBaseline is ERC20, ERC20Burnable, ERC20Permit, ERC20Votes, AccessControl {
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
    /// @notice {mintBatch} was given `recipients` and `amounts` arrays of different lengths.
    /// @param recipients length of the recipients array
    /// @param amounts length of the amounts array
    error LengthMismatch(uint256 recipients, uint256 amounts);

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
     * @notice Mint `amounts[i]` grams to `recipients[i]` for every `i`, in one call (PurchaseMining mints a whole
     *         batch of purchases with it). Same effects as calling {mint} for each pair in order, except that the
     *         cap is checked once, on the batch total, and the batch is all-or-nothing.
     * @dev Only {MINTER_ROLE}. Reverts with {LengthMismatch} if the arrays differ in length, with
     *      {CapExceeded}(batch total, remaining) if the batch total passes the cap (an overflowing total reverts
     *      with a panic), and with `ERC20InvalidReceiver(address(0))` for a zero recipient. A recipient may appear
     *      more than once; zero amounts are allowed (as in {mint}). Each pair gets exactly what a {mint} does:
     *      its balance credited, its delegatee's vote checkpoint raised (ERC20Votes), a `Transfer(0, to, amount)`.
     *      Only new grams are created: no other holder's balance is read or written.
     *
     *      Gas: the call, the role check, the cap check, the `totalMinted` write, ERC20Votes' safe-supply check
     *      and the total-supply checkpoint are paid once per batch instead of once per recipient. Built only
     *      from OpenZeppelin's internal building blocks, in ERC20Votes' own order: per pair `ERC20._update`
     *      (balance, total supply, Transfer) and `Votes._moveDelegateVotes` (the recipient's delegatee), then
     *      once `Votes._transferVotingUnits(address(0), address(this), total)` for the total-supply checkpoint.
     *      All pairs share the block timestamp, so the checkpoints end exactly as after one {mint} per pair:
     *      `getPastTotalSupply` and `getPastVotes` cannot tell the difference.
     * @param recipients who receives each amount (non-zero addresses)
     * @param amounts grams (wei) for the recipient at the same index
     */
    function mintBatch(address[] calldata recipients, uint256[] calldata amounts) external onlyRole(MINTER_ROLE) {
        uint256 n = recipients.length;
        if (n != amounts.length) revert LengthMismatch(n, amounts.length);
        uint256 total = 0;
        for (uint256 i = 0; i < n; ++i) {
            total += amounts[i]; // checked: an overflowing total reverts
        }
        _countMint(total);
        for (uint256 i = 0; i < n; ++i) {
            address to = recipients[i];
            if (to == address(0)) revert ERC20InvalidReceiver(address(0));
            uint256 amount = amounts[i];
            // What ERC20Votes._update(address(0), to, amount) does, minus the total-supply checkpoint (pushed
            // once below): ERC20's balance + total supply + Transfer, then Votes' move of `amount` votes from
            // delegates(address(0)) -- always address(0): nobody can act as, or sign for, the zero address --
            // to the recipient's delegatee (nothing when it has not delegated).
            ERC20._update(address(0), to, amount);
            _moveDelegateVotes(address(0), delegates(to), amount);
        }
        // ERC20Votes' safe-supply check, once: supply only grew during the loop.
        uint256 supply = totalSupply();
        uint256 maxSupply = _maxSupply();
        if (supply > maxSupply) revert ERC20ExceededSafeSupply(supply, maxSupply);
        // The total-supply checkpoint, once for the batch total, through Votes' own _transferVotingUnits:
        // from = address(0) pushes `+total`; to = this token, whose delegatee is always address(0) (the token
        // never calls delegate on itself and nobody can sign for its address), so no delegate votes move.
        _transferVotingUnits(address(0), address(this), total);
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

    /// @dev The cap check and issuance counter of every mint: `value` more grams ever minted, within the cap.
    function _countMint(uint256 value) private {
        uint256 remaining = _cap - _totalMinted;
        if (value > remaining) revert CapExceeded(value, remaining);
        _totalMinted += value;
    }

    function _checkCapFitsVotes(uint256 newCap) private view {
        uint256 maxCap = _maxSupply();
        if (newCap > maxCap) revert CapTooLarge(newCap, maxCap);
    }

    /// @dev Every mint and burn passes here (except {mintBatch}'s mints, whose batch total went through
    ///      {_countMint} first): the cap check and the issuance counters cannot be bypassed.
    function _update(address from, address to, uint256 value) internal override(ERC20, ERC20Votes) {
        if (from == address(0)) {
            _countMint(value);
        } else if (to == address(0)) {
            _totalBurned += value;
        }
        super._update(from, to, value);
    }
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Burnable} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Burnable.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {ERC20Votes} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Votes.sol";
import {Votes} from "@openzeppelin/contracts/governance/utils/Votes.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {Time} from "@openzeppelin/contracts/utils/types/Time.sol";
import {ERC20Dividends} from "./extensions/ERC20Dividends.sol";

/**
 * @title Black Gold (BGOLD)
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
 * - Dividends (ERC20Dividends): payout assets deposited by anyone stream to every gram pro rata; every balance
 *   change settles both parties first. Only {DIVIDENDS_ADMIN_ROLE} (the timelock) registers or retires assets.
 * - The votes clock is the block timestamp (ERC-6372 `mode=timestamp`), so voting delays and periods are
 *   stated in seconds and mean the same on any EVM network whatever its block time.
 * - Every balance change passes {_update}(from, to, value): transfers, burns, {mint}, {grant} and each recipient of
 *   {mintBatch} (OpenZeppelin's `_mint`/`_burn`/`_transfer`, and `_update(address(0), to, amount)` per recipient in
 *   {mintBatch}, which is what `_mint` does). No function writes a balance or the total supply any other way, so an
 *   extension that overrides `_update` (OpenZeppelin 5 style) sees every movement of grams and cannot be bypassed.
 */
contract BlackGold is ERC20, ERC20Burnable, ERC20Permit, ERC20Votes, ERC20Dividends, AccessControl {
    /// @notice Role allowed to mint new grams within the cap (PurchaseMining holds it).
    bytes32 public constant MINTER_ROLE = keccak256("MINTER_ROLE");
    /// @notice Role allowed to raise the cap (the governance timelock holds it).
    bytes32 public constant CAP_RAISER_ROLE = keccak256("CAP_RAISER_ROLE");
    /// @notice Role allowed to register and retire payout assets and set the distribution period (the timelock).
    bytes32 public constant DIVIDENDS_ADMIN_ROLE = keccak256("DIVIDENDS_ADMIN_ROLE");

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
     * @param admin receives {DEFAULT_ADMIN_ROLE}, {CAP_RAISER_ROLE} and {DIVIDENDS_ADMIN_ROLE}: the deployer during
     *        wiring, which hands them to the governance timelock and renounces them (scripts/deploy.py)
     */
    constructor(uint256 initialCap, address admin) ERC20("Black Gold", "BGOLD") ERC20Permit("Black Gold") {
        if (initialCap == 0) revert ZeroCap();
        if (admin == address(0)) revert ZeroAdmin();
        _checkCapFitsVotes(initialCap);
        _cap = initialCap;
        emit CapRaised(0, initialCap);
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(CAP_RAISER_ROLE, admin);
        _grantRole(DIVIDENDS_ADMIN_ROLE, admin);
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
     *      more than once; zero amounts are allowed (as in {mint}). Each pair is minted exactly like OpenZeppelin's
     *      `_mint(to, amount)` does it, through `_update(address(0), to, amount)`, so it passes {_update} and every
     *      override of it as a {mint} does: balance and total supply credited, ERC20Votes' safe-supply check, the
     *      recipient's delegatee's vote checkpoint raised, a `Transfer(0, to, amount)`.
     *
     *      Batch mode, for gas: the call, the role check, the cap check and the `totalMinted` write are paid once
     *      per batch ({_countMint} on the total before the first mint; {_update} skips the per-mint count inside
     *      mintBatch), and the total-supply checkpoint is pushed once for the batch total after the loop
     *      ({_transferVotingUnits} defers the per-mint push inside mintBatch). See {_inMintBatch}. All pairs share
     *      the block timestamp, so the checkpoints end exactly as after one {mint} per pair: `getPastTotalSupply`
     *      and `getPastVotes` cannot tell the difference. The batch ends by checking that the total supply grew by
     *      exactly the counted total (a panic otherwise): a mint that batch mode did not count cannot slip through.
     * @param recipients who receives each amount (non-zero addresses)
     * @param amounts grams (wei) for the recipient at the same index
     */
    function mintBatch(address[] calldata recipients, uint256[] calldata amounts) external onlyRole(MINTER_ROLE) {
        uint256 n = recipients.length;
        if (n != amounts.length) revert LengthMismatch(n, amounts.length);
        // The arrays are read with CALLDATALOAD at `offset + 32 i`, i < n: the ABI decoder checked at entry that
        // both arrays lie inside the calldata, so the per-access bounds check `amounts[i]` repeats is skipped (about
        // 200 gas per recipient, bench/gas_breakdown.py); the address check an access makes is kept below. `++i`
        // cannot overflow (i < n).
        uint256 total = 0;
        for (uint256 i = 0; i < n; ) {
            total += _amountAt(amounts, i); // checked: an overflowing total reverts
            unchecked {
                ++i;
            }
        }
        _countMint(total);
        uint256 supplyBefore = totalSupply();
        for (uint256 i = 0; i < n; ) {
            // OpenZeppelin's `_mint(to, amount)`, inlined (one internal call less per recipient).
            address to = _recipientAt(recipients, i);
            if (to == address(0)) revert ERC20InvalidReceiver(address(0));
            _update(address(0), to, _amountAt(amounts, i));
            unchecked {
                ++i;
            }
        }
        // Batch mode skipped the per-mint count of exactly these `total` grams, counted above: nothing else minted.
        assert(totalSupply() == supplyBefore + total);
        // The total-supply checkpoint, once for the batch total, through Votes' own _transferVotingUnits (the
        // base one: this contract's override would defer it again inside mintBatch): from = address(0) pushes
        // `+total`; to = this token, whose delegatee is always address(0) (the token never calls delegate on
        // itself and nobody can sign for its address), so no delegate votes move.
        Votes._transferVotingUnits(address(0), address(this), total);
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

    /// @dev Dividends administration (payout assets, distribution period): {DIVIDENDS_ADMIN_ROLE} only.
    function _authorizeDividendsAdmin() internal view override {
        _checkRole(DIVIDENDS_ADMIN_ROLE);
    }

    function _raiseCap(uint256 increase) private {
        if (increase == 0) revert ZeroCap();
        uint256 previousCap = _cap;
        uint256 newCap = previousCap + increase;
        _checkCapFitsVotes(newCap);
        _cap = newCap;
        emit CapRaised(previousCap, newCap);
    }

    /// @dev The cap check and issuance counter of every mint (of every {mintBatch}: its total): `value` more
    ///      grams ever minted, within the cap.
    function _countMint(uint256 value) private {
        uint256 remaining = _cap - _totalMinted;
        if (value > remaining) revert CapExceeded(value, remaining);
        _totalMinted += value;
    }

    /// @dev `amounts[i]` without the bounds check (the caller keeps `i < amounts.length`; see {mintBatch}).
    function _amountAt(uint256[] calldata amounts, uint256 i) private pure returns (uint256 value) {
        assembly ("memory-safe") {
            value := calldataload(add(amounts.offset, shl(5, i)))
        }
    }

    /// @dev `recipients[i]` without the bounds check (the caller keeps `i < recipients.length`), with the ABI check
    ///      such an access makes: a word with dirty high bits reverts without data.
    function _recipientAt(address[] calldata recipients, uint256 i) private pure returns (address to) {
        uint256 word;
        assembly ("memory-safe") {
            word := calldataload(add(recipients.offset, shl(5, i)))
        }
        if (word >> 160 != 0) revert();
        to = address(uint160(word));
    }

    function _checkCapFitsVotes(uint256 newCap) private view {
        uint256 maxCap = _maxSupply();
        if (newCap > maxCap) revert CapTooLarge(newCap, maxCap);
    }

    /**
     * @dev The one path of every balance change (invariant: every balance change passes `_update`): each transfer,
     *      burn and mint, every recipient of {mintBatch} included, reaches here and goes on through `super._update`
     *      (ERC20Dividends settling both parties, then ERC20Votes, then ERC20). An extension that must see every movement (e.g. settling a per-holder reward
     *      accumulator for both parties first) overrides this function. The cap check and the issuance counters
     *      cannot be bypassed: a mint is counted here, except inside {mintBatch}, whose batch total was counted
     *      before its first mint (and checked against the supply after its last).
     */
    function _update(address from, address to, uint256 value) internal virtual override(ERC20, ERC20Votes, ERC20Dividends) {
        if (from == address(0)) {
            if (!_inMintBatch()) _countMint(value);
        } else if (to == address(0)) {
            _totalBurned += value;
        }
        super._update(from, to, value);
    }

    /**
     * @dev Votes' accounting of each balance change (called by ERC20Votes._update). Inside {mintBatch} a mint's
     *      total-supply checkpoint is left out, because {mintBatch} pushes one for the batch total after its loop;
     *      the delegate votes move exactly as in `Votes._transferVotingUnits` (from `delegates(address(0))`, which
     *      is always address(0): nobody can act as, or sign for, the zero address). Otherwise unchanged.
     */
    function _transferVotingUnits(address from, address to, uint256 amount) internal override {
        if (from == address(0) && _inMintBatch()) {
            _moveDelegateVotes(address(0), delegates(to), amount);
        } else {
            super._transferVotingUnits(from, to, amount);
        }
    }

    /**
     * @dev Batch mode: whether this code runs in a call to {mintBatch}, i.e. the current call's selector is
     *      mintBatch's (the compiler guarantees no other function of this contract shares it; a call back into the
     *      token from elsewhere is a new call with its own selector). The only mints such a call makes are its
     *      loop's, whose total {mintBatch} counted with {_countMint} before the first one and checks against the
     *      total supply after the last. Why not a flag: Shanghai (Ganache) has no transient storage; a storage flag
     *      (a warm SLOAD in each of {_update} and {_transferVotingUnits} per recipient), and also Solidity's
     *      `msg.sig == selector` (its bytes4 cleanup, twice per recipient), took PurchaseMining's batch of 100
     *      returning purchases past +2% gas per purchase over the old mintBatch that bypassed `_update`; this
     *      comparison keeps it under (bench/gas_mining.py). Assembly only to read the selector (calldata, no writes).
     */
    function _inMintBatch() private pure returns (bool inBatch) {
        uint256 selector = uint32(this.mintBatch.selector);
        assembly ("memory-safe") {
            inBatch := eq(shr(224, calldataload(0)), selector)
        }
    }
}

"""Claims: to any address, claimFor, claimAll, claimBySig (and its replays), reentrancy, contracts as holders."""

from __future__ import annotations

import brownie
from brownie import ZERO_ADDRESS, accounts, chain

from tests.dividends.conftest import DAY, GRAM, USD, WEEK, sleep_to
from tests.dividends.signing import sign_claim


def _stream_to(holder, dividend_token, tusd, grams, fund, depositor, amount=WEEK * USD):
    grams.mint(holder, GRAM)
    tx = fund(tusd, amount, depositor)
    sleep_to(tx.timestamp + WEEK + 1)
    chain.mine()
    return tx


def test_claim_to_any_address(dividend_token, tusd, grams, holders, fund, depositor):
    _stream_to(holders[0], dividend_token, tusd, grams, fund, depositor)
    expected = dividend_token.claimable.call(holders[0], tusd, block_identifier=chain[-1].number)
    tx = dividend_token.claim(tusd, holders[5], {"from": holders[0]})
    ev = tx.events["DividendsClaimed"]
    assert (ev["holder"], ev["asset"], ev["recipient"], ev["caller"]) == (holders[0], tusd, holders[5], holders[0])
    assert ev["amount"] == expected == WEEK * USD
    assert tusd.balanceOf(holders[5]) == WEEK * USD
    assert dividend_token.totalClaimed(tusd) == WEEK * USD
    assert dividend_token.claimable(holders[0], tusd) == 0
    with brownie.reverts(revert_pattern="DividendsNothingToClaim: .*"):  # no claim pays twice
        dividend_token.claim(tusd, holders[0], {"from": holders[0]})


def test_claim_to_zero_address_is_refused(dividend_token, tusd, grams, holders, fund, depositor):
    _stream_to(holders[0], dividend_token, tusd, grams, fund, depositor)
    with brownie.reverts(revert_pattern="DividendsZeroRecipient.*"):
        dividend_token.claim(tusd, ZERO_ADDRESS, {"from": holders[0]})
    with brownie.reverts(revert_pattern="DividendsZeroRecipient.*"):
        dividend_token.claimAll(ZERO_ADDRESS, {"from": holders[0]})


def test_claim_for_pays_the_holder(dividend_token, tusd, grams, holders, fund, depositor):
    _stream_to(holders[0], dividend_token, tusd, grams, fund, depositor)
    tx = dividend_token.claimFor(holders[0], tusd, {"from": holders[4]})
    ev = tx.events["DividendsClaimed"]
    assert ev["recipient"] == holders[0] and ev["caller"] == holders[4]
    assert tusd.balanceOf(holders[0]) == WEEK * USD and tusd.balanceOf(holders[4]) == 0


def test_claim_during_a_stream_then_again(dividend_token, tusd, grams, holders, fund, depositor):
    grams.mint(holders[0], GRAM)
    tx = fund(tusd, WEEK * USD, depositor)
    sleep_to(tx.timestamp + DAY)
    c1 = dividend_token.claim(tusd, holders[0], {"from": holders[0]})
    assert c1.events["DividendsClaimed"]["amount"] == (c1.timestamp - tx.timestamp) * USD
    sleep_to(tx.timestamp + WEEK + 1)
    c2 = dividend_token.claim(tusd, holders[0], {"from": holders[0]})
    assert c1.events["DividendsClaimed"]["amount"] + c2.events["DividendsClaimed"]["amount"] == WEEK * USD


def test_claim_all(dividend_token, tusd, dai, dividends_admin, grams, holders, fund, depositor):
    dividend_token.registerPayoutAsset(dai, {"from": dividends_admin})
    grams.mint(holders[0], GRAM)
    fund(tusd, WEEK * USD, depositor)
    tx = fund(dai, WEEK * GRAM, depositor)
    sleep_to(tx.timestamp + WEEK + 1)
    claim = dividend_token.claimAll(holders[1], {"from": holders[0]})
    amounts = claim.return_value
    assert len(claim.events["DividendsClaimed"]) == 2
    assert WEEK * USD - 1 <= amounts[0] <= WEEK * USD and amounts[1] == WEEK * GRAM
    assert tusd.balanceOf(holders[1]) == amounts[0] and dai.balanceOf(holders[1]) == amounts[1]
    # nothing left: claimAll skips, does not revert
    again = dividend_token.claimAll(holders[1], {"from": holders[2]})
    assert list(again.return_value) == [0, 0] and "DividendsClaimed" not in again.events


def test_unknown_asset_claim(dividend_token, dai, holders):
    with brownie.reverts(revert_pattern="DividendsUnknownAsset: .*"):
        dividend_token.claim(dai, holders[0], {"from": holders[0]})


# ---------------------------------------------------------------- claimBySig


def _signer_with_dividends(dividend_token, tusd, grams, fund, depositor):
    signer = accounts.add()
    _stream_to(signer, dividend_token, tusd, grams, fund, depositor)
    return signer


def test_claim_by_sig_pays_the_chosen_recipient(dividend_token, tusd, grams, holders, fund, depositor):
    signer = _signer_with_dividends(dividend_token, tusd, grams, fund, depositor)
    deadline = chain[-1].timestamp + 3_600
    nonce = dividend_token.nonces(signer)
    v, r, s = sign_claim(signer.private_key, dividend_token, signer, tusd, holders[3], nonce, deadline)
    tx = dividend_token.claimBySig(signer, tusd, holders[3], deadline, v, r, s, {"from": holders[4]})
    ev = tx.events["DividendsClaimed"]
    assert (ev["holder"], ev["recipient"], ev["caller"]) == (signer, holders[3], holders[4])
    assert tusd.balanceOf(holders[3]) == WEEK * USD
    assert dividend_token.nonces(signer) == nonce + 1
    # replay of the same signature: the nonce is used, so the digest recovers someone else
    with brownie.reverts(revert_pattern="DividendsInvalidSigner: .*"):
        dividend_token.claimBySig(signer, tusd, holders[3], deadline, v, r, s, {"from": holders[4]})


def test_claim_by_sig_other_recipient_or_asset_fails(dividend_token, tusd, grams, holders, fund, depositor):
    signer = _signer_with_dividends(dividend_token, tusd, grams, fund, depositor)
    deadline = chain[-1].timestamp + 3_600
    v, r, s = sign_claim(signer.private_key, dividend_token, signer, tusd, holders[3], 0, deadline)
    with brownie.reverts(revert_pattern="DividendsInvalidSigner: .*"):
        dividend_token.claimBySig(signer, tusd, holders[4], deadline, v, r, s, {"from": holders[4]})


def test_claim_by_sig_wrong_chain_id(dividend_token, tusd, grams, holders, fund, depositor):
    signer = _signer_with_dividends(dividend_token, tusd, grams, fund, depositor)
    deadline = chain[-1].timestamp + 3_600
    v, r, s = sign_claim(signer.private_key, dividend_token, signer, tusd, holders[3], 0, deadline, chain_id=1)
    with brownie.reverts(revert_pattern="DividendsInvalidSigner: .*"):
        dividend_token.claimBySig(signer, tusd, holders[3], deadline, v, r, s, {"from": holders[4]})


def test_claim_by_sig_for_another_contract(
    dividend_token, tusd, grams, holders, fund, depositor, DividendTokenHarness, dividends_admin
):
    signer = _signer_with_dividends(dividend_token, tusd, grams, fund, depositor)
    other = DividendTokenHarness.deploy(dividends_admin, {"from": dividends_admin})
    deadline = chain[-1].timestamp + 3_600
    v, r, s = sign_claim(
        signer.private_key, dividend_token, signer, tusd, holders[3], 0, deadline, verifying_contract=other.address
    )
    with brownie.reverts(revert_pattern="DividendsInvalidSigner: .*"):
        dividend_token.claimBySig(signer, tusd, holders[3], deadline, v, r, s, {"from": holders[4]})


def test_claim_by_sig_expired(dividend_token, tusd, grams, holders, fund, depositor):
    signer = _signer_with_dividends(dividend_token, tusd, grams, fund, depositor)
    deadline = chain[-1].timestamp - 1
    v, r, s = sign_claim(signer.private_key, dividend_token, signer, tusd, holders[3], 0, deadline)
    with brownie.reverts(f"DividendsExpiredSignature: {deadline}"):
        dividend_token.claimBySig(signer, tusd, holders[3], deadline, v, r, s, {"from": holders[4]})


def test_claim_by_sig_wrong_signer(dividend_token, tusd, grams, holders, fund, depositor):
    signer = _signer_with_dividends(dividend_token, tusd, grams, fund, depositor)
    thief = accounts.add()
    deadline = chain[-1].timestamp + 3_600
    v, r, s = sign_claim(thief.private_key, dividend_token, signer, tusd, thief, 0, deadline)
    with brownie.reverts(f"DividendsInvalidSigner: {thief.address.lower()}, {signer.address.lower()}"):
        dividend_token.claimBySig(signer, tusd, thief, deadline, v, r, s, {"from": holders[4]})


def test_claim_by_sig_nonce_is_shared_with_permit(dividend_token, tusd, grams, holders, fund, depositor):
    """The token's OpenZeppelin Nonces: a permit signed later but used first invalidates the claim signature."""
    from tests.dividends.signing import sign_permit

    signer = _signer_with_dividends(dividend_token, tusd, grams, fund, depositor)
    deadline = chain[-1].timestamp + 3_600
    v, r, s = sign_claim(signer.private_key, dividend_token, signer, tusd, holders[3], 0, deadline)
    pv, pr, ps = sign_permit(signer.private_key, dividend_token, signer, holders[4], 1, 0, deadline)
    dividend_token.permit(signer, holders[4], 1, deadline, pv, pr, ps, {"from": holders[4]})
    with brownie.reverts(revert_pattern="DividendsInvalidSigner: .*"):
        dividend_token.claimBySig(signer, tusd, holders[3], deadline, v, r, s, {"from": holders[4]})


# ---------------------------------------------------------------- reentrancy and contract holders


def test_reentrant_payout_token_cannot_reenter(
    dividend_token, reentrant_token, dividends_admin, grams, holders, fund, depositor
):
    dividend_token.registerPayoutAsset(reentrant_token, {"from": dividends_admin})
    grams.mint(holders[0], GRAM)
    guard_error = "0x3ee5aeb5"  # ReentrancyGuardReentrantCall()
    reentrant_token.arm(dividend_token, 3, {"from": depositor})  # re-enter deposit during the deposit
    tx = fund(reentrant_token, WEEK * GRAM, depositor)
    assert reentrant_token.attempts() == 1 and not reentrant_token.lastSucceeded()
    assert reentrant_token.lastError() == guard_error
    assert tx.events["DividendsDeposited"]["credited"] == WEEK * GRAM
    sleep_to(tx.timestamp + WEEK + 1)
    for mode in (1, 2):  # claim, claimFor during the payout transfer
        reentrant_token.arm(dividend_token, mode, {"from": depositor})
        if mode == 1:
            paid = dividend_token.claim(reentrant_token, holders[0], {"from": holders[0]})
        else:
            grams.mint(reentrant_token, GRAM)  # the token itself holds grams and tries claimFor(itself)
            sleep_to(chain[-1].timestamp + 10)
            fund(reentrant_token, WEEK * GRAM, depositor)
            sleep_to(chain[-1].timestamp + WEEK + 1)
            reentrant_token.arm(dividend_token, mode, {"from": depositor})
            paid = dividend_token.claim(reentrant_token, holders[1], {"from": holders[0]})
        assert not reentrant_token.lastSucceeded() and reentrant_token.lastError() == guard_error
        assert paid.events["DividendsClaimed"]["amount"] > 0
    assert reentrant_token.balanceOf(dividend_token) + dividend_token.totalClaimed(
        reentrant_token
    ) == dividend_token.totalDeposited(reentrant_token)


def test_contracts_holding_grams_accrue_like_anyone(dividend_token, tusd, grams, holders, fund, depositor):
    """A contract holder (here the tUSD contract, and the dividend token itself) earns its share; claimFor pays it."""
    grams.mint(holders[0], GRAM)
    grams.mint(tusd, GRAM)
    grams.mint(dividend_token, 2 * GRAM)
    tx = fund(tusd, 4 * WEEK * USD, depositor)
    sleep_to(tx.timestamp + WEEK + 1)
    a = dividend_token.claimFor(tusd, tusd, {"from": holders[2]}).events["DividendsClaimed"]["amount"]
    b = dividend_token.claimFor(dividend_token, tusd, {"from": holders[2]}).events["DividendsClaimed"]["amount"]
    assert WEEK * USD - 1 <= a <= WEEK * USD
    assert 2 * WEEK * USD - 1 <= b <= 2 * WEEK * USD
    assert tusd.balanceOf(tusd) == a

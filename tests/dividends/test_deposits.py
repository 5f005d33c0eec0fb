"""Deposits: zero and dust griefing, the rate rule, fee-on-transfer assets, permit, the deposit cap."""

from __future__ import annotations

import brownie
from brownie import accounts, chain

from tests.dividends.conftest import DAY, GRAM, USD, WEEK, sleep_to
from tests.dividends.signing import sign_permit


def test_zero_deposit_is_refused(dividend_token, tusd, depositor):
    """Pitfall 4: a zero deposit would restart the period and dilute the rate."""
    with brownie.reverts(revert_pattern="DividendsZeroAmount.*"):
        dividend_token.deposit(tusd, 0, {"from": depositor})


def test_unknown_asset_is_refused(dividend_token, dai, depositor):
    dai.mint(depositor, GRAM, {"from": depositor})
    dai.approve(dividend_token, GRAM, {"from": depositor})
    with brownie.reverts(revert_pattern="DividendsUnknownAsset: .*"):
        dividend_token.deposit(dai, GRAM, {"from": depositor})


def test_deposit_event_and_totals(dividend_token, tusd, grams, holders, fund, depositor):
    grams.mint(holders[0], GRAM)
    tx = fund(tusd, 700 * USD, depositor)
    ev = tx.events["DividendsDeposited"]
    assert ev["asset"] == tusd and ev["depositor"] == depositor
    assert ev["amount"] == ev["credited"] == 700 * USD
    assert ev["scaledRate"] == 700 * USD * 10**36 // WEEK and ev["periodEnd"] == tx.timestamp + WEEK
    assert dividend_token.totalDeposited(tusd) == 700 * USD
    assert tusd.balanceOf(dividend_token) == 700 * USD


def test_dust_deposit_during_a_stream_is_refused(dividend_token, tusd, grams, holders, fund, depositor):
    """A deposit that would lower the running rate (restart the period with too little) is refused: dust cannot
    stretch a stream. The smallest accepted amount is what keeps the rate: minimumDeposit."""
    grams.mint(holders[0], GRAM)
    tx = fund(tusd, WEEK * USD, depositor)
    sleep_to(tx.timestamp + DAY)
    chain.mine()
    tusd.mint(depositor, 10 * DAY * USD, {"from": depositor})
    tusd.approve(dividend_token, 10 * DAY * USD, {"from": depositor})
    with brownie.reverts(revert_pattern="DividendsDepositTooSmall: 1, .*"):
        dividend_token.deposit(tusd, 1, {"from": depositor})
    # about one day of the stream went out: a new deposit must bring at least that much to keep the rate
    half = DAY * USD // 2
    with brownie.reverts(revert_pattern=f"DividendsDepositTooSmall: {half}, .*"):
        dividend_token.deposit(tusd, half, {"from": depositor})
    ok = dividend_token.deposit(tusd, DAY * USD + 1_000 * USD, {"from": depositor})  # 1,000 s of slack
    assert ok.events["DividendsDeposited"]["scaledRate"] >= USD * 10**36
    assert ok.events["DividendsDeposited"]["periodEnd"] == ok.timestamp + WEEK


def test_minimum_deposit_view_is_exact(dividend_token, tusd, grams, holders, fund, depositor):
    grams.mint(holders[0], GRAM)
    tx = fund(tusd, 3 * WEEK * USD, depositor)  # 3 tUSD/s
    sleep_to(tx.timestamp + 2 * DAY)
    chain.mine()
    block = chain[-1]
    assert (
        dividend_token.minimumDeposit.call(tusd, block_identifier=block.number)
        == (block.timestamp - tx.timestamp) * 3 * USD
    )
    sleep_to(tx.timestamp + WEEK)
    chain.mine()
    assert (
        dividend_token.minimumDeposit.call(tusd, block_identifier=chain[-1].number) == 1
    )  # stream over: anything non-zero


def test_one_unit_after_the_stream_starts_a_new_one(dividend_token, tusd, grams, holders, fund, depositor):
    grams.mint(holders[0], GRAM)
    tx = fund(tusd, USD, depositor)
    sleep_to(tx.timestamp + WEEK)
    tx2 = fund(tusd, 1, depositor)
    assert tx2.events["DividendsDeposited"]["scaledRate"] == 10**36 // WEEK
    sleep_to(tx2.timestamp + WEEK)
    chain.mine()
    assert USD - 1 <= dividend_token.claimable.call(holders[0], tusd, block_identifier=chain[-1].number) <= USD + 1


def test_fee_on_transfer_asset_is_credited_what_arrived(
    dividend_token, fee_token, dividends_admin, grams, holders, fund, depositor
):
    dividend_token.registerPayoutAsset(fee_token, {"from": dividends_admin})
    grams.mint(holders[0], GRAM)
    tx = fund(fee_token, 1_000 * GRAM, depositor)
    ev = tx.events["DividendsDeposited"]
    assert ev["amount"] == 1_000 * GRAM and ev["credited"] == 990 * GRAM
    assert dividend_token.totalDeposited(fee_token) == 990 * GRAM
    assert fee_token.balanceOf(dividend_token) == 990 * GRAM
    sleep_to(tx.timestamp + WEEK + 1)
    claim = dividend_token.claim(fee_token, holders[1], {"from": holders[0]})
    paid = claim.events["DividendsClaimed"]["amount"]
    assert 990 * GRAM - 1 <= paid <= 990 * GRAM
    assert fee_token.balanceOf(holders[1]) == paid - paid // 100  # the asset's own fee on the payout
    assert fee_token.balanceOf(dividend_token) == 990 * GRAM - paid  # only dust stays


def test_deposit_with_permit(dividend_token, tusd, grams, holders):
    signer = accounts.add()
    accounts[0].transfer(signer, "1 ether")
    grams.mint(holders[0], GRAM)
    amount = 500 * USD
    tusd.mint(signer, amount, {"from": signer})
    deadline = chain[-1].timestamp + 3_600
    v, r, s = sign_permit(signer.private_key, tusd, signer, dividend_token, amount, tusd.nonces(signer), deadline)
    tx = dividend_token.depositWithPermit(tusd, amount, deadline, v, r, s, {"from": signer})
    assert tx.events["DividendsDeposited"]["credited"] == amount
    assert tusd.balanceOf(signer) == 0 and tusd.nonces(signer) == 1


def test_deposit_with_front_run_permit_still_works(dividend_token, tusd, grams, holders):
    """Someone submits the permit first: the permit call fails inside, the allowance is there, the deposit goes."""
    signer = accounts.add()
    accounts[0].transfer(signer, "1 ether")
    amount = 5 * USD
    tusd.mint(signer, amount, {"from": signer})
    deadline = chain[-1].timestamp + 3_600
    v, r, s = sign_permit(signer.private_key, tusd, signer, dividend_token, amount, 0, deadline)
    tusd.permit(signer, dividend_token, amount, deadline, v, r, s, {"from": holders[3]})
    tx = dividend_token.depositWithPermit(tusd, amount, deadline, v, r, s, {"from": signer})
    assert tx.events["DividendsDeposited"]["credited"] == amount


def test_lifetime_deposits_are_capped(dividend_token, dai, dividends_admin, fund, depositor):
    dividend_token.registerPayoutAsset(dai, {"from": dividends_admin})
    cap = 2**96 - 1
    fund(dai, cap, depositor)
    dai.mint(depositor, 1, {"from": depositor})
    dai.approve(dividend_token, 1, {"from": depositor})
    with brownie.reverts(f"DividendsDepositCapExceeded: {cap + 1}, {cap}"):
        dividend_token.deposit(dai, 1, {"from": depositor})

"""Governance of payout assets: authorisation hook, registration, the asset bound, retiring, period bounds."""

from __future__ import annotations

import brownie
from brownie import ZERO_ADDRESS, chain

from tests.dividends.conftest import DAY, GRAM, USD, WEEK, sleep_to

UNAUTHORIZED = "(HarnessUnauthorized|AccessControlUnauthorizedAccount): .*"


def test_admin_functions_need_the_dividends_admin(dividend_token, dai, tusd, holders):
    with brownie.reverts(revert_pattern=UNAUTHORIZED):
        dividend_token.registerPayoutAsset(dai, {"from": holders[0]})
    with brownie.reverts(revert_pattern=UNAUTHORIZED):
        dividend_token.retirePayoutAsset(tusd, {"from": holders[0]})
    with brownie.reverts(revert_pattern=UNAUTHORIZED):
        dividend_token.setDistributionPeriod(2 * DAY, {"from": holders[0]})


def test_register_emits_and_lists(dividend_token, tusd, dai, dividends_admin):
    tx = dividend_token.registerPayoutAsset(dai, {"from": dividends_admin})
    assert tx.events["PayoutAssetRegistered"]["asset"] == dai
    assert tx.events["PayoutAssetRegistered"]["index"] == 1
    assert dividend_token.payoutAssets() == [tusd, dai]
    assert dividend_token.payoutAssetStatus(dai) == (True, False)
    with brownie.reverts(revert_pattern="DividendsAssetAlreadyRegistered: .*"):
        dividend_token.registerPayoutAsset(dai, {"from": dividends_admin})


def test_invalid_assets_are_refused(dividend_token, dividends_admin, holders):
    for bad in (ZERO_ADDRESS, holders[0], dividend_token):  # zero, no code, the dividend token itself
        with brownie.reverts(revert_pattern="DividendsInvalidAsset: .*"):
            dividend_token.registerPayoutAsset(bad, {"from": dividends_admin})


def test_the_asset_bound_counts_retired_assets(dividend_token, tusd, dividends_admin, MockPayoutToken):
    maximum = dividend_token.MAX_PAYOUT_ASSETS()
    assert maximum == 4
    dividend_token.retirePayoutAsset(tusd, {"from": dividends_admin})
    for i in range(maximum - 1):
        coin = MockPayoutToken.deploy(f"C{i}", f"C{i}", 18, {"from": dividends_admin})
        dividend_token.registerPayoutAsset(coin, {"from": dividends_admin})
    extra = MockPayoutToken.deploy("X", "X", 18, {"from": dividends_admin})
    with brownie.reverts(f"DividendsTooManyAssets: {maximum}"):
        dividend_token.registerPayoutAsset(extra, {"from": dividends_admin})
    # reactivating a retired asset takes no new place
    tx = dividend_token.registerPayoutAsset(tusd, {"from": dividends_admin})
    assert "PayoutAssetReactivated" in tx.events
    assert dividend_token.payoutAssetStatus(tusd) == (True, False)
    assert len(dividend_token.payoutAssets()) == maximum


def test_retired_asset_finishes_its_stream_and_stays_claimable(
    dividend_token, tusd, dividends_admin, grams, holders, fund, depositor
):
    grams.mint(holders[0], GRAM)
    tx = fund(tusd, WEEK * USD, depositor)
    sleep_to(tx.timestamp + DAY)
    retire = dividend_token.retirePayoutAsset(tusd, {"from": dividends_admin})
    assert retire.events["PayoutAssetRetired"]["asset"] == tusd
    assert dividend_token.payoutAssetStatus(tusd) == (True, True)
    tusd.mint(depositor, USD, {"from": depositor})
    tusd.approve(dividend_token, USD, {"from": depositor})
    with brownie.reverts(revert_pattern="DividendsAssetRetired: .*"):
        dividend_token.deposit(tusd, USD, {"from": depositor})
    with brownie.reverts(revert_pattern="DividendsAssetRetired: .*"):
        dividend_token.retirePayoutAsset(tusd, {"from": dividends_admin})
    # the stream keeps running and transfers keep settling it
    sleep_to(tx.timestamp + 3 * DAY)
    move = grams.transfer(holders[0], holders[1], GRAM // 2)
    sleep_to(tx.timestamp + WEEK + 1)
    chain.mine()
    end = chain[-1].number
    a = dividend_token.claimable.call(holders[0], tusd, block_identifier=end)
    b = dividend_token.claimable.call(holders[1], tusd, block_identifier=end)
    t = move.timestamp - tx.timestamp
    assert t * USD + (WEEK - t) * USD // 2 - 1 <= a
    assert (WEEK - t) * USD // 2 - 1 <= b
    assert WEEK * USD - 2 <= a + b <= WEEK * USD
    paid = dividend_token.claim(tusd, holders[0], {"from": holders[0]}).events["DividendsClaimed"]["amount"]
    assert paid == a


def test_period_bounds_and_event(dividend_token, dividends_admin):
    assert dividend_token.distributionPeriod() == WEEK
    low, high = dividend_token.MIN_DISTRIBUTION_PERIOD(), dividend_token.MAX_DISTRIBUTION_PERIOD()
    assert (low, high) == (DAY, 90 * DAY)
    with brownie.reverts(f"DividendsPeriodOutOfBounds: {DAY - 1}, {DAY}, {90 * DAY}"):
        dividend_token.setDistributionPeriod(DAY - 1, {"from": dividends_admin})
    with brownie.reverts(f"DividendsPeriodOutOfBounds: {90 * DAY + 1}, {DAY}, {90 * DAY}"):
        dividend_token.setDistributionPeriod(90 * DAY + 1, {"from": dividends_admin})
    for period in (DAY, 90 * DAY):
        previous = dividend_token.distributionPeriod()
        tx = dividend_token.setDistributionPeriod(period, {"from": dividends_admin})
        assert tx.events["DistributionPeriodSet"]["previousPeriod"] == previous
        assert tx.events["DistributionPeriodSet"]["newPeriod"] == period
        assert dividend_token.distributionPeriod() == period


def test_a_new_period_applies_to_the_next_deposit(
    dividend_token, tusd, dividends_admin, grams, holders, fund, depositor
):
    grams.mint(holders[0], GRAM)
    tx = fund(tusd, WEEK * USD, depositor)
    dividend_token.setDistributionPeriod(DAY, {"from": dividends_admin})
    assert dividend_token.periodEnd(tusd) == tx.timestamp + WEEK  # the running stream keeps its end
    sleep_to(tx.timestamp + WEEK)
    tx2 = fund(tusd, DAY * USD, depositor)
    assert dividend_token.periodEnd(tusd) == tx2.timestamp + DAY
    assert tx2.events["DividendsDeposited"]["scaledRate"] == USD * 10**36

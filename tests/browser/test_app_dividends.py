"""Dividends in the browser: holders hold grams, a depositor streams Test USD to them (deposited with Brownie), the
chain clock moves, the page shows what each holder may claim (as `claimable` reads it at the block the page
rendered); a holder claims through the wallet, then a holder without ETH claims through the relay (it only signs,
the relay pays the gas). The relay-less actions (propose) stay disabled for it, with a hint."""

from __future__ import annotations

from eth_account import Account
from playwright.sync_api import expect

from blackgold.accounts import KeySigner
from blackgold.units import format_amount
from tests.browser.conftest import (
    advance_to,
    deposit_usd,
    rendered_block,
    screenshot,
    switch_account,
    synced,
)

WITH_RELAY = True  # conftest mounts the gasless relay at /relay
USD = 10**6
WEEK = 7 * 86_400
NEEDS_ETH = "need ETH for gas; delegate, vote and claim work without ETH through the relay"


def shown_claimable(page, web3, token, coin, holder) -> tuple[int, int]:
    """(what the page shows as claimable, the block it rendered), checked against `claimable` at that block."""
    block = rendered_block(synced(page, web3))
    owed = token.claimable.call(holder, coin, block_identifier=block)
    expect(page.get_by_test_id("claimable-tUSD")).to_have_text(format_amount(owed, 6))
    return owed, block


def claimed(sdk, holder: str, since: int):
    """The DividendsClaimed event of `holder` since block `since` (exactly one)."""
    events = sdk.token.contract.events.DividendsClaimed.get_logs(from_block=since, argument_filters={"holder": holder})
    assert len(events) == 1, events
    return events[0]


def claim_in_page(page, web3, sdk, system, holder: str):
    """Click Claim; the asset balance rises by the DividendsClaimed amount, which is what was claimable when the
    claim was mined: at least what the page showed, at most that plus the holder's share of the seconds since."""
    token, coin = system.token, system.extra["TestStablecoin"]
    owed, block = shown_claimable(page, web3, token, coin, holder)
    assert owed > 0
    before = coin.balanceOf(holder)
    page.get_by_test_id("claim-tUSD").click()
    expect(page.get_by_test_id("message")).to_contain_text("Claimed")
    event = claimed(sdk, holder, block + 1)
    paid = event["args"]["amount"]
    assert coin.balanceOf(holder) - before == paid
    seconds = web3.eth.get_block(event["blockNumber"])["timestamp"] - web3.eth.get_block(block)["timestamp"]
    share_per_second = USD * token.balanceOf(holder) // token.totalSupply() + 1  # the stream pays 1 tUSD a second
    assert owed <= paid <= owed + seconds * share_per_second
    expect(page.get_by_test_id("message")).to_have_text(f"Claimed {format_amount(paid, 6)} tUSD.")
    return event


def test_claim_dividends_with_the_wallet_and_without_eth_through_the_relay(
    open_app, sdk, system, relay, accounts, chain, web3
):
    a1, a3 = str(accounts[1]), str(accounts[3])
    shopper = KeySigner(Account.create())  # grams, no ETH: a key Ganache does not know
    z = shopper.address
    system.token.transfer(z, system.token.balanceOf(a3) // 2, {"from": a3})
    deposit = deposit_usd(system, accounts[5], WEEK * USD)  # streams 1 tUSD a second to the whole supply
    advance_to(chain, web3, deposit.timestamp + 3_600)  # an hour of the stream has accrued
    page = open_app(account=a1, local_signers=[shopper])
    page.get_by_test_id("connect").click()
    expect(page.get_by_test_id("account")).to_have_attribute("title", a1)
    expect(page.get_by_test_id("claim-tUSD")).to_be_enabled()
    screenshot(page, "dividends")
    event = claim_in_page(page, web3, sdk, system, a1)
    assert event["args"]["recipient"] == event["args"]["caller"] == a1  # the wallet sent it

    switch_account(page, z)  # no ETH: the claim goes through the relay, the wallet only signs
    expect(page.get_by_test_id("gasless")).to_be_checked()
    expect(page.get_by_test_id("propose")).to_be_disabled()  # proposing has no relayed form
    expect(page.get_by_test_id("propose-note")).to_contain_text(NEEDS_ETH)
    expect(page.get_by_test_id("claim-tUSD")).to_be_enabled()
    event = claim_in_page(page, web3, sdk, system, z)
    assert event["args"]["recipient"] == z and event["args"]["caller"] == relay.address
    assert web3.eth.get_balance(z) == 0  # the relay paid the gas
    assert "eth_signTypedData_v4" in page.evaluate("() => window.__testWallet.state.requests")
    assert [(r.kind, r.status) for r in relay.store.all()] == [("claim", "confirmed")]
    screenshot(page, "dividends-relay")

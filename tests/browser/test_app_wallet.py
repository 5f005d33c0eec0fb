"""Wallet handling in the browser: the wrong-network banner and its one-click switch (adding the chain first),
a signature the holder rejects (EIP-1193 error 4001), a revert decoded to the contract's custom error, and a quote
that matches PurchaseMining.quote."""

from __future__ import annotations

from playwright.sync_api import expect

from blackgold import mining
from blackgold.units import GRAM, format_grams
from tests.browser.conftest import advance_to, screenshot, synced


def test_wrong_network_banner_switches_and_adds_the_chain(open_app, accounts, rpc_url, web3):
    page = open_app(account=str(accounts[1]), wallet_chain="0x1", known_chains=["0x1"])
    page.get_by_test_id("connect").click()
    banner = page.get_by_test_id("wrong-network")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text(
        f"Your wallet is on chain 1. This app runs on Black Gold local (ganache-cli) (chain id {web3.eth.chain_id})"
    )
    expect(page.get_by_test_id("self-delegate")).to_be_disabled()
    screenshot(page, "wrong-network")
    page.get_by_test_id("switch-network").click()
    expect(banner).to_be_hidden()
    expect(page.get_by_test_id("message")).to_contain_text("Wallet switched to")
    added = page.evaluate("window.__testWallet.state.added")
    assert added["chainId"] == hex(web3.eth.chain_id) and added["rpcUrls"] == [rpc_url]
    requests = page.evaluate("window.__testWallet.state.requests")
    assert requests.count("wallet_switchEthereumChain") == 2 and "wallet_addEthereumChain" in requests
    expect(page.get_by_test_id("self-delegate")).to_be_enabled()


def test_rejected_signature_shows_a_clear_message(open_app, accounts, sdk):
    holder = str(accounts[1])
    page = open_app(account=holder)
    page.get_by_test_id("connect").click()
    page.evaluate("window.__testWallet.rejectNext('eth_sendTransaction')")
    page.get_by_test_id("self-delegate").click()
    message = page.get_by_test_id("message")
    expect(message).to_have_text("You rejected the request in your wallet: nothing was sent.")
    expect(message).to_have_attribute("data-kind", "error")
    assert sdk.token.votes(holder) == 0
    screenshot(page, "rejected")


def test_revert_shows_the_decoded_custom_error(open_app, accounts, system, sdk, chain, web3):
    """Proposing what is already proposed: the simulation reverts and the page names the governor's error."""
    holder = accounts[1]
    system.token.delegate(holder, {"from": holder})
    advance_to(chain, web3, web3.eth.get_block("latest")["timestamp"] + 1)
    data = system.token.raiseCap.encode_input(1_000 * GRAM)
    system.governor.propose([system.token.address], [0], [data], "Same twice", {"from": holder})
    page = open_app(account=str(holder))
    page.get_by_test_id("connect").click()
    synced(page, web3)
    page.get_by_test_id("p-kind").select_option("raise")
    page.get_by_test_id("p-amount").fill("1,000")
    page.get_by_test_id("p-description").fill("Same twice")
    page.get_by_test_id("propose").click()
    message = page.get_by_test_id("message")
    expect(message).to_contain_text("The transaction would fail: GovernorUnexpectedProposalState(")
    expect(message).to_contain_text("An identical proposal may already exist")
    assert sdk.governor.count() == 1
    screenshot(page, "revert")


def test_quote_matches_the_contract(open_app, sdk):
    page = open_app(account=None)
    page.get_by_test_id("q-amount").fill("123.45")
    page.get_by_test_id("q-override").fill("30")
    page.get_by_test_id("quote").click()
    expect(page.get_by_test_id("quote-result")).to_have_attribute("data-fen", "12345")
    q = mining.quote(sdk, 12_345, True, 3_000)
    for role, grams in zip(mining.ROLES, (q.consumer, q.referrer, q.supplier, q.platform)):
        expect(page.get_by_test_id(f"quote-{role}")).to_have_text(format_grams(grams))
    expect(page.get_by_test_id("quote-total")).to_have_text(format_grams(q.total))
    page.get_by_test_id("q-referrer").uncheck()
    page.get_by_test_id("q-override").fill("0")
    page.get_by_test_id("quote").click()
    q = mining.quote(sdk, 12_345, False, 0)
    assert q.referrer == 0
    expect(page.get_by_test_id("quote-consumer")).to_have_text(format_grams(q.consumer))
    expect(page.get_by_test_id("quote-referrer")).to_have_text("0")

"""The page without a wallet (read-only browsing): mining, grams per role of any address, what it may claim; the
event scans read in windows of LOG_WINDOW blocks (as against a public RPC that limits eth_getLogs ranges)."""

from __future__ import annotations

import json
from collections import defaultdict

from playwright.sync_api import expect

from blackgold import mining
from blackgold.units import format_amount, format_grams
from tests.browser.conftest import advance_to, deposit_usd, rendered_block, screenshot, synced

LOG_WINDOW = 3  # blocks per eth_getLogs: the scans below cross many windows
USD = 10**6


def test_read_only_page_shows_mining_grams_and_dividends_of_any_address(open_app, sdk, system, accounts, chain, web3):
    coin, token = system.extra["TestStablecoin"], system.token
    deposit_usd(system, accounts[5], 7_000 * USD)
    advance_to(chain, web3, web3.eth.get_block("latest")["timestamp"] + 3600)  # an hour of the stream accrued
    page = open_app(account=None)
    expect(page.get_by_test_id("chain-line")).to_contain_text("No browser wallet found")
    params = mining.parameters(sdk)
    expect(page.get_by_test_id("epoch")).to_have_text(str(params.epoch))
    expect(page.get_by_test_id("allocation-left")).to_have_text(f"{format_grams(params.remaining_allocation)} grams")
    expect(page.get_by_test_id("daily-ceiling")).to_contain_text(format_grams(params.daily_ceiling))
    expect(page.get_by_test_id("proposals")).to_contain_text("No proposal yet.")
    expect(page.get_by_test_id("claimable-tUSD")).to_have_text("0")  # nobody viewed yet
    holder = str(accounts[2])
    page.get_by_test_id("view-address").fill(str(holder))
    page.get_by_test_id("view-address").press("Enter")
    expect(page.get_by_test_id("balance")).to_have_text(f"{format_grams(sdk.token.balance_of(holder))} grams")
    mined = mining.mined_by_role(sdk, holder)
    assert mined["consumer"] > 0 and mined["referrer"] > 0
    for role in ("consumer", "referrer", "supplier"):
        expect(page.get_by_test_id(f"mined-{role}")).to_have_text(format_grams(mined[role]))
    owed = token.claimable.call(holder, coin, block_identifier=rendered_block(synced(page, web3)))
    assert owed > 0
    expect(page.get_by_test_id("claimable-tUSD")).to_have_text(format_amount(owed, 6))
    expect(page.get_by_test_id("claim-tUSD")).to_have_text("Claim")
    expect(page.get_by_test_id("claim-tUSD")).to_be_disabled()  # read-only: only the holder's wallet claims
    screenshot(page, "read-only")


def test_event_scans_read_in_windows_and_show_the_same_figures(open_app, sdk, system, accounts, chain, web3):
    """Grams per role and proposal descriptions come from logs read LOG_WINDOW blocks at a time; the figures are
    those of one unbounded eth_getLogs (the SDK's)."""
    a1, a2 = accounts[1], accounts[2]
    token, governor = system.token, system.governor
    delegation = token.delegate(a1, {"from": a1})
    advance_to(chain, web3, delegation.timestamp + 1)  # the governor counts votes of the past second
    description = "Windowed scan: raise the cap by 1 gram"
    governor.propose([token], [0], [token.raiseCap.encode_input(10**18)], description, {"from": a1})
    ranges: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)

    def on_request(request):
        if request.url.endswith("/api/rpc") and request.post_data:
            body = json.loads(request.post_data)
            for call in body if isinstance(body, list) else [body]:
                if call.get("method") == "eth_getLogs":
                    f = call["params"][0]
                    key = (f["address"].lower(), f["topics"][0])
                    ranges[key].append((int(f["fromBlock"], 16), int(f["toBlock"], 16)))

    page = open_app(account=None, on_request=on_request)
    expect(page.get_by_test_id("proposal-1")).to_contain_text(description)
    page.get_by_test_id("view-address").fill(str(a2))
    page.get_by_test_id("view-address").press("Enter")
    mined = mining.mined_by_role(sdk, str(a2))
    for role in ("consumer", "referrer", "supplier"):
        expect(page.get_by_test_id(f"mined-{role}")).to_have_text(format_grams(mined[role]))
    assert page.evaluate("() => window.bgApp.reader.logWindow") == LOG_WINDOW
    tip = rendered_block(page)
    starts = {system.extra["PurchaseMining"].address.lower(): system.extra["PurchaseMining"].tx.block_number}
    assert len(ranges) == 3  # PurchaseMined, ProposalCreated, ProposalExecuted
    for (address, _topic), spans in ranges.items():
        assert all(0 <= high - low < LOG_WINDOW for low, high in spans), spans  # never more than a window
        first = starts.get(address, sdk.deployment.from_block)
        covered = {block for low, high in spans for block in range(low, high + 1)}
        assert set(range(first, tip + 1)) <= covered  # no block skipped between the deployment and the tip
        assert len(spans) > (tip - first) // LOG_WINDOW

"""The page without a wallet (read-only browsing), the app's API, the `blackgold app` command, the dev keys."""

from __future__ import annotations

from playwright.sync_api import expect

from blackgold import mining
from blackgold.units import format_grams
from tests.browser.conftest import screenshot


def test_read_only_page_shows_mining_and_grams_of_any_address(open_app, sdk, accounts):
    page = open_app(account=None)
    expect(page.get_by_test_id("chain-line")).to_contain_text("No browser wallet found")
    params = mining.parameters(sdk)
    expect(page.get_by_test_id("epoch")).to_have_text(str(params.epoch))
    expect(page.get_by_test_id("allocation-left")).to_have_text(f"{format_grams(params.remaining_allocation)} grams")
    expect(page.get_by_test_id("daily-ceiling")).to_contain_text(format_grams(params.daily_ceiling))
    expect(page.get_by_test_id("proposals")).to_contain_text("No proposal yet.")
    expect(page.get_by_test_id("dividends")).to_be_visible()  # BlackGold has the dividends extension
    holder = str(accounts[2])
    page.get_by_test_id("view-address").fill(str(holder))
    page.get_by_test_id("view-address").press("Enter")
    expect(page.get_by_test_id("balance")).to_have_text(f"{format_grams(sdk.token.balance_of(holder))} grams")
    mined = mining.mined_by_role(sdk, holder)
    assert mined["consumer"] > 0 and mined["referrer"] > 0
    for role in ("consumer", "referrer", "supplier"):
        expect(page.get_by_test_id(f"mined-{role}")).to_have_text(format_grams(mined[role]))
    screenshot(page, "read-only")

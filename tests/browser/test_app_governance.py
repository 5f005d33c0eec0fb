"""The issuance vote in the browser, through the page's real wallet code: connect, self-delegate, propose a grant,
three holders vote (one by relay, without ETH: it delegates and votes by signing only), the chain clock moves
(evm_increaseTime + evm_mine, to times read from the governor), queue, execute, and the page shows the raised cap.
Screenshots for docs/app.md and docs/relay.md are taken on the way."""

from __future__ import annotations

from eth_account import Account
from playwright.sync_api import expect

from blackgold.accounts import KeySigner
from blackgold.governance import ProposalState
from blackgold.units import GRAM, format_grams
from tests.browser.conftest import PHONE, advance_to, screenshot, switch_account, synced

GRANT = 50_000_000
WITH_RELAY = True  # conftest mounts the gasless relay at /relay
NEEDS_ETH = "need ETH for gas; delegate, vote and claim work without ETH through the relay"


def needs_eth(page, holder, button, note, back_to):
    """For `holder` (no ETH) `button` is disabled and `note` says why; then the wallet goes back to `back_to`."""
    switch_account(page, holder)
    expect(page.get_by_test_id(button)).to_be_disabled()
    expect(page.get_by_test_id(note)).to_contain_text(NEEDS_ETH)
    switch_account(page, back_to)


def delegate_in_page(page, sdk, address):
    expect(page.get_by_test_id("delegate-prompt")).to_contain_text("but have no voting power")
    page.get_by_test_id("self-delegate").click()
    grams = format_grams(sdk.token.balance_of(address))
    expect(page.get_by_test_id("voting-power")).to_have_text(f"{grams} grams")
    expect(page.get_by_test_id("delegate-prompt")).to_have_count(0)
    assert sdk.token.votes(address) == sdk.token.balance_of(address)


def test_connect_delegate_propose_vote_queue_execute(open_app, sdk, system, relay, accounts, chain, web3):
    a1, a2, a3, fund = (str(accounts[i]) for i in (1, 2, 3, 8))
    shopper = KeySigner(Account.create())  # grams, no ETH: a key Ganache does not know
    z = shopper.address
    system.token.transfer(z, sdk.token.balance_of(a3), {"from": a3})
    page = open_app(account=a1, local_signers=[shopper])
    page.get_by_test_id("connect").click()
    expect(page.get_by_test_id("account")).to_have_attribute("title", a1)
    expect(page.get_by_test_id("propose-note")).to_contain_text("grams missing")
    expect(page.get_by_test_id("propose")).to_be_disabled()
    screenshot(page, "delegate-prompt")
    expect(page.get_by_test_id("gasless-box")).to_be_visible()  # a relay runs: the holder may go without ETH
    expect(page.get_by_test_id("gasless")).not_to_be_checked()
    delegate_in_page(page, sdk, a1)
    switch_account(page, a2)
    delegate_in_page(page, sdk, a2)
    switch_account(page, z)  # no ETH: the page delegates through the relay (the wallet only signs)
    expect(page.get_by_test_id("gasless")).to_be_checked()
    expect(page.get_by_test_id("gasless")).to_be_disabled()
    screenshot(page, "relay-delegate-prompt")
    delegate_in_page(page, sdk, z)
    switch_account(page, a1)

    advance_to(chain, web3, web3.eth.get_block("latest")["timestamp"] + 1)  # the delegation is now in the past
    synced(page, web3)
    expect(page.get_by_test_id("propose-note")).to_contain_text("proposing needs 1,000")
    page.get_by_test_id("p-kind").select_option("grant")
    page.get_by_test_id("p-amount").fill(f"{GRANT:,}")
    page.get_by_test_id("p-recipient").fill(fund)
    page.get_by_test_id("propose").click()
    expect(page.get_by_test_id("message")).to_contain_text("Proposal #1 created")
    expect(page.get_by_test_id("state-1")).to_have_text("Pending")
    expect(page.get_by_test_id("action-1")).to_have_text(f"Raise the cap by {GRANT:,} grams and mint them to {fund}")
    expect(page.get_by_test_id("vote-for-1")).to_be_disabled()
    pid = sdk.governor.id_at(0)

    advance_to(chain, web3, sdk.governor.snapshot(pid) + 1)
    synced(page, web3)
    expect(page.get_by_test_id("state-1")).to_have_text("Active")
    page.get_by_test_id("reason-1").fill("An ecosystem fund for merchants")
    page.get_by_test_id("vote-for-1").click()
    expect(page.get_by_test_id("why-1")).to_have_text("You voted.")
    for holder, support in ((a2, "for"), (z, "against")):
        switch_account(page, holder)
        page.get_by_test_id(f"vote-{support}-1").click()
        expect(page.get_by_test_id("why-1")).to_have_text("You voted.")
    expect(page.get_by_test_id("message")).to_contain_text("Vote recorded: Against")
    screenshot(page, "relay-vote")
    expect(page.get_by_test_id("propose-note")).to_contain_text("proposing needs 1,000")  # enough votes, but
    expect(page.get_by_test_id("propose-note")).to_contain_text(NEEDS_ETH)  # proposing has no relayed form
    expect(page.get_by_test_id("propose")).to_be_disabled()
    against, for_, abstain = sdk.governor.tally(pid)
    assert for_ == sdk.token.votes(a1) + sdk.token.votes(a2) and against == sdk.token.votes(z) > 0 and abstain == 0
    assert web3.eth.get_balance(z) == 0  # the relay paid for the shopper's delegation and vote
    requests = page.evaluate("() => window.__testWallet.state.requests")
    assert "eth_signTypedData_v4" in requests
    assert [(r.kind, r.status) for r in relay.store.all()] == [("delegate", "confirmed"), ("vote", "confirmed")]
    switch_account(page, a1)  # queue and execute are not relayed: an account with ETH sends them
    expect(page.get_by_test_id("for-1")).to_have_text(format_grams(for_))
    expect(page.get_by_test_id("against-1")).to_have_text(format_grams(against))
    expect(page.get_by_test_id("quorum-1")).to_contain_text("reached")
    reasons = [log["args"]["reason"] for log in sdk.governor.contract.events.VoteCast.get_logs(from_block=0)]
    assert reasons == ["An ecosystem fund for merchants", "", ""]
    screenshot(page, "proposal-active")

    advance_to(chain, web3, sdk.governor.deadline(pid) + 1)
    synced(page, web3)
    expect(page.get_by_test_id("state-1")).to_have_text("Succeeded")
    expect(page.get_by_test_id("execute-1")).to_be_disabled()
    needs_eth(page, z, "queue-1", "why-1", back_to=a1)
    page.get_by_test_id("queue-1").click()
    expect(page.get_by_test_id("state-1")).to_have_text("Queued")
    expect(page.get_by_test_id("why-1")).to_contain_text("Timelock delay runs until")
    expect(page.get_by_test_id("execute-1")).to_be_disabled()

    advance_to(chain, web3, sdk.governor.eta(pid))
    synced(page, web3)
    needs_eth(page, z, "execute-1", "why-1", back_to=a1)
    page.get_by_test_id("execute-1").click()
    expect(page.get_by_test_id("state-1")).to_have_text("Executed")
    raised = 1_000_000_000 + GRANT
    expect(page.get_by_test_id("result-1")).to_have_text(
        f"Executed: cap raised from 1,000,000,000 to {raised:,} grams."
    )
    expect(page.get_by_test_id("token-line")).to_contain_text(f"Cap: {raised:,} grams")
    assert ProposalState(sdk.governor.state(pid)) == ProposalState.Executed
    assert sdk.token.cap() == raised * GRAM and sdk.token.balance_of(fund) == GRANT * GRAM
    screenshot(page, "proposal-executed")

    page.get_by_test_id("lang").click()
    expect(page.get_by_test_id("state-1")).to_have_text("已执行")
    expect(page.get_by_test_id("result-1")).to_have_text(f"已执行:上限从 1,000,000,000 克提高到 {raised:,} 克。")
    screenshot(page, "proposal-executed-zh")
    page.set_viewport_size(PHONE)
    too_wide = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1)
            .map((el) => `${el.tagName}.${el.className}[${el.dataset.testid || ''}] ${el.textContent.slice(0, 40)}`)"""
    )
    assert not too_wide, too_wide  # nothing wider than a phone's screen
    screenshot(page, "phone-zh")

"""BlackGold.mintBatch: minters only, cap on the batch total, one Transfer per pair, ERC20Votes exactly as if
each pair had been minted with `mint` (delegated votes, total-supply checkpoints)."""

from __future__ import annotations

import brownie
import pytest
from brownie import ZERO_ADDRESS, chain

from tests.conftest import CAP_GRAMS, GRAM

CAP = CAP_GRAMS * GRAM
UNAUTHORIZED = "AccessControlUnauthorizedAccount: .*"


def latest_timestamp():
    """Timestamp of the latest mined block: past lookups are derived from mined blocks, never from chain.time()."""
    return brownie.web3.eth.get_block("latest").timestamp


def state(token, holders):
    return (
        token.totalMinted(),
        token.totalSupply(),
        token.remainingMintable(),
        [token.balanceOf(h) for h in holders],
        [token.getVotes(h) for h in holders],
    )


def test_batch_mints_each_pair_and_counts_once(token, minter, accounts):
    a, b, c = accounts[2], accounts[3], accounts[4]
    tx = token.mintBatch([a, b, c], [5 * GRAM, 7 * GRAM, 1], {"from": minter})
    assert [token.balanceOf(x) for x in (a, b, c)] == [5 * GRAM, 7 * GRAM, 1]
    assert token.totalMinted() == token.totalSupply() == 12 * GRAM + 1
    assert token.totalBurned() == 0
    assert token.remainingMintable() == CAP - 12 * GRAM - 1
    transfers = [(e["from"], e["to"], e["value"]) for e in tx.events["Transfer"]]
    assert transfers == [(ZERO_ADDRESS, a, 5 * GRAM), (ZERO_ADDRESS, b, 7 * GRAM), (ZERO_ADDRESS, c, 1)]


@pytest.mark.parametrize("who", [0, 2, 3])
def test_only_minters_mint_batches(token, accounts, who):
    """Even the admin (accounts[0]) cannot mint a batch without the minter role."""
    with brownie.reverts(revert_pattern=UNAUTHORIZED):
        token.mintBatch([accounts[who]], [GRAM], {"from": accounts[who]})
    assert token.totalMinted() == 0


def test_revoked_minter_cannot_mint_batches(token, deployer, minter, accounts):
    token.revokeRole(token.MINTER_ROLE(), minter, {"from": deployer})
    with brownie.reverts(revert_pattern=UNAUTHORIZED):
        token.mintBatch([accounts[2]], [GRAM], {"from": minter})


def test_batch_exactly_at_cap(token, minter, accounts):
    token.mint(accounts[2], CAP - 10, {"from": minter})
    token.mintBatch([accounts[3], accounts[4], accounts[3]], [3, 5, 2], {"from": minter})
    assert token.totalMinted() == CAP
    assert token.remainingMintable() == 0
    assert token.balanceOf(accounts[3]) == 5 and token.balanceOf(accounts[4]) == 5
    with brownie.reverts("CapExceeded: 1, 0"):
        token.mintBatch([accounts[3]], [1], {"from": minter})


def test_batch_one_wei_over_cap_reverts_with_total_and_remaining(token, minter, accounts):
    holders = [accounts[2], accounts[3], accounts[4]]
    token.mint(accounts[2], CAP - 10, {"from": minter})
    before = state(token, holders)
    # each amount alone fits; the total (11) does not: the cap applies to the batch total
    with brownie.reverts("CapExceeded: 11, 10"):
        token.mintBatch([accounts[3], accounts[4]], [6, 5], {"from": minter})
    assert state(token, holders) == before


def test_batch_total_overflow_reverts(token, minter, accounts):
    with brownie.reverts(revert_pattern=None):
        token.mintBatch([accounts[2], accounts[3]], [2**256 - 1, 1], {"from": minter})
    assert token.totalMinted() == 0


def test_length_mismatch(token, minter, accounts):
    with brownie.reverts("LengthMismatch: 2, 1"):
        token.mintBatch([accounts[2], accounts[3]], [GRAM], {"from": minter})
    with brownie.reverts("LengthMismatch: 1, 2"):
        token.mintBatch([accounts[2]], [GRAM, GRAM], {"from": minter})
    assert token.totalMinted() == 0


@pytest.mark.parametrize("position", [0, 1, 2])
def test_zero_recipient_reverts_whole_batch(token, minter, accounts, position):
    recipients = [accounts[2], accounts[3], accounts[4]]
    recipients[position] = ZERO_ADDRESS
    with brownie.reverts(f"ERC20InvalidReceiver: {ZERO_ADDRESS}"):
        token.mintBatch(recipients, [GRAM, GRAM, GRAM], {"from": minter})
    assert token.totalMinted() == token.totalSupply() == 0
    assert all(token.balanceOf(r) == 0 for r in recipients if r != ZERO_ADDRESS)


def test_empty_batch_and_zero_amounts_are_harmless(token, minter, accounts):
    token.mintBatch([], [], {"from": minter})
    tx = token.mintBatch([accounts[2]], [0], {"from": minter})
    assert tx.events["Transfer"]["value"] == 0
    assert token.totalMinted() == token.totalSupply() == 0
    assert token.balanceOf(accounts[2]) == 0


def test_batch_never_touches_other_holders(token, minter, accounts):
    bystander = accounts[5]
    token.mint(bystander, 9 * GRAM, {"from": minter})
    token.delegate(bystander, {"from": bystander})
    tx = token.mintBatch([accounts[2], accounts[3]], [GRAM, 2 * GRAM], {"from": minter})
    assert token.balanceOf(bystander) == 9 * GRAM
    assert token.getVotes(bystander) == 9 * GRAM
    assert all(e["to"] != bystander and e["from"] != bystander for e in tx.events["Transfer"])


def test_votes_follow_delegated_recipients(token, minter, accounts):
    """alice delegates to herself, bob to carol, dave not at all; alice appears twice in the batch."""
    alice, bob, carol, dave = accounts[2], accounts[3], accounts[4], accounts[5]
    token.delegate(alice, {"from": alice})
    token.delegate(carol, {"from": bob})
    token.mint(carol, GRAM, {"from": minter})  # carol holds grams but has not delegated: they do not vote
    tx = token.mintBatch([alice, bob, dave, alice], [3 * GRAM, 4 * GRAM, 5 * GRAM, 6 * GRAM], {"from": minter})
    assert token.balanceOf(alice) == 9 * GRAM
    assert token.getVotes(alice) == 9 * GRAM
    assert token.getVotes(bob) == 0
    assert token.getVotes(carol) == 4 * GRAM
    assert token.getVotes(dave) == 0
    changes = [(e["delegate"], e["previousVotes"], e["newVotes"]) for e in tx.events["DelegateVotesChanged"]]
    assert changes == [
        (alice, 0, 3 * GRAM),
        (carol, 0, 4 * GRAM),
        (alice, 3 * GRAM, 9 * GRAM),
    ]
    # later moves keep votes == delegated balances
    token.transfer(bob, 2 * GRAM, {"from": alice})
    token.delegate(alice, {"from": dave})
    assert token.getVotes(alice) == 7 * GRAM + 5 * GRAM
    assert token.getVotes(carol) == 6 * GRAM


def test_past_total_supply_and_votes(token, minter, accounts):
    alice, bob = accounts[2], accounts[3]
    token.delegate(alice, {"from": alice})
    # Every timepoint is a mined block's timestamp, never chain.time(): views run at the latest mined block's
    # timestamp, and chain.time() - 1 can be at or past it (ERC5805FutureLookup). Each lookup is strictly before
    # the latest mined block's timestamp.
    t_before = token.mint(alice, 10 * GRAM, {"from": minter}).timestamp
    chain.sleep(5)
    tx = token.mintBatch([alice, bob, alice], [GRAM, 2 * GRAM, 3 * GRAM], {"from": minter})
    t_batch = tx.timestamp
    assert t_batch > t_before
    chain.sleep(5)
    t_after = token.mint(bob, 100 * GRAM, {"from": minter}).timestamp
    assert t_after > t_batch
    chain.sleep(5)
    chain.mine()
    assert latest_timestamp() > t_after
    assert token.getPastTotalSupply(t_before) == 10 * GRAM
    assert token.getPastTotalSupply(t_batch) == 16 * GRAM
    assert token.getPastTotalSupply(t_after) == 116 * GRAM
    assert token.getPastVotes(alice, t_before) == 10 * GRAM
    assert token.getPastVotes(alice, t_batch) == 14 * GRAM
    # the token's own address never delegates, so the batch's single total-supply update moved no votes
    assert token.delegates(token) == ZERO_ADDRESS
    assert token.getVotes(ZERO_ADDRESS) == 0


def test_batch_matches_sequential_mints(BlackGold, token, deployer, minter, accounts):
    """Same pairs through mintBatch and through one mint each: same balances, votes, supply, counters."""
    other = BlackGold.deploy(CAP, deployer, {"from": deployer})
    other.grantRole(other.MINTER_ROLE(), minter, {"from": deployer})
    people = [accounts[i] for i in range(2, 7)]
    for t in (token, other):
        t.delegate(people[0], {"from": people[0]})
        t.delegate(people[0], {"from": people[1]})
        t.delegate(people[2], {"from": people[3]})
    recipients = [people[i] for i in (0, 1, 3, 4, 1, 0, 2)]
    amounts = [i * GRAM + i for i in range(1, len(recipients) + 1)]
    token.mintBatch(recipients, amounts, {"from": minter})
    for r, v in zip(recipients, amounts):
        other.mint(r, v, {"from": minter})
    for p in people:
        assert token.balanceOf(p) == other.balanceOf(p)
        assert token.getVotes(p) == other.getVotes(p)
    assert (token.totalSupply(), token.totalMinted(), token.remainingMintable()) == (
        other.totalSupply(),
        other.totalMinted(),
        other.remainingMintable(),
    )
    t_last = latest_timestamp()  # both tokens' last mint is at or before this mined block
    chain.sleep(2)
    chain.mine()
    assert latest_timestamp() > t_last
    assert token.getPastTotalSupply(t_last) == other.getPastTotalSupply(t_last) == sum(amounts)


def test_every_balance_change_passes_update(BlackGoldUpdateSpy, deployer, minter, accounts):
    """An `_update` override (as a future extension would add) sees every balance change: each recipient of
    mintBatch, mint, transfer, transferFrom, burn, burnFrom, in order, with the Transfer events matching."""
    spy = BlackGoldUpdateSpy.deploy(CAP, deployer, {"from": deployer})
    spy.grantRole(spy.MINTER_ROLE(), minter, {"from": deployer})
    a, b, c = accounts[2], accounts[3], accounts[4]
    spy.delegate(a, {"from": a})

    def seen(tx):
        updates = [(e["from"], e["to"], e["value"]) for e in tx.events["UpdateSeen"]]
        assert updates == [(e["from"], e["to"], e["value"]) for e in tx.events["Transfer"]]
        return updates

    tx = spy.mintBatch([a, b, a, c], [5 * GRAM, 7 * GRAM, 1, 0], {"from": minter})
    assert seen(tx) == [
        (ZERO_ADDRESS, a, 5 * GRAM),
        (ZERO_ADDRESS, b, 7 * GRAM),
        (ZERO_ADDRESS, a, 1),
        (ZERO_ADDRESS, c, 0),
    ]
    assert spy.totalMinted() == spy.totalSupply() == 12 * GRAM + 1
    assert spy.getVotes(a) == 5 * GRAM + 1
    assert seen(spy.mint(c, GRAM, {"from": minter})) == [(ZERO_ADDRESS, c, GRAM)]
    assert seen(spy.transfer(b, 2, {"from": a})) == [(a, b, 2)]
    spy.approve(c, 3, {"from": b})
    assert seen(spy.transferFrom(b, c, 3, {"from": c})) == [(b, c, 3)]
    assert seen(spy.burn(4, {"from": c})) == [(c, ZERO_ADDRESS, 4)]
    spy.approve(a, 5, {"from": b})
    assert seen(spy.burnFrom(b, 5, {"from": a})) == [(b, ZERO_ADDRESS, 5)]
    assert spy.totalMinted() - spy.totalBurned() == spy.totalSupply()
    assert spy.totalMinted() == 13 * GRAM + 1

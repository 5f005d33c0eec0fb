"""Replay guard (an order mines at most once, whoever submits it, however often) and input validation
(all-or-nothing batches, custom errors naming the purchase and the field)."""

from __future__ import annotations

import brownie
import pytest

from tests.mining.conftest import addr, mined_events, order_ref, purchase

ZERO = "0x0000000000000000000000000000000000000000"


def test_same_order_twice_in_one_batch_is_skipped(mining, oracle, token):
    ref = order_ref()
    first = purchase(ref=ref, consumer=addr("g1"))
    again = purchase(ref=ref, consumer=addr("g1"), amount=50_000)  # same order, even with other data
    tx = mining.mintBatch([first, again], {"from": oracle})
    assert tx.return_value == 1
    assert len(mined_events(tx)) == 1
    assert tx.events["PurchaseSkipped"]["orderRef"] == ref
    assert token.balanceOf(addr("g1")) == mined_events(tx)[0]["consumerGrams"]
    assert mining.isMined(ref)


def test_same_order_across_batches_and_submitters(mining, oracle, oracle2, token):
    ref = order_ref()
    assert not mining.isMined(ref)
    tx = mining.mintBatch([purchase(ref=ref, consumer=addr("g2"))], {"from": oracle})
    balance, mined = token.balanceOf(addr("g2")), mining.minedTotal()
    assert balance > 0
    for submitter in (oracle, oracle2, oracle2):
        tx = mining.mintBatch([purchase(ref=ref, consumer=addr("g2"))], {"from": submitter})
        assert tx.return_value == 0
        assert "PurchaseMined" not in tx.events and "Transfer" not in tx.events
        assert tx.events["PurchaseSkipped"]["orderRef"] == ref
    assert token.balanceOf(addr("g2")) == balance and mining.minedTotal() == mined


def test_retried_batch_mines_only_the_new_orders(mining, oracle, token):
    """A batch re-sent after a crash with one new purchase appended: only that one mines."""
    batch = [purchase(consumer=addr(f"rt{i}")) for i in range(3)]
    mining.mintBatch(batch, {"from": oracle})
    supply = token.totalSupply()
    extra = purchase(consumer=addr("rt-new"))
    tx = mining.mintBatch(batch + [extra], {"from": oracle})
    assert tx.return_value == 1
    assert [e["orderRef"] for e in tx.events["PurchaseSkipped"]] == [p[0] for p in batch]
    assert mined_events(tx)[0]["orderRef"] == extra[0]
    assert token.totalSupply() == supply + sum(
        mined_events(tx)[0][k] for k in ("consumerGrams", "referrerGrams", "supplierGrams", "platformGrams")
    )


@pytest.mark.parametrize(
    "field, value, error",
    [
        ("ref", "0x" + "00" * 32, "ZeroOrderRef: 1"),
        ("consumer", ZERO, "ZeroConsumer: 1"),
        ("supplier", ZERO, "ZeroSupplier: 1"),
        ("amount", 0, "ZeroAmount: 1"),
        ("amount", 2**96, f"AmountTooLarge: 1, {2**96}, {2**96 - 1}"),
        ("referrer_bps", 4001, "ReferrerBpsTooHigh: 1, 4001, 4000"),
    ],
)
def test_invalid_purchase_reverts_whole_batch(mining, oracle, token, field, value, error):
    good = purchase()
    bad = purchase(**{field: value})
    if field == "ref":
        bad = (value,) + bad[1:]
    if field == "consumer":
        bad = bad[:1] + (value,) + bad[2:]
    if field == "supplier":
        bad = bad[:3] + (value,) + bad[4:]
    with brownie.reverts(error):
        mining.mintBatch([good, bad], {"from": oracle})
    assert not mining.isMined(good[0])  # all or nothing
    assert token.totalSupply() == 0 and mining.minedTotal() == 0


def test_empty_batch_reverts(mining, oracle):
    with brownie.reverts("EmptyBatch: "):
        mining.mintBatch([], {"from": oracle})


def test_zero_address_referrer_means_none_and_self_referral_is_policy(mining, oracle, token):
    """referrer = 0 is "no referrer"; referrer == consumer is accepted (a shop policy question, see docs)."""
    me = addr("self")
    tx = mining.mintBatch([purchase(consumer=me, referrer=me, amount=10_000)], {"from": oracle})
    ev = mined_events(tx)[0]
    assert token.balanceOf(me) == ev["consumerGrams"] + ev["referrerGrams"]

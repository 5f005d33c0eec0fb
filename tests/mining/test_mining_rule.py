"""The mint rule on chain against the Python reference model (tests/mining/reference.py): rate and halvings,
straddling purchases, allocation and cap limits, split, no referrer, override bounds, rounding, quote."""

from __future__ import annotations

import brownie
import pytest

from tests.conftest import GRAM
from tests.mining.conftest import ALLOCATION, BASE_RATE, addr, mined_events, order_ref, purchase
from tests.mining.reference import BPS, amount_to_reach, boundary, epoch_of

ZERO = "0x0000000000000000000000000000000000000000"


def parts(event) -> tuple[int, int, int, int]:
    return (event["consumerGrams"], event["referrerGrams"], event["supplierGrams"], event["platformGrams"])


def mine_one(mining, oracle, **kw):
    tx = mining.mintBatch([purchase(**kw)], {"from": oracle})
    return tx, mined_events(tx)[0]


def test_initial_state(mining, token, settings, governance, platform):
    assert mining.token() == token
    assert mining.baseRate() == BASE_RATE == mining.currentRate()
    assert mining.allocation() == ALLOCATION
    assert mining.minedTotal() == 0
    assert mining.remainingAllocation() == ALLOCATION
    assert mining.epoch() == 0
    assert mining.nextHalvingAt() == ALLOCATION // 2
    assert [int(x) for x in mining.split()] == [5000, 2000, 2000, 1000]
    assert mining.maxReferrerBps() == 4000
    assert mining.dailyCeiling() == settings.daily_ceiling
    assert mining.platform() == platform
    assert mining.hasRole(mining.DEFAULT_ADMIN_ROLE(), governance)
    assert token.hasRole(token.MINTER_ROLE(), mining)


def test_single_purchase_with_referrer(mining, oracle, token, model, platform):
    consumer, referrer, supplier = addr("c1"), addr("r1"), addr("s1")
    ref = order_ref()
    tx, ev = mine_one(mining, oracle, ref=ref, consumer=consumer, referrer=referrer, supplier=supplier, amount=19_900)
    expected = model.mine(19_900, True)
    # 199.00 yuan at 0.01 gram/fen = 199 grams: 50% / 20% / 20% / 10%
    assert expected.as_tuple() == (
        99_500 * GRAM // 1000,
        39_800 * GRAM // 1000,
        39_800 * GRAM // 1000,
        19_900 * GRAM // 1000,
    )
    assert parts(ev) == expected.as_tuple()
    assert ev["orderRef"] == ref and ev["consumer"] == consumer and ev["referrer"] == referrer
    assert ev["supplier"] == supplier and ev["amount"] == 19_900 and ev["rate"] == BASE_RATE
    assert token.balanceOf(consumer) == expected.consumer
    assert token.balanceOf(referrer) == expected.referrer
    assert token.balanceOf(supplier) == expected.supplier
    assert token.balanceOf(platform) == expected.platform
    assert mining.minedTotal() == expected.total == 199 * GRAM
    assert tx.return_value == 1


def test_no_referrer_mints_no_referrer_share(mining, oracle, token, model):
    _, ev = mine_one(mining, oracle, referrer=False, amount=19_900)
    expected = model.mine(19_900, False)
    assert parts(ev) == expected.as_tuple()
    assert ev["referrerGrams"] == 0 and ev["referrer"] == ZERO
    assert ev["consumerGrams"] == 99_500 * GRAM // 1000  # the consumer's share is unchanged
    assert mining.minedTotal() == 199 * GRAM * 8 // 10
    assert token.totalSupply() == mining.minedTotal()


@pytest.mark.parametrize("override", [500, 2500, 4000])
def test_override_moves_grams_between_referrer_and_consumer_only(mining, oracle, model, override):
    _, ev = mine_one(mining, oracle, amount=10_000, referrer_bps=override)
    expected = model.mine(10_000, True, override)
    assert parts(ev) == expected.as_tuple()
    total = 100 * GRAM
    assert ev["referrerGrams"] == total * override // BPS
    assert ev["consumerGrams"] == total * (7000 - override) // BPS
    assert ev["supplierGrams"] == total * 2000 // BPS and ev["platformGrams"] == total * 1000 // BPS


def test_override_without_referrer_keeps_consumer_share(mining, oracle, model):
    _, ev = mine_one(mining, oracle, referrer=False, amount=10_000, referrer_bps=4000)
    assert parts(ev) == model.mine(10_000, False, 4000).as_tuple()
    assert ev["consumerGrams"] == 30 * GRAM and ev["referrerGrams"] == 0


def test_override_above_maximum_reverts(mining, oracle):
    with brownie.reverts("ReferrerBpsTooHigh: 0, 4001, 4000"):
        mining.mintBatch([purchase(referrer_bps=4001)], {"from": oracle})
    with brownie.reverts("ReferrerBpsTooHigh: 0, 4001, 4000"):
        mining.quote(100, True, 4001)


def test_halving_at_each_boundary(mining, oracle, model):
    """Land exactly on the first five boundaries: the rate halves at A/2, 3A/4, 7A/8, 15A/16, 31A/32."""
    for k in range(5):
        assert mining.epoch() == k == model.epoch
        assert mining.currentRate() == BASE_RATE >> k
        assert mining.nextHalvingAt() == boundary(ALLOCATION, k)
        amount = amount_to_reach(model, boundary(ALLOCATION, k))
        _, ev = mine_one(mining, oracle, amount=amount)
        expected = model.mine(amount, True)
        assert parts(ev) == expected.as_tuple()
        assert ev["rate"] == BASE_RATE >> k
        assert mining.minedTotal() == model.mined == boundary(ALLOCATION, k)
    assert mining.epoch() == 5 and mining.currentRate() == BASE_RATE >> 5


@pytest.mark.parametrize("amount", [50_001, 99_999, 175_000, 10_000_000])
def test_straddling_purchase_priced_piecewise_exactly(mining, oracle, model, amount):
    # start just below the first boundary so the purchase straddles one or more boundaries
    mine_one(mining, oracle, amount=49_990)
    model.mine(49_990, True)
    _, ev = mine_one(mining, oracle, amount=amount)
    expected = model.mine(amount, True)
    assert parts(ev) == expected.as_tuple()
    assert mining.minedTotal() == model.mined
    assert mining.epoch() == model.epoch
    assert mining.minedTotal() <= ALLOCATION


def test_straddle_worked_by_hand(mining, oracle):
    """10 grams below A/2 = 500 g, buy 30 yuan: 10 g at 1 g/yuan (10 yuan), then 20 yuan at 0.5 g/yuan = 10 g."""
    mine_one(mining, oracle, amount=49_000)  # 490 grams
    _, ev = mine_one(mining, oracle, amount=3_000)
    assert sum(parts(ev)) == 20 * GRAM
    assert mining.minedTotal() == 510 * GRAM


def test_never_exceeds_allocation(mining, oracle, token, model):
    huge = 2**90  # far more than the whole allocation is worth
    _, ev = mine_one(mining, oracle, amount=huge)
    expected = model.mine(huge, True)
    assert parts(ev) == expected.as_tuple()
    assert mining.minedTotal() == model.mined <= ALLOCATION
    assert ALLOCATION - mining.minedTotal() < 2  # all but the unreachable last wei of the halving tail
    # exhausted: later purchases are recorded as mined with zero grams
    ref = order_ref()
    tx, ev = mine_one(mining, oracle, ref=ref, amount=19_900)
    remaining = ALLOCATION - model.mined
    assert sum(parts(ev)) == model.mine(19_900, True).total <= remaining
    assert mining.isMined(ref)
    tx, ev = mine_one(mining, oracle, amount=19_900)
    assert sum(parts(ev)) == 0 and ev["rate"] == 0 and "Transfer" not in tx.events
    assert mining.currentRate() == 0 and mining.remainingAllocation() == ALLOCATION - mining.minedTotal()
    assert token.totalSupply() == mining.minedTotal()


def test_never_exceeds_token_cap(mining, oracle, token, minter, model):
    """Another minter leaves 3 grams under the cap: the purchase mints exactly those 3 grams."""
    room = token.remainingMintable()
    token.mint(addr("other"), room - 3 * GRAM, {"from": minter})
    assert mining.quote(19_900, True, 0)[0] > 0
    _, ev = mine_one(mining, oracle, amount=19_900)
    model.cap_room = 3 * GRAM
    assert parts(ev) == model.mine(19_900, True).as_tuple()
    assert sum(parts(ev)) == 3 * GRAM
    assert token.remainingMintable() == 0 and token.totalMinted() == token.cap()
    _, ev = mine_one(mining, oracle, amount=19_900)
    assert sum(parts(ev)) == 0
    assert mining.epoch() == model.epoch == epoch_of(ALLOCATION, 3 * GRAM)


@pytest.mark.parametrize("amount", [1, 3, 7, 333, 12_347])
def test_rounding_never_mints_more_than_total(mining, oracle, governance, model, amount):
    # an odd base rate makes every division inexact
    mining.setBaseRate(10**16 + 7, {"from": governance})
    model.base_rate = 10**16 + 7
    for has_ref, override in ((True, 0), (False, 0), (True, 3333), (False, 1)):
        _, ev = mine_one(mining, oracle, amount=amount, referrer=None if has_ref else False, referrer_bps=override)
        expected = model.mine(amount, has_ref, override)
        assert parts(ev) == expected.as_tuple()
        total = sum(parts(ev))
        ref_bps = override or 2000
        mint_bps = BPS if has_ref else BPS - ref_bps
        exact = amount * model.base_rate * mint_bps  # at epoch 0, x BPS
        assert total * BPS <= exact  # never more than the purchase's total
        assert exact - total * BPS < BPS  # dust below one gram-wei
        # referrer/supplier/platform floored; consumer takes the remainder (< 3 wei of dust)
        floors = [total * ref_bps // mint_bps if has_ref else 0, total * 2000 // mint_bps, total * 1000 // mint_bps]
        assert [ev["referrerGrams"], ev["supplierGrams"], ev["platformGrams"]] == floors
        # the consumer's remainder exceeds its exact share total * share / mint_bps by less than 3 wei
        excess_scaled = ev["consumerGrams"] * mint_bps - total * (7000 - ref_bps)
        assert 0 <= excess_scaled < 3 * mint_bps


def test_tiny_purchase_mines_zero_and_is_recorded(mining, oracle, governance):
    mining.setBaseRate(1, {"from": governance})  # 1 wei per fen
    ref = order_ref()
    tx, ev = mine_one(mining, oracle, ref=ref, amount=1, referrer=False)  # 0.8 wei -> 0
    assert sum(parts(ev)) == 0
    assert mining.isMined(ref) and tx.return_value == 1


def test_quote_matches_mint(mining, oracle, model):
    mine_one(mining, oracle, amount=49_000)
    model.mine(49_000, True)
    for amount, has_ref, override in ((19_900, True, 0), (19_900, False, 0), (5_000, True, 4000), (0, True, 0)):
        q = mining.quote(amount, has_ref, override)
        assert tuple(q) == model.quote(amount, has_ref, override).as_tuple()
    q = mining.quote(3_000, True, 0)
    _, ev = mine_one(mining, oracle, amount=3_000)
    assert tuple(q) == parts(ev)


def test_batch_matches_reference_model(mining, oracle, token, model):
    """A mixed batch across the first halvings: every event equals the model, balances equal the events."""
    batch = []
    amounts = [19_900, 30_000, 1, 250_000, 7_777, 40_000, 12_345, 99_999, 5, 60_000]
    for i, amount in enumerate(amounts):
        has_ref = i % 3 != 0
        override = (0, 500, 4000)[i % 3] if has_ref else 0
        batch.append(
            purchase(
                consumer=addr(f"bc{i % 4}"),
                referrer=None if has_ref else False,
                supplier=addr(f"bs{i % 2}"),
                amount=amount,
                referrer_bps=override,
            )
        )
    tx = mining.mintBatch(batch, {"from": oracle})
    events = mined_events(tx)
    balances: dict[str, int] = {}
    for p, ev in zip(batch, events):
        expected = model.mine(p[4], p[2] != ZERO, p[5])
        assert parts(ev) == expected.as_tuple()
        assert ev["rate"] == expected.rate
        for who, grams in ((p[1], ev["consumerGrams"]), (p[2], ev["referrerGrams"]), (p[3], ev["supplierGrams"])):
            if who != ZERO:
                balances[who] = balances.get(who, 0) + grams
    for who, grams in balances.items():
        assert token.balanceOf(who) == grams
    assert mining.minedTotal() == model.mined and model.epoch >= 1
    # one Transfer per distinct recipient (aggregated), the platform once
    recipients = {w for w, g in balances.items() if g} | {mining.platform()}
    assert len(tx.events["Transfer"]) == len(recipients)


def test_allocation_raise_continues_schedule_from_new_allocation(mining, oracle, governance, model):
    # reach the third halving (epoch 3: 7/8 of A mined)
    for k in range(3):
        amount = amount_to_reach(model, boundary(ALLOCATION, k))
        mine_one(mining, oracle, amount=amount)
        model.mine(amount, True)
    assert mining.epoch() == 3 and mining.minedTotal() == 875 * GRAM
    tx = mining.setAllocation(2 * ALLOCATION, {"from": governance})
    assert [int(v) for v in tx.events["AllocationSet"].values()] == [ALLOCATION, 2 * ALLOCATION, 875 * GRAM]
    model.allocation = 2 * ALLOCATION
    # k' = floor(log2(2000 / (2000 - 875))) = floor(log2(1.777)) = 0: back at the base rate
    assert mining.epoch() == model.epoch == 0
    assert mining.currentRate() == BASE_RATE
    assert mining.nextHalvingAt() == ALLOCATION  # A'/2
    _, ev = mine_one(mining, oracle, amount=19_900)
    assert parts(ev) == model.mine(19_900, True).as_tuple()
    with brownie.reverts(f"InvalidAllocation: {10 * GRAM}, {mining.minedTotal()}"):
        mining.setAllocation(10 * GRAM, {"from": governance})


def test_base_rate_change_applies_to_the_current_epoch(mining, oracle, governance, model):
    amount = amount_to_reach(model, boundary(ALLOCATION, 0))
    mine_one(mining, oracle, amount=amount)
    model.mine(amount, True)
    tx = mining.setBaseRate(4 * 10**16, {"from": governance})
    assert [int(v) for v in tx.events["BaseRateSet"].values()] == [BASE_RATE, 4 * 10**16]
    model.base_rate = 4 * 10**16
    assert mining.currentRate() == 2 * 10**16  # epoch 1: half of the new base rate
    _, ev = mine_one(mining, oracle, amount=1_000)
    assert parts(ev) == model.mine(1_000, True).as_tuple()

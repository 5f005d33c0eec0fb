"""Rolling daily ceiling (token bucket of capacity `dailyCeiling`, refilled at dailyCeiling per day)."""

from __future__ import annotations

import brownie
from brownie import chain

from tests.conftest import GRAM
from tests.mining.conftest import mined_events, purchase

DAY = 86_400
CEILING = 995 * GRAM // 10  # 99.5 grams: exactly 5 purchases of 19.9 grams (1,990 fen with a referrer)


def grams(tx) -> int:
    return sum(
        e[k] for e in mined_events(tx) for k in ("consumerGrams", "referrerGrams", "supplierGrams", "platformGrams")
    )


def test_ceiling_reached_exactly_then_exceeded(mining, oracle, governance):
    mining.setDailyCeiling(CEILING, {"from": governance})
    assert mining.dailyRemaining() == CEILING
    tx = mining.mintBatch([purchase(amount=1_990) for _ in range(5)], {"from": oracle})
    assert grams(tx) == CEILING  # exactly the ceiling: accepted
    left = mining.dailyRemaining()
    assert left < CEILING // 1000  # only what refilled in the seconds since
    # the next purchase passes the ceiling: the whole batch reverts, nothing is recorded
    p = purchase(amount=1_990)
    with brownie.reverts(revert_pattern=r"DailyCeilingExceeded: 19900000000000000000, \d+"):
        mining.mintBatch([p], {"from": oracle})
    assert not mining.isMined(p[0])


def test_batch_over_ceiling_reverts_with_figures(mining, oracle, governance):
    mining.setDailyCeiling(CEILING, {"from": governance})
    with brownie.reverts(revert_pattern=rf"DailyCeilingExceeded: {6 * 199 * GRAM // 10}, {CEILING}"):
        mining.mintBatch([purchase(amount=1_990) for _ in range(6)], {"from": oracle})
    assert mining.minedTotal() == 0 and mining.dailyRemaining() == CEILING


def test_next_day_resets_and_half_day_refills_half(mining, oracle, governance):
    mining.setDailyCeiling(CEILING, {"from": governance})
    emptied = mining.mintBatch([purchase(amount=1_990) for _ in range(5)], {"from": oracle}).timestamp
    assert mining.dailyRemaining() == 0
    chain.sleep(DAY // 2)
    chain.mine()
    # Views run at the latest mined block's timestamp: the refill follows from mined timestamps exactly.
    elapsed = chain[-1].timestamp - emptied
    assert DAY // 2 <= elapsed < DAY
    assert mining.dailyRemaining() == elapsed * CEILING // DAY  # about half
    chain.sleep(DAY)
    chain.mine()
    assert mining.dailyRemaining() == CEILING  # capped at the capacity: a new day starts full
    tx = mining.mintBatch([purchase(amount=1_990) for _ in range(5)], {"from": oracle})
    assert grams(tx) == CEILING


def test_skipped_and_zero_gram_purchases_do_not_use_the_ceiling(mining, oracle, governance):
    mining.setDailyCeiling(CEILING, {"from": governance})
    p = purchase(amount=1_990)
    t_mined = mining.mintBatch([p], {"from": oracle}).timestamp
    before = mining.dailyRemaining()  # at t_mined: the stored level
    t_skipped = mining.mintBatch([p], {"from": oracle}).timestamp  # skipped
    # only the refill of the seconds between the two mined blocks, nothing taken
    assert mining.dailyRemaining() == min(CEILING, before + (t_skipped - t_mined) * CEILING // DAY)


def test_lowering_the_ceiling_caps_the_bucket_at_once(mining, governance):
    tx = mining.setDailyCeiling(CEILING, {"from": governance})
    assert tx.events["DailyCeilingSet"]["newCeiling"] == CEILING
    mining.setDailyCeiling(CEILING // 2, {"from": governance})
    assert mining.dailyRemaining() == CEILING // 2
    mining.setDailyCeiling(CEILING, {"from": governance})  # raising refills over time, not at once
    assert mining.dailyRemaining() == CEILING // 2  # views run at the raising block's timestamp: no refill yet
    for bad in (0, 2**96):
        with brownie.reverts(f"InvalidCeiling: {bad}"):
            mining.setDailyCeiling(bad, {"from": governance})

"""The worked example of docs/mining.md, on the deployed contract with the default settings: a purchase
of 199.00 yuan (19,900 fen) with a referrer, at the base rate, right after the first halving, across the first
halving, and after the third halving. The figures asserted here are the ones printed in the docs."""

from __future__ import annotations

import pytest

from scripts.deploy import MiningSettings, add_oracle, deploy_mining, wire_mining
from tests.conftest import GRAM
from tests.mining.conftest import mined_events, purchase
from tests.mining.reference import MiningModel, boundary

MILLI = GRAM // 1000  # grams are written with 4 decimals in the docs


@pytest.fixture(scope="module")
def default_mining(BlackGold, deployer, governance, oracle, platform):
    token = BlackGold.deploy(1_000_000_000 * GRAM, deployer, {"from": deployer})
    # defaults, except the daily ceiling: the example jumps the schedule forward with huge purchases
    settings = MiningSettings(daily_ceiling_wei=2**96 - 1, platform=platform.address)
    mining = deploy_mining(token, governance, deployer, settings)
    wire_mining(token, mining, deployer)
    add_oracle(mining, oracle, governance)
    model = MiningModel(settings.base_rate, settings.allocation, settings.split, settings.max_referrer_bps)
    return mining, model


def parts(tx):
    ev = mined_events(tx)[-1]
    return (ev["consumerGrams"], ev["referrerGrams"], ev["supplierGrams"], ev["platformGrams"]), ev["rate"]


def jump_to(mining, oracle, model, mined_target):
    """One big purchase (its own consumer) that moves cumulative mining exactly to `mined_target` grams-wei."""
    k = model.epoch
    amount = (mined_target - model.mined) * 2**k // model.base_rate
    assert amount * model.base_rate == (mined_target - model.mined) * 2**k
    mining.mintBatch([purchase(amount=amount, consumer=mining.address)], {"from": oracle})
    model.mine(amount, True)
    assert mining.minedTotal() == model.mined == mined_target


def test_worked_example(default_mining, oracle):
    mining, model = default_mining
    A = model.allocation
    # epoch 0, rate 0.01 g/fen: 199 g = 99.5 / 39.8 / 39.8 / 19.9
    got, rate = parts(mining.mintBatch([purchase(amount=19_900)], {"from": oracle}))
    assert (
        got == model.mine(19_900, True).as_tuple() == (99_500 * MILLI, 39_800 * MILLI, 39_800 * MILLI, 19_900 * MILLI)
    )
    assert rate == 10**16

    # straddling the first halving: 50 g before A/2 -> 5,000 fen at 0.01 + 14,900 fen at 0.005 = 50 + 74.5 g
    jump_to(mining, oracle, model, boundary(A, 0) - 50 * GRAM)
    got, rate = parts(mining.mintBatch([purchase(amount=19_900)], {"from": oracle}))
    assert got == model.mine(19_900, True).as_tuple()
    assert sum(got) == 124_500 * MILLI and got == (62_250 * MILLI, 24_900 * MILLI, 24_900 * MILLI, 12_450 * MILLI)
    assert rate == 10**16 and mining.epoch() == 1

    # epoch 1 (after the first halving), rate 0.005 g/fen: 99.5 g = 49.75 / 19.9 / 19.9 / 9.95
    got, rate = parts(mining.mintBatch([purchase(amount=19_900)], {"from": oracle}))
    assert got == model.mine(19_900, True).as_tuple() == (49_750 * MILLI, 19_900 * MILLI, 19_900 * MILLI, 9_950 * MILLI)
    assert rate == 5 * 10**15

    # epoch 3 (after the third halving, 7/8 = 875,000,000 g mined), rate 0.00125 g/fen:
    # 24.875 g = 12.4375 / 4.975 / 4.975 / 2.4875
    jump_to(mining, oracle, model, boundary(A, 1))
    jump_to(mining, oracle, model, boundary(A, 2))
    assert mining.epoch() == 3 and mining.currentRate() == 125 * 10**13
    got, rate = parts(mining.mintBatch([purchase(amount=19_900)], {"from": oracle}))
    expected = (124_375 * GRAM // 10_000, 4_975 * MILLI, 4_975 * MILLI, 24_875 * GRAM // 10_000)
    assert got == model.mine(19_900, True).as_tuple() == expected
    assert rate == 125 * 10**13

    # the same purchase without a referrer after the third halving: 19.9 g, the consumer's part unchanged
    got, _ = parts(mining.mintBatch([purchase(amount=19_900, referrer=False)], {"from": oracle}))
    assert (
        got
        == model.mine(19_900, False).as_tuple()
        == (124_375 * GRAM // 10_000, 0, 4_975 * MILLI, 24_875 * GRAM // 10_000)
    )


def test_worked_example_without_referrer_at_a_halving(default_mining, oracle):
    """docs/mining.md: across a halving boundary the unreferred purchase gives the other three 5% more."""
    mining, _ = default_mining
    model = MiningModel(10**16, 1_000_000_000 * GRAM, (5000, 2000, 2000, 1000), 4000, mined=mining.minedTotal())
    jump_to(mining, oracle, model, boundary(model.allocation, 0) - 50 * GRAM)
    got, rate = parts(mining.mintBatch([purchase(amount=19_900, referrer=False)], {"from": oracle}))
    assert got == model.mine(19_900, False).as_tuple()
    assert got == (65_375 * MILLI, 0, 26_150 * MILLI, 13_075 * MILLI) and sum(got) == 104_600 * MILLI
    assert rate == 10**16 and mining.epoch() == 1

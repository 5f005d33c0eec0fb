"""Streaming and entitlement: linear streams, the balance-time integral, sniping, and the known pitfalls
(zero-supply time, leftover from what was actually distributed, truncation of 6-decimal rates)."""

from __future__ import annotations

from brownie import chain

from tests.dividends.conftest import DAY, GRAM, USD, WEEK, sleep_to


def claimable(token, holder, asset, block):
    return token.claimable.call(holder, asset, block_identifier=block)


def test_single_holder_streams_linearly(dividend_token, tusd, grams, holders, fund, depositor):
    grams.mint(holders[0], 10 * GRAM)
    tx = fund(tusd, WEEK * USD, depositor)  # exactly 1 tUSD per second
    t0 = tx.timestamp
    assert dividend_token.periodEnd(tusd) == t0 + WEEK
    assert dividend_token.scaledRewardRate.call(tusd, block_identifier=tx.block_number) == USD * 10**36
    for dt in (1, 3_600, DAY, 5 * DAY, WEEK, WEEK + DAY):
        sleep_to(t0 + dt)
        chain.mine()
        block = chain[-1]
        elapsed = min(block.timestamp - t0, WEEK)
        assert claimable(dividend_token, holders[0], tusd, block.number) == elapsed * USD
    assert dividend_token.scaledRewardRate.call(tusd, block_identifier=chain[-1].number) == 0  # stream over


def test_worked_example_three_holders(dividend_token, tusd, grams, holders, fund, depositor):
    """docs/dividends.md: 10,000 tUSD over 7 days to holders of 50, 30 and 20 grams."""
    a, b, c = holders[:3]
    grams.mint_batch([a, b, c], [50 * GRAM, 30 * GRAM, 20 * GRAM])
    tx = fund(tusd, 10_000 * USD, depositor)
    # rate: 10,000e6 * 1e36 / 604,800 units x 1e36 per second
    assert dividend_token.scaledRewardRate.call(tusd, block_identifier=tx.block_number) == 10_000 * USD * 10**36 // WEEK
    sleep_to(tx.timestamp + DAY)
    chain.mine()
    day1 = chain[-1]
    elapsed = day1.timestamp - tx.timestamp
    expected = [10_000 * USD * elapsed * share // (WEEK * 100) for share in (50, 30, 20)]
    got = [claimable(dividend_token, h, tusd, day1.number) for h in (a, b, c)]
    for g, e in zip(got, expected):
        assert e - 1 <= g <= e
    sleep_to(tx.timestamp + WEEK + 10)
    chain.mine()
    end = chain[-1].number
    got = [claimable(dividend_token, h, tusd, end) for h in (a, b, c)]
    for g, e in zip(got, (5_000 * USD, 3_000 * USD, 2_000 * USD)):
        assert e - 1 <= g <= e
    assert sum(got) <= 10_000 * USD
    assert 10_000 * USD - sum(got) <= 3  # dust: at most 1 unit per holder here


def test_entitlement_is_the_balance_time_integral(dividend_token, tusd, grams, holders, fund, depositor):
    a, b = holders[:2]
    grams.mint(a, 100 * GRAM)
    tx = fund(tusd, WEEK * USD, depositor)
    sleep_to(tx.timestamp + 2 * DAY)
    move = grams.transfer(a, b, 50 * GRAM)  # from here on a and b hold half each
    sleep_to(tx.timestamp + WEEK + 5)
    chain.mine()
    end = chain[-1].number
    t_move = move.timestamp - tx.timestamp
    expect_a = t_move * USD + (WEEK - t_move) * USD // 2
    expect_b = (WEEK - t_move) * USD // 2
    assert expect_a - 1 <= claimable(dividend_token, a, tusd, end) <= expect_a
    assert expect_b - 1 <= claimable(dividend_token, b, tusd, end) <= expect_b


def test_sniping_earns_only_the_seconds_held(dividend_token, tusd, grams, holders, fund, depositor):
    """Hold 50% of the supply for one block around a deposit: earn about one block's share, not half the deposit."""
    long_term, sniper, buyer = holders[:3]
    grams.mint(long_term, 100 * GRAM)
    enter = grams.mint(sniper, 100 * GRAM)  # the block before the deposit
    tx = fund(tusd, 10_000 * USD, depositor)
    leave = grams.transfer(sniper, buyer, 100 * GRAM)  # the block after
    held = leave.timestamp - tx.timestamp
    assert enter.timestamp <= tx.timestamp and held <= 2
    sleep_to(tx.timestamp + WEEK + 1)
    chain.mine()
    end = chain[-1].number
    rate = 10_000 * USD / WEEK
    sniped = claimable(dividend_token, sniper, tusd, end)
    assert sniped <= rate * held / 2 + 1  # half the supply for `held` seconds
    assert sniped < 10_000 * USD // 100_000  # < 0.001% of the deposit
    total = sum(claimable(dividend_token, h, tusd, end) for h in (long_term, sniper, buyer))
    assert 10_000 * USD - 3 <= total <= 10_000 * USD


def test_pitfall_zero_supply_time_is_not_lost(dividend_token, tusd, grams, holders, fund, depositor):
    """Pitfall 1: a stream with no holders pauses; its end moves later; nothing is lost."""
    tx = fund(tusd, WEEK * USD, depositor)  # nobody holds grams yet
    sleep_to(tx.timestamp + 2 * DAY)
    first = grams.mint(holders[0], GRAM)
    paused = first.timestamp - tx.timestamp
    assert dividend_token.periodEnd(tusd) == tx.timestamp + WEEK + paused
    # mid-stream the whole supply is burnt for a day, then grams come back
    sleep_to(first.timestamp + DAY)
    gone = grams.burn(holders[0], GRAM)
    sleep_to(gone.timestamp + DAY)
    back = grams.mint(holders[1], GRAM)
    second_pause = back.timestamp - gone.timestamp
    end = dividend_token.periodEnd(tusd)
    assert end == tx.timestamp + WEEK + paused + second_pause
    sleep_to(end + 10)
    chain.mine()
    block = chain[-1].number
    got = [claimable(dividend_token, h, tusd, block) for h in holders[:2]]
    assert got[0] == (gone.timestamp - first.timestamp) * USD
    assert WEEK * USD - 2 <= sum(got) <= WEEK * USD


def test_pitfall_leftover_comes_from_what_was_distributed(dividend_token, tusd, grams, holders, fund, depositor):
    """Pitfall 2: the rest rolled into a new deposit is what the accumulator has not handed out -- including the
    paused (zero-supply) part of the stream -- so the two deposits are paid in full."""
    tx1 = fund(tusd, WEEK * USD, depositor)  # paused: no holders
    sleep_to(tx1.timestamp + DAY)
    m = grams.mint(holders[0], GRAM)
    sleep_to(m.timestamp + 3 * DAY)
    tx2 = fund(tusd, 2 * WEEK * USD, depositor)
    distributed = (tx2.timestamp - m.timestamp) * USD
    leftover = WEEK * USD - distributed
    rate2 = dividend_token.scaledRewardRate.call(tusd, block_identifier=tx2.block_number)
    assert rate2 == (leftover * 10**36 + 2 * WEEK * USD * 10**36) // WEEK
    assert dividend_token.periodEnd(tusd) == tx2.timestamp + WEEK
    sleep_to(tx2.timestamp + WEEK + 1)
    chain.mine()
    got = claimable(dividend_token, holders[0], tusd, chain[-1].number)
    assert 3 * WEEK * USD - 1 <= got <= 3 * WEEK * USD


def test_pitfall_six_decimal_rates_are_scaled(dividend_token, tusd, grams, holders, fund, depositor):
    """Pitfall 3: 1 tUSD over 7 days is 1.65 units/s; an unscaled rate (1/s) would strand 40% of it, and
    604,799 units (0.6 tUSD) would stream at 0/s."""
    grams.mint(holders[0], GRAM)
    tx = fund(tusd, 604_799, depositor)
    assert dividend_token.scaledRewardRate.call(tusd, block_identifier=tx.block_number) == 604_799 * 10**36 // WEEK
    sleep_to(tx.timestamp + WEEK + 1)
    tx2 = fund(tusd, USD, depositor)  # stream over: a new 1 tUSD stream
    sleep_to(tx2.timestamp + WEEK + 1)
    chain.mine()
    got = claimable(dividend_token, holders[0], tusd, chain[-1].number)
    assert 604_799 + USD - 2 <= got <= 604_799 + USD


def test_every_kind_of_balance_change_settles(dividend_token, tusd, grams, holders, fund, depositor):
    """mint, batch mint (a recipient twice), transfer and burn each settle both sides at the old balances."""
    a, b, c = holders[:3]
    grams.mint(a, GRAM)
    tx = fund(tusd, WEEK * USD, depositor)
    sleep_to(tx.timestamp + DAY)
    batch = grams.mint_batch([b, a, b], [GRAM, GRAM, GRAM])  # a: 2 grams, b: 2 grams
    sleep_to(batch.timestamp + DAY)
    burn = grams.burn(a, 2 * GRAM)  # a leaves
    sleep_to(burn.timestamp + DAY)
    move = grams.transfer(b, c, GRAM)  # b and c: 1 gram each
    sleep_to(tx.timestamp + WEEK + 1)
    chain.mine()
    end = chain[-1].number
    t1, t2, t3 = batch.timestamp - tx.timestamp, burn.timestamp - tx.timestamp, move.timestamp - tx.timestamp
    from fractions import Fraction as F

    exp_a = F(t1) * USD + F(t2 - t1) * USD / 2
    exp_b = F(t2 - t1) * USD / 2 + F(t3 - t2) * USD + F(WEEK - t3) * USD / 2
    exp_c = F(WEEK - t3) * USD / 2
    for h, e in ((a, exp_a), (b, exp_b), (c, exp_c)):
        got = claimable(dividend_token, h, tusd, end)
        assert int(e) - 3 <= got <= e

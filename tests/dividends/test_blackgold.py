"""Dividends on the real BlackGold, wired by the real deploy: every balance path of the token (PurchaseMining
batches, transfers, burns) settles both parties; only the timelock administers payout assets.

The harness tests (test_streaming, test_claims, ...) cover the accounting rules in depth; these check that the
production token routes every balance change through the extension and that the deploy wiring holds.
"""

from __future__ import annotations

import brownie
import pytest
from brownie import chain

from scripts.deploy import LOCAL_SETTINGS, chain_hooks, deploy_system, mining_hook, stablecoin_hook
from tests.dividends.conftest import DAY, USD, WEEK, at, sleep_to
from tests.mining.conftest import addr, order_ref


@pytest.fixture(scope="module")
def system(accounts):
    deployer, oracle = accounts[0], accounts[9]
    hook = chain_hooks(mining_hook(deployer, [oracle]), stablecoin_hook(deployer))
    return deploy_system(deployer, LOCAL_SETTINGS, before_renounce=hook)


@pytest.fixture(scope="module")
def parts(system, accounts):
    return system.token, system.extra["PurchaseMining"], system.extra["TestStablecoin"], accounts[9]


def mine(mining, oracle, consumer, supplier, amount, referrer=None):
    zero = "0x" + "0" * 40
    return mining.mintBatch([(order_ref(), consumer, referrer or zero, supplier, amount, 0)], {"from": oracle})


def deposit(token, coin, amount, depositor):
    coin.mint(depositor, amount, {"from": depositor})
    coin.approve(token, amount, {"from": depositor})
    return token.deposit(coin, amount, {"from": depositor})


def claimable(token, holder, coin, block):
    return token.claimable.call(holder, coin, at(block))


def test_deploy_registers_test_usd_and_hands_the_role_to_the_timelock(system, parts, accounts):
    token, _, coin, _ = parts
    assert list(token.payoutAssets()) == [coin.address]
    assert coin.decimals() == 6 and coin.symbol() == "tUSD"
    role = token.DIVIDENDS_ADMIN_ROLE()
    assert token.hasRole(role, system.timelock) and not token.hasRole(role, accounts[0])
    for who in (accounts[0], accounts[9]):
        with brownie.reverts(revert_pattern=None):
            token.registerPayoutAsset(accounts[5], {"from": who})
        with brownie.reverts(revert_pattern=None):
            token.setDistributionPeriod(2 * DAY, {"from": who})


def test_mining_batches_and_transfers_settle_every_party(parts, accounts):
    """Holders made by PurchaseMining earn pro rata; a batch and a transfer mid-stream move only future accrual."""
    token, mining, coin, oracle = parts
    platform = mining.platform()
    a, b, supplier = accounts[2], accounts[3], addr("div-supplier")
    mine(mining, oracle, a, supplier, 10_000)  # 100 g: a 50 (+ no referrer share), supplier 20, platform 10
    mine(mining, oracle, b, supplier, 30_000)
    holders = [a, b, supplier, platform]
    tx = deposit(token, coin, WEEK * USD, accounts[1])  # 1 tUSD per second
    t0 = tx.timestamp
    sleep_to(t0 + 2 * DAY)
    batch = mine(mining, oracle, a, supplier, 20_000)  # a and supplier gain mid-stream: settled first
    t1 = batch.timestamp
    sleep_to(t0 + 4 * DAY)
    move = token.transfer(a, token.balanceOf(b) // 2, {"from": b})
    t2 = move.timestamp
    sleep_to(t0 + WEEK + 10)
    chain.mine()
    end = chain[-1].number

    def balances(block):
        return {h: token.balanceOf.call(h, at(block)) for h in holders}

    # the model: the balance-time integral over the three intervals, from the balances the chain recorded
    spans = (
        (t0, t1, balances(batch.block_number - 1)),
        (t1, t2, balances(move.block_number - 1)),
        (t2, t0 + WEEK, balances(end)),
    )
    expected = {h: 0 for h in holders}
    for start, stop, bal in spans:
        supply = sum(bal.values())
        for h in holders:
            expected[h] += USD * (stop - start) * bal[h] // supply
    for h in holders:
        got = claimable(token, h, coin, end)
        assert expected[h] - 3 <= got <= expected[h] + 3, (h, got, expected[h])
    assert sum(claimable(token, h, coin, end) for h in holders) <= WEEK * USD


def test_burn_settles_before_the_supply_shrinks(parts, accounts):
    token, mining, coin, oracle = parts
    a, b = accounts[2], accounts[3]
    mine(mining, oracle, a, addr("burn-supplier"), 10_000)
    mine(mining, oracle, b, addr("burn-supplier"), 10_000)
    tx = deposit(token, coin, WEEK * USD, accounts[1])
    sleep_to(tx.timestamp + DAY)
    burn = token.burn(token.balanceOf(a), {"from": a})
    earned = claimable(token, a, coin, burn.block_number)
    sleep_to(tx.timestamp + 3 * DAY)
    chain.mine()
    assert claimable(token, a, coin, chain[-1].number) == earned > 0  # nothing after the burn
    claim = token.claim(coin, accounts[7], {"from": a})
    assert coin.balanceOf(accounts[7]) == earned
    assert claim.events["DividendsClaimed"]["amount"] == earned

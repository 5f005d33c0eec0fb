"""Fixtures of the dividends tests: a dividend token (the test harness today; BlackGold once it inherits
ERC20Dividends -- only `dividend_token`, `dividends_admin` and `grams` need to change), payout assets and mocks.

Time: every assertion reads mined block timestamps (`tx.timestamp`, `chain[-1].timestamp`), never the wall clock.
Views are called at an explicit block (`view.call(..., block_identifier=n)`), whose timestamp Ganache uses for
`block.timestamp`.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from brownie import chain

GRAM = 10**18
USD = 10**6  # tUSD has 6 decimals
DAY = 86_400
WEEK = 7 * DAY
SCALE = 10**36


@pytest.fixture(scope="module")
def dividends_admin(deployer):
    """Who passes `_authorizeDividendsAdmin` (BlackGold: the timelock holding the dividends role)."""
    return deployer


@pytest.fixture(scope="module")
def dividend_token(DividendTokenHarness, dividends_admin):
    return DividendTokenHarness.deploy(dividends_admin, {"from": dividends_admin})


@pytest.fixture(scope="module")
def grams(dividend_token, deployer):
    """Balance changes of the dividend token, whatever its access rules: mint, mint_batch, burn, transfer."""
    t = dividend_token

    def mint(to, amount):
        return t.mint(to, amount, {"from": deployer})

    def mint_batch(recipients, amounts):
        return t.mintBatch(recipients, amounts, {"from": deployer})

    def burn(holder, amount):
        return t.burn(holder, amount, {"from": holder})

    def transfer(sender, to, amount):
        return t.transfer(to, amount, {"from": sender})

    return SimpleNamespace(mint=mint, mint_batch=mint_batch, burn=burn, transfer=transfer)


@pytest.fixture(scope="module")
def holders(accounts):
    return accounts[2:8]


@pytest.fixture(scope="module")
def depositor(accounts):
    return accounts[9]


@pytest.fixture(scope="module")
def tusd(TestStablecoin, dividend_token, dividends_admin):
    """Test USD (6 decimals, permit), registered as payout asset #0."""
    coin = TestStablecoin.deploy({"from": dividends_admin})
    dividend_token.registerPayoutAsset(coin, {"from": dividends_admin})
    return coin


@pytest.fixture(scope="module")
def dai(MockPayoutToken, dividends_admin):
    """An 18-decimal asset, not registered."""
    return MockPayoutToken.deploy("Mock DAI", "mDAI", 18, {"from": dividends_admin})


@pytest.fixture(scope="module")
def fee_token(FeeOnTransferToken, dividends_admin):
    return FeeOnTransferToken.deploy(100, {"from": dividends_admin})  # 1% burnt per transfer


@pytest.fixture(scope="module")
def reentrant_token(ReentrantPayoutToken, dividends_admin):
    return ReentrantPayoutToken.deploy({"from": dividends_admin})


@pytest.fixture(scope="module")
def fund(dividend_token):
    """deposit(asset, amount, sender): mint `amount` of `asset` to `sender`, approve, deposit; returns the tx."""

    def deposit(asset, amount, sender):
        asset.mint(sender, amount, {"from": sender})
        asset.approve(dividend_token, amount, {"from": sender})
        return dividend_token.deposit(asset, amount, {"from": sender})

    return deposit


def sleep_to(timestamp: int) -> None:
    """Make the next mined block carry (about) `timestamp`: chain.sleep relative to the last block."""
    delta = timestamp - chain[-1].timestamp
    if delta > 0:
        chain.sleep(delta)

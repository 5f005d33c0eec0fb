"""Shared fixtures for the whole suite (pytest through Brownie on Ganache).

Each area keeps its own fixtures in its folder's conftest.py (tests/token, tests/governance,
tests/mining, tests/oracle); what several areas need lives here.
"""

from __future__ import annotations

import pytest

GRAM = 10**18
CAP_GRAMS = 1_000_000_000


@pytest.fixture(autouse=True)
def isolation(fn_isolation):
    """Every test starts from the chain state its module's fixtures left (Brownie snapshots/reverts)."""


@pytest.fixture(scope="module")
def deployer(accounts):
    return accounts[0]


@pytest.fixture(scope="module")
def minter(accounts):
    return accounts[1]


@pytest.fixture(scope="module")
def token(BlackGold, deployer, minter):
    """A fresh BlackGold with the 1e9-gram cap; the deployer is still admin and `minter` may mint."""
    contract = BlackGold.deploy(CAP_GRAMS * GRAM, deployer, {"from": deployer})
    contract.grantRole(contract.MINTER_ROLE(), minter, {"from": deployer})
    return contract

"""Fixtures for the issuance-vote tests: the real deploy function, short governance parameters, holders.

Every test here runs on Ganache (`brownie test tests/governance --network ganache-b`); time is moved with
chain.sleep/chain.mine through the helpers in tests/governance/helpers.py, which read the mined blocks.
"""

from __future__ import annotations

import pytest

from blackgold.contracts import System
from blackgold.deployment import Deployment
from scripts.deploy import GRAM, LOCAL_SETTINGS, deploy_system, deployment_record
from tests.governance.helpers import HOLDINGS


@pytest.fixture(scope="module")
def settings():
    return LOCAL_SETTINGS


@pytest.fixture(scope="module")
def alice(accounts):
    return accounts[2]


@pytest.fixture(scope="module")
def bob(accounts):
    return accounts[3]


@pytest.fixture(scope="module")
def carol(accounts):
    return accounts[4]


@pytest.fixture(scope="module")
def dave(accounts):
    """Holds 500 grams: below the 1,000-gram proposal threshold."""
    return accounts[5]


@pytest.fixture(scope="module")
def whale(accounts):
    return accounts[6]


@pytest.fixture(scope="module")
def eve(accounts):
    """Holds nothing at setup."""
    return accounts[7]


@pytest.fixture(scope="module")
def fund(accounts):
    """Recipient of grant proposals (an ecosystem fund)."""
    return accounts[8]


@pytest.fixture(scope="module")
def system(deployer, minter, settings):
    """The real deploy: token + timelock + governor wired, deployer renounced; `minter` may still mint."""
    return deploy_system(deployer, settings, extra_minters=[minter])


@pytest.fixture(scope="module")
def token(system):
    """Overrides the suite-wide `token`: here it is the governed one."""
    return system.token


@pytest.fixture(scope="module")
def timelock(system):
    return system.timelock


@pytest.fixture(scope="module")
def governor(system):
    return system.governor


@pytest.fixture(scope="module")
def deployment(system, deployer):
    """The deployment record the deploy script writes, in memory (addresses + ABIs)."""
    return Deployment.from_record(deployment_record(system, deployer))


@pytest.fixture(scope="module")
def sdk(deployment, web3):
    """The same contracts through the SDK (web3.py), as the CLI and the demo use them."""
    return System.connect(web3, deployment)


@pytest.fixture(scope="module")
def holders(system, minter, alice, bob, carol, dave, whale, chain):
    """Mint HOLDINGS and self-delegate, then let a second pass so the votes are in the past for proposing."""
    named = {"alice": alice, "bob": bob, "carol": carol, "dave": dave, "whale": whale}
    for name, grams in HOLDINGS.items():
        system.token.mint(named[name], grams * GRAM, {"from": minter})
        system.token.delegate(named[name], {"from": named[name]})
    chain.sleep(2)
    chain.mine()
    return named

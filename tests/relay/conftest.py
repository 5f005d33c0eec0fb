"""Fixtures for the relay tests: the real deploy on Ganache (local profile, dev allocation to accounts 1..4, Test
USD as payout asset), a funded relay key, holders with grams and no ETH, and relays on a fresh SQLite file per
test, driven through their HTTP API (starlette's TestClient) with the worker stepped by hand, so every test knows
exactly what is on chain when it asserts."""

from __future__ import annotations

import pytest
from eth_account import Account
from starlette.testclient import TestClient

from blackgold.accounts import KeySigner
from blackgold.contracts import System as SdkSystem
from blackgold.deployment import Deployment, write_record
from blackgold.params import LOCAL_DEV_ALLOCATION_GRAMS, LOCAL_SETTINGS
from oracle.config import SigningKey
from oracle.relay import build_relay
from scripts.deploy import deploy_system, deployment_record, stablecoin_hook

GRAM = 10**18
ETHER = 10**18


@pytest.fixture(scope="module")
def system(deployer, accounts):
    allocation = {accounts[i + 1]: grams for i, grams in enumerate(LOCAL_DEV_ALLOCATION_GRAMS)}
    return deploy_system(
        deployer, LOCAL_SETTINGS, initial_allocation=allocation, before_renounce=stablecoin_hook(deployer)
    )


@pytest.fixture(scope="module")
def deployment(system, deployer, tmp_path_factory):
    path = tmp_path_factory.mktemp("deployments") / "ganache-cli.json"
    return Deployment.load(write_record(deployment_record(system, deployer), path))


@pytest.fixture(scope="module")
def rpc_url(web3):
    return web3.provider.endpoint_uri


@pytest.fixture(scope="module")
def relay_key(accounts):
    key = Account.create()
    accounts[0].transfer(key.address, 10 * ETHER)
    return SigningKey(bytes(key.key))


@pytest.fixture(scope="module")
def sdk(deployment, web3):
    return SdkSystem.connect(web3, deployment)


@pytest.fixture
def make_relay(deployment, rpc_url, relay_key, tmp_path):
    """make_relay(**settings) -> (relay, client) on tmp_path/relay.db (the same file each call: a restart)."""
    made = []

    def make(**overrides):
        env = {"BG_RELAY_PRIVATE_KEY": relay_key.key.hex()}  # what `blackgold app` reads
        relay = build_relay(deployment, rpc_url, env, database_url=f"sqlite:///{tmp_path}/relay.db", **overrides)
        made.append(relay)
        return relay, TestClient(relay.app)

    yield make
    for relay in made:
        relay.store.close()


@pytest.fixture
def holder(system, accounts):
    """A fresh key with 50,000 grams (from accounts[1]) and no ETH."""
    key = Account.create()
    system.token.transfer(key.address, 50_000 * GRAM, {"from": accounts[1]})
    return KeySigner(key)


def sign_and_body(client, signer, kind, **params):
    """Ask the relay what to sign, sign it with `signer` (eth-account), return the body to POST."""
    resp = client.get(f"/typed-data/{kind}", params={"holder": signer.address, **params})
    assert resp.status_code == 200, resp.text
    out = resp.json()
    signature = signer.sign_typed_data(None, out["typedData"])
    return {**out["body"], "signature": "0x" + bytes(signature).hex()}


def refused(resp, status, reason, field=None):
    """Assert a refusal: HTTP status, reason, and the field it names."""
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert body["reason"] == reason, body
    if field is not None:
        assert body["errors"][0]["field"] == f"body.{field}", body
    return body

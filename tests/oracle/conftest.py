"""Fixtures of the oracle tests.

- Unit tests (verification, store, API, client, CLI, fuzz) run in process against a temporary SQLite file
  and, where parametrized, a real PostgreSQL server this file starts (and stops) itself.
- Chain tests deploy BlackGold + PurchaseMining with scripts/deploy.py (deploy_mining) on Brownie's chain and run the
  real oracle (`python -m oracle serve`, uvicorn) as a subprocess on a free port in 8700-8799, with a real
  signing key (a Brownie account's private key), through oracle.process.OracleProcess. Because that process sends transactions Brownie does not
  know about, the suite-wide snapshot/revert `isolation` is switched off here: each module deploys its own
  contracts and each test uses its own order references and database.
"""

from __future__ import annotations

import json
import os
import random
import warnings
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account

from oracle.api import create_app
from oracle.config import Settings
from oracle.process import ProcessError, TempPostgres, clean_env
from oracle.verification import BackendInfo

# starlette's TestClient still runs on httpx (httpx2 is not in the lock): import it once, quietly.
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import fastapi.testclient  # noqa: F401
MINING_ADDRESS = "0x" + "42" * 20  # unit tests: any address fits the EIP-712 domain
UNIT_CHAIN_ID = 1337
ADMIN_TOKEN = "test-admin-token"


@pytest.fixture(autouse=True)
def isolation():
    """No snapshot/revert around oracle tests: oracle processes send their own transactions."""
    yield


# ---------------------------------------------------------------------- unit-test oracle (in process)
@pytest.fixture
def backend_keys():
    """Three backends' signing accounts (fresh keys)."""
    return {name: Account.create() for name in ("shop-1", "shop-2", "shop-3")}


def unit_settings(tmp_path: Path, **overrides: Any) -> Settings:
    values = dict(
        database_url=f"sqlite:///{tmp_path}/oracle.db",
        chain_id=UNIT_CHAIN_ID,
        mining_address=MINING_ADDRESS,
        max_referrer_bps=4000,
        admin_token=ADMIN_TOKEN,
        deployment_file=str(tmp_path / "no-deployment.json"),
        rpc_url="http://127.0.0.1:1",
        batcher_enabled=False,
        backend_cache_seconds=0,
    )
    values.update(overrides)
    return Settings.load(env={}, **values)


@pytest.fixture
def make_client(tmp_path, backend_keys):
    """Factory: an in-process app (TestClient) with the backends registered; returns (client, oracle)."""
    from fastapi.testclient import TestClient

    clients = []

    def factory(database_url: str | None = None, **overrides: Any):
        if database_url:
            overrides["database_url"] = database_url
        settings = unit_settings(tmp_path, **overrides)
        app = create_app(settings, None, start_background=False)
        orc = app.state.oracle
        for name, acct in backend_keys.items():
            orc.store.add_backend(name, acct.address)
        tc = TestClient(app)
        tc.__enter__()
        clients.append(tc)
        return tc, orc

    yield factory
    for tc in clients:
        tc.__exit__(None, None, None)
        tc.app.state.oracle.store.close()


# ---------------------------------------------------------------------- PostgreSQL
@pytest.fixture(scope="session")
def postgres():
    """A temporary PostgreSQL server for the session (oracle.process.TempPostgres; fsync off for speed)."""
    try:
        server = TempPostgres(durable=False)
    except ProcessError as exc:
        pytest.skip(f"{exc} to run the PostgreSQL storage tests")
    with server:
        yield server


@pytest.fixture
def fresh_postgres_url(postgres):
    """A fresh database on the session's PostgreSQL server for one test."""
    return postgres.create_db(f"t_{os.getpid()}_{random.randrange(10**9)}")


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    """The storage tests run against SQLite and a real PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/store.db"
    return request.getfixturevalue("fresh_postgres_url")


# ---------------------------------------------------------------------- chain helpers
def write_deployment_file(path: Path, chain_id: int, token: str, mining: str, block: int = 0) -> Path:
    path.write_text(
        json.dumps(
            {
                "chain_id": chain_id,
                "contracts": {"BlackGold": token, "PurchaseMining": mining},
                "blocks": {"PurchaseMining": block},
            },
            indent=2,
        )
    )
    return path


def random_address() -> str:
    return Account.create().address


def backend_info(acct) -> BackendInfo:
    return BackendInfo(id="x", address=acct.address, active=True)


# ---------------------------------------------------------------------- contracts on Brownie's chain
class ChainEnv:
    """BlackGold + PurchaseMining deployed for one test module, and what an oracle needs to reach them."""

    def __init__(
        self, token, mining, governance, oracle_account, platform, deployment_file: Path, rpc_url: str, chain_id: int
    ):
        self.token, self.mining, self.governance = token, mining, governance
        self.oracle_account, self.platform = oracle_account, platform
        self.deployment_file, self.rpc_url, self.chain_id = deployment_file, rpc_url, chain_id
        self.private_key = oracle_account.private_key

    def oracle_env(self, db_url: str, **extra: Any) -> dict[str, str]:
        values = dict(
            ORACLE_DATABASE_URL=db_url,
            ORACLE_RPC_URL=self.rpc_url,
            ORACLE_DEPLOYMENT_FILE=self.deployment_file,
            ORACLE_PRIVATE_KEY=self.private_key,
            ORACLE_ADMIN_TOKEN=ADMIN_TOKEN,
            ORACLE_BATCH_WAIT_SECONDS=0.3,
            ORACLE_POLL_INTERVAL_SECONDS=0.05,
            ORACLE_BATCH_SIZE=10,
            ORACLE_BACKOFF_INITIAL_SECONDS=0.2,
            ORACLE_BACKOFF_MAX_SECONDS=2,
            ORACLE_CURRENCIES="CNY,USD",
        )
        values.update(extra)
        return clean_env(**values)

    def settings(self, db_url: str, **overrides: Any) -> Settings:
        values = dict(
            database_url=db_url,
            rpc_url=self.rpc_url,
            deployment_file=str(self.deployment_file),
            admin_token=ADMIN_TOKEN,
            batch_wait_seconds=0,
            poll_interval_seconds=0.05,
            batch_size=10,
            backend_cache_seconds=0,
            ceiling_wait_seconds=0.2,
            backoff_max_seconds=1,
            max_referrer_bps=-1,
        )
        values.update(overrides)
        return Settings.load(env={}, **values)

    def expected_grams(self, amount: int, referrer: str, bps: int) -> tuple[int, int, int, int]:
        """What PurchaseMining's rule gives now (the schedule stays in epoch 0 in these tests)."""
        has_ref = int(referrer, 16) != 0
        return tuple(int(x) for x in self.mining.quote(amount, has_ref, bps))


@pytest.fixture(scope="module")
def chain_env(accounts, tmp_path_factory):
    from brownie import BlackGold, chain, web3

    from scripts.deploy import MiningSettings, add_oracle, deploy_mining, wire_mining

    deployer, governance, platform = accounts[0], accounts[2], accounts[5]
    oracle_account = accounts.add()  # a local key the oracle process can sign with
    deployer.transfer(oracle_account, 10 * 10**18)  # ample for its gas; accounts[0] funds every module

    token = BlackGold.deploy(1_000_000_000 * 10**18, deployer, {"from": deployer})
    settings = MiningSettings(platform=platform.address, daily_ceiling_wei=10**27)
    mining = deploy_mining(token, governance, deployer, settings)
    wire_mining(token, mining, deployer)
    add_oracle(mining, oracle_account, governance)
    folder = tmp_path_factory.mktemp("deployment")
    path = write_deployment_file(
        folder / "ganache-c.json", chain.id, token.address, mining.address, mining.tx.block_number
    )
    return ChainEnv(token, mining, governance, oracle_account, platform, path, web3.provider.endpoint_uri, chain.id)


@pytest.fixture
def chain_oracle(chain_env, tmp_path, backend_keys):
    """Factory: an in-process oracle on the module's contracts (batcher not started: tests drive it), with the
    backends registered; returns (oracle, {backend: OracleClient})."""
    from fastapi.testclient import TestClient

    from oracle.client import OracleClient
    from oracle.config import SigningKey

    opened = []

    def factory(db_name: str = "oracle.db", **overrides: Any):
        settings = chain_env.settings(f"sqlite:///{tmp_path}/{db_name}", **overrides)
        key = SigningKey(bytes.fromhex(chain_env.private_key[2:]))
        app = create_app(settings, key, start_background=False)
        orc = app.state.oracle
        orc.watcher.refresh()
        for name, acct in backend_keys.items():
            orc.store.add_backend(name, acct.address)
        tc = TestClient(app)
        tc.__enter__()
        opened.append(tc)
        clients = {n: OracleClient("http://t", n, a.key, http=tc, retries=0) for n, a in backend_keys.items()}
        return orc, clients

    yield factory
    for tc in opened:
        tc.__exit__(None, None, None)
        tc.app.state.oracle.store.close()


def drain(orc, timeout: float = 30):
    """Run batcher steps until there is nothing left to do (a Hold propagates)."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        orc.store.promote()
        if not orc.batcher.step():
            return
    raise TimeoutError

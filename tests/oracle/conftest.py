"""Fixtures of the oracle tests.

- Unit tests (verification, store, API, client, CLI, fuzz) run in process against a temporary SQLite file
  and, where parametrized, a real PostgreSQL server this file starts (and stops) itself.
- Chain tests deploy BlackGold + PurchaseMining with scripts/mining_deploy.py on Brownie's chain and run the
  real oracle (`python -m oracle serve`, uvicorn) as a subprocess on a free port in 8700-8799, with a real
  signing key (a Brownie account's private key). Because that process sends transactions Brownie does not
  know about, the suite-wide snapshot/revert `isolation` is switched off here: each module deploys its own
  contracts and each test uses its own order references and database.
"""
from __future__ import annotations

import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any, Optional

import httpx
import pytest
from eth_account import Account

from oracle.api import create_app
from oracle.config import Settings
from oracle.verification import BackendInfo

PROJECT_ROOT = Path(__file__).resolve().parents[2]
# starlette's TestClient still runs on httpx (httpx2 is not in the lock): import it once, quietly.
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import fastapi.testclient  # noqa: F401
MINING_ADDRESS = "0x" + "42" * 20  # unit tests: any address fits the EIP-712 domain
UNIT_CHAIN_ID = 1337
ADMIN_TOKEN = "test-admin-token"
PORT_RANGE = (8700, 8799)


@pytest.fixture(autouse=True)
def isolation():
    """No snapshot/revert around oracle tests: oracle processes send their own transactions."""
    yield


# ---------------------------------------------------------------------- ports and processes
def free_port() -> int:
    ports = list(range(PORT_RANGE[0], PORT_RANGE[1] + 1))
    random.shuffle(ports)
    for port in ports:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {PORT_RANGE}")


def wait_port_closed(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            if s.connect_ex(("127.0.0.1", port)) != 0:
                return
        time.sleep(0.1)


def clean_env(**values: Any) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ORACLE_")}
    env.update({k: str(v) for k, v in values.items() if v is not None})
    return env


class OracleProcess:
    """`python -m oracle serve` as a subprocess (uvicorn, real HTTP), with its own port and log."""

    def __init__(self, env: dict[str, str], workdir: Path) -> None:
        self.env = env
        self.workdir = workdir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: Optional[subprocess.Popen] = None
        self.log_path = workdir / f"oracle-{self.port}.log"
        self.starts = 0

    def start(self, wait: bool = True, **extra_env: Any) -> "OracleProcess":
        env = dict(self.env)
        env.update({k: str(v) for k, v in extra_env.items()})
        self.starts += 1
        log = open(self.log_path, "a")
        log.write(f"\n===== start {self.starts} {extra_env} =====\n")
        log.flush()
        self.proc = subprocess.Popen([sys.executable, "-m", "oracle", "serve", "--port", str(self.port),
                                      "--log-level", "info"], cwd=PROJECT_ROOT, env=env, stdout=log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        if wait:
            self.wait_healthy()
        return self

    def wait_healthy(self, timeout: float = 40.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"oracle exited with {self.proc.returncode}:\n{self.log()}")
            try:
                if httpx.get(self.url + "/health", timeout=5).status_code in (200, 503):
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"oracle did not start:\n{self.log()}")

    def wait_exit(self, timeout: float = 60.0) -> int:
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"oracle did not exit:\n{self.log()}") from None

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        wait_port_closed(self.port)

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        res = subprocess.run([sys.executable, "-m", "oracle", *args], cwd=PROJECT_ROOT, env=self.env,
                             capture_output=True, text=True, timeout=120)
        if check and res.returncode != 0:
            raise AssertionError(f"oracle {args} failed ({res.returncode}):\n{res.stdout}\n{res.stderr}")
        return res

    def log(self) -> str:
        try:
            return self.log_path.read_text()[-6000:]
        except OSError:
            return ""


# ---------------------------------------------------------------------- unit-test oracle (in process)
@pytest.fixture
def backend_keys():
    """Three backends' signing accounts (fresh keys)."""
    return {name: Account.create() for name in ("shop-1", "shop-2", "shop-3")}


def unit_settings(tmp_path: Path, **overrides: Any) -> Settings:
    values = dict(database_url=f"sqlite:///{tmp_path}/oracle.db", chain_id=UNIT_CHAIN_ID,
                  mining_address=MINING_ADDRESS, max_referrer_bps=4000, admin_token=ADMIN_TOKEN,
                  deployment_file=str(tmp_path / "no-deployment.json"), rpc_url="http://127.0.0.1:1",
                  batcher_enabled=False, backend_cache_seconds=0)
    values.update(overrides)
    return Settings.load(env={}, **values)


@pytest.fixture
def make_client(tmp_path, backend_keys):
    """Factory: an in-process app (TestClient) with the backends registered; returns (client, oracle)."""
    from fastapi.testclient import TestClient

    clients = []

    def factory(database_url: Optional[str] = None, **overrides: Any):
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
def _pg_bin_dir() -> Optional[Path]:
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).parent
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (candidate / "initdb").exists() and (candidate / "pg_ctl").exists():
            return candidate
    return None


@pytest.fixture(scope="session")
def postgres_url():
    """A temporary PostgreSQL server for the session (root -> run as the `postgres` user)."""
    bindir = _pg_bin_dir()
    if bindir is None:
        pytest.skip("PostgreSQL binaries (initdb, pg_ctl) not found on PATH or in /usr/lib/postgresql/*/bin: "
                    "install Debian's `postgresql` package to run the PostgreSQL storage tests")
    base = Path(tempfile.mkdtemp(prefix="oracle-pg-"))
    data = base / "data"
    port = free_port()
    as_root = os.geteuid() == 0
    prefix: list[str] = []
    if as_root:
        if shutil.which("runuser") is None:
            pytest.skip("running as root and `runuser` is missing: cannot start PostgreSQL as the postgres user")
        shutil.chown(base, "postgres", "postgres")
        os.chmod(base, 0o700)
        prefix = ["runuser", "-u", "postgres", "--"]
    subprocess.run([*prefix, str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "oracle"], check=True,
                   capture_output=True)
    subprocess.run([*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-l", str(base / "pg.log"), "-w", "-o",
                    f"-k {base} -p {port} -c listen_addresses=127.0.0.1 -c fsync=off", "start"], check=True,
                   capture_output=True)
    try:
        yield f"postgresql://oracle@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
                       capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def fresh_postgres_url(postgres_url):
    """A fresh database on the session's PostgreSQL server for one test."""
    import psycopg

    name = f"t_{os.getpid()}_{random.randrange(10**9)}"
    with psycopg.connect(postgres_url.replace("postgresql://", "postgresql://", 1), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield postgres_url.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    """The storage tests run against SQLite and a real PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/store.db"
    return request.getfixturevalue("fresh_postgres_url")


# ---------------------------------------------------------------------- chain helpers
def write_deployment_file(path: Path, chain_id: int, token: str, mining: str, block: int = 0) -> Path:
    path.write_text(json.dumps({"chain_id": chain_id, "contracts": {"BlackGold": token, "PurchaseMining": mining},
                                "blocks": {"PurchaseMining": block}}, indent=2))
    return path


def random_address() -> str:
    return Account.create().address


def backend_info(acct) -> BackendInfo:
    return BackendInfo(id="x", address=acct.address, active=True)


# ---------------------------------------------------------------------- contracts on Brownie's chain
class ChainEnv:
    """BlackGold + PurchaseMining deployed for one test module, and what an oracle needs to reach them."""

    def __init__(self, token, mining, governance, oracle_account, platform, deployment_file: Path, rpc_url: str,
                 chain_id: int):
        self.token, self.mining, self.governance = token, mining, governance
        self.oracle_account, self.platform = oracle_account, platform
        self.deployment_file, self.rpc_url, self.chain_id = deployment_file, rpc_url, chain_id
        self.private_key = oracle_account.private_key

    def oracle_env(self, db_url: str, **extra: Any) -> dict[str, str]:
        values = dict(ORACLE_DATABASE_URL=db_url, ORACLE_RPC_URL=self.rpc_url,
                      ORACLE_DEPLOYMENT_FILE=self.deployment_file, ORACLE_PRIVATE_KEY=self.private_key,
                      ORACLE_ADMIN_TOKEN=ADMIN_TOKEN, ORACLE_BATCH_WAIT_SECONDS=0.3,
                      ORACLE_POLL_INTERVAL_SECONDS=0.05, ORACLE_BATCH_SIZE=10, ORACLE_BACKOFF_INITIAL_SECONDS=0.2,
                      ORACLE_BACKOFF_MAX_SECONDS=2, ORACLE_CURRENCIES="CNY,USD")
        values.update(extra)
        return clean_env(**values)

    def settings(self, db_url: str, **overrides: Any) -> Settings:
        values = dict(database_url=db_url, rpc_url=self.rpc_url, deployment_file=str(self.deployment_file),
                      admin_token=ADMIN_TOKEN, batch_wait_seconds=0, poll_interval_seconds=0.05, batch_size=10,
                      backend_cache_seconds=0, ceiling_wait_seconds=0.2, backoff_max_seconds=1,
                      max_referrer_bps=-1)
        values.update(overrides)
        return Settings.load(env={}, **values)

    def expected_grams(self, amount: int, referrer: str, bps: int) -> tuple[int, int, int, int]:
        """What PurchaseMining's rule gives now (the schedule stays in epoch 0 in these tests)."""
        has_ref = int(referrer, 16) != 0
        return tuple(int(x) for x in self.mining.quote(amount, has_ref, bps))


@pytest.fixture(scope="module")
def chain_env(accounts, tmp_path_factory):
    from brownie import chain, web3

    from scripts.deploy import MiningSettings, add_oracle, deploy_mining, wire_mining

    from brownie import BlackGold

    deployer, governance, platform = accounts[0], accounts[2], accounts[5]
    oracle_account = accounts.add()  # a local key the oracle process can sign with
    deployer.transfer(oracle_account, 100 * 10**18)

    token = BlackGold.deploy(1_000_000_000 * 10**18, deployer, {"from": deployer})
    settings = MiningSettings(platform=platform.address, daily_ceiling_wei=10**27)
    mining = deploy_mining(token, governance, deployer, settings)
    wire_mining(token, mining, deployer)
    add_oracle(mining, oracle_account, governance)
    folder = tmp_path_factory.mktemp("deployment")
    path = write_deployment_file(folder / "ganache-c.json", chain.id, token.address, mining.address,
                                 mining.tx.block_number)
    return ChainEnv(token, mining, governance, oracle_account, platform, path, web3.provider.endpoint_uri, chain.id)

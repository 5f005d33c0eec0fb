"""Chain outage: the test runs its OWN Ganache (persistent database folder, fixed mnemonic), deploys there
with web3, stops Ganache mid-run, keeps submitting (the oracle keeps accepting), restarts Ganache with the
same state, and every purchase ends minted exactly once."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest
from eth_account import Account
from web3 import Web3

from blackgold.paths import PROJECT_ROOT
from oracle.chain import Chain, load_abi
from oracle.client import OracleClient
from oracle.config import Settings
from oracle.process import OracleProcess, clean_env, free_port, wait_port_closed
from tests.oracle.conftest import random_address, write_deployment_file

GANACHE = PROJECT_ROOT / "node_modules" / ".bin" / "ganache"
MNEMONIC = "test test test test test test test test test test test junk"


class Ganache:
    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.db = workdir / "ganache-db"
        self.db.mkdir()
        self.log = workdir / "ganache.log"
        self.proc = None

    def start(self) -> None:
        cmd = [
            str(GANACHE),
            "--server.host",
            "127.0.0.1",
            "--server.port",
            str(self.port),
            "--chain.hardfork",
            "shanghai",
            "--chain.chainId",
            "1337",
            "--wallet.mnemonic",
            MNEMONIC,
            "--wallet.totalAccounts",
            "2",
            "--database.dbPath",
            str(self.db),
            "--miner.blockGasLimit",
            "30000000",
            "--chain.vmErrorsOnRPCResponse",
            "true",
        ]
        with open(self.log, "a") as log:
            self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        w3 = Web3(Web3.HTTPProvider(self.url))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                w3.eth.block_number
                return
            except Exception:
                if self.proc.poll() is not None:
                    raise RuntimeError(self.log.read_text()[-3000:])
                time.sleep(0.2)
        raise RuntimeError("ganache did not start")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)  # graceful: the database is closed cleanly
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        wait_port_closed(self.port)


def _artifact(name: str) -> dict:
    return json.loads((PROJECT_ROOT / "build" / "contracts" / f"{name}.json").read_text())


def _deploy(w3: Web3, name: str, sender: str, *args):
    art = _artifact(name)
    tx = w3.eth.contract(abi=art["abi"], bytecode=art["bytecode"]).constructor(*args).transact({"from": sender})
    receipt = w3.eth.wait_for_transaction_receipt(tx)
    return w3.eth.contract(address=receipt.contractAddress, abi=art["abi"]), receipt.blockNumber


@pytest.fixture
def ganache(tmp_path):
    if not GANACHE.exists():
        pytest.skip("node_modules/.bin/ganache missing: run `make setup`")
    g = Ganache(tmp_path)
    g.start()
    yield g
    g.stop()


def test_chain_outage_keeps_accepting_and_catches_up(ganache, tmp_path):
    w3 = Web3(Web3.HTTPProvider(ganache.url))
    admin = w3.eth.accounts[0]
    token, _ = _deploy(w3, "BlackGold", admin, 10**9 * 10**18, admin)
    mining, block = _deploy(
        w3,
        "PurchaseMining",
        admin,
        token.address,
        admin,
        admin,
        10**16,
        10**9 * 10**18,
        5000,
        2000,
        2000,
        1000,
        4000,
        10**27,
    )
    oracle_key = Account.create()
    w3.eth.wait_for_transaction_receipt(
        token.functions.grantRole(token.functions.MINTER_ROLE().call(), mining.address).transact({"from": admin})
    )
    w3.eth.wait_for_transaction_receipt(
        mining.functions.grantRole(mining.functions.ORACLE_ROLE().call(), oracle_key.address).transact({"from": admin})
    )
    w3.eth.wait_for_transaction_receipt(
        w3.eth.send_transaction({"from": admin, "to": oracle_key.address, "value": 10 * 10**18})
    )
    deployment = write_deployment_file(tmp_path / "outage.json", 1337, token.address, mining.address, block)

    env = clean_env(
        ORACLE_DATABASE_URL=f"sqlite:///{tmp_path}/oracle.db",
        ORACLE_RPC_URL=ganache.url,
        ORACLE_DEPLOYMENT_FILE=deployment,
        ORACLE_PRIVATE_KEY="0x" + oracle_key.key.hex(),
        ORACLE_BATCH_WAIT_SECONDS=0.2,
        ORACLE_POLL_INTERVAL_SECONDS=0.05,
        ORACLE_BATCH_SIZE=4,
        ORACLE_BACKOFF_INITIAL_SECONDS=0.2,
        ORACLE_BACKOFF_MAX_SECONDS=1,
        ORACLE_RPC_TIMEOUT_SECONDS=3,
    )
    proc = OracleProcess(env, tmp_path)
    shop = Account.create()
    proc.cli("backend", "add", "outage-shop", shop.address)
    proc.start()
    try:
        client = OracleClient(proc.url, "outage-shop", shop.key)
        first = [client.submit_purchase(f"before-{i}", random_address(), random_address(), 100 + i) for i in range(4)]
        for rec in first:
            client.wait_for(rec["ref"], "minted", timeout=30)

        ganache.stop()  # --- the chain goes away
        during = [client.submit_purchase(f"during-{i}", random_address(), random_address(), 200 + i) for i in range(8)]
        assert all(r["status"] in ("accepted", "queued") for r in during)  # still accepted and stored
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            metrics = httpx.get(proc.url + "/metrics").text
            if "oracle_rpc_errors_total 0.0" not in metrics and "oracle_chain_up 0.0" in metrics:
                break
            time.sleep(0.2)
        else:
            raise AssertionError("the batcher did not notice the outage")
        health = httpx.get(proc.url + "/health").json()
        assert health["status"] == "degraded" and not health["chain"]["ok"] and health["backlog"]["total"] >= 8
        more = [client.submit_purchase(f"during2-{i}", random_address(), random_address(), 300 + i) for i in range(3)]
        assert all(client.status(r["ref"])["status"] != "minted" for r in during + more)

        ganache.start()  # --- the chain is back, with the same state
        everything = first + during + more
        for rec in everything:
            client.wait_for(rec["ref"], "minted", timeout=60)
        chain = Chain(
            ganache.url, mining.address, load_abi(Settings.load(env={}, deployment_file=str(deployment))), from_block=0
        )
        counts = chain.count_mined_events([r["ref"] for r in everything])
        assert set(counts.values()) == {1}, counts
        for rec in everything:
            got = client.status(rec["ref"])
            assert token.functions.balanceOf(got["consumer"]).call() == int(got["grams"]["consumer"]) > 0
        assert httpx.get(proc.url + "/health").json()["status"] == "ok"
    finally:
        proc.stop()

"""Stuck transactions are replaced with bumped EIP-1559 fees (issue 14), on anvil: Ganache 7 has no faithful
transaction pool (it executes a same-nonce replacement *and* the original), anvil replaces like geth does
(+10% on both fees, "replacement transaction underpriced" otherwise). Automine is switched off so the batch stays
pending; the in-process batcher is driven step by step (no threads), so each send happens inside `step()`."""

from __future__ import annotations

import shutil
import subprocess
import time

import pytest
from fastapi.testclient import TestClient
from web3 import Web3

from oracle.api import create_app
from oracle.client import OracleClient
from oracle.config import SigningKey
from oracle.models import Batch
from oracle.process import PROJECT_ROOT, free_port
from oracle.status import BatchStatus, PurchaseStatus
from tests.oracle.conftest import ADMIN_TOKEN, random_address, write_deployment_file

ANVIL = PROJECT_ROOT / "node_modules" / ".bin" / "anvil"
ANVIL_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"  # anvil's dev account 0


@pytest.fixture(scope="module")
def anvil():
    if not ANVIL.exists() and shutil.which("anvil") is None:
        pytest.skip("anvil is installed by `make setup` (npm @foundry-rs/anvil)")
    port = free_port()
    proc = subprocess.Popen(
        [str(ANVIL), "--port", str(port), "--hardfork", "shanghai", "--gas-limit", "30000000", "--silent"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    w3 = Web3(Web3.HTTPProvider(f"http://127.0.0.1:{port}"))
    deadline = time.monotonic() + 30
    while not w3.is_connected():
        assert time.monotonic() < deadline, "anvil did not start"
        time.sleep(0.1)
    yield w3
    proc.terminate()
    proc.wait(10)


def _deploy(w3: Web3, container, *args) -> str:
    factory = w3.eth.contract(abi=container.abi, bytecode=container.bytecode)
    receipt = w3.eth.wait_for_transaction_receipt(factory.constructor(*args).transact({"from": w3.eth.accounts[0]}))
    return str(receipt["contractAddress"])


@pytest.fixture(scope="module")
def anvil_system(anvil, tmp_path_factory):
    """BlackGold + PurchaseMining on anvil, deployed with web3.py from Brownie's build artifacts; anvil's dev
    account 0 administers and is the oracle."""
    from brownie import BlackGold, PurchaseMining

    from scripts.deploy import MiningSettings

    admin = anvil.eth.accounts[0]
    s = MiningSettings(platform=anvil.eth.accounts[5], daily_ceiling_wei=10**27)
    token = _deploy(anvil, BlackGold, 10**27, admin)
    mining = _deploy(anvil, PurchaseMining, *s.constructor_args(token, admin, admin))
    t = anvil.eth.contract(address=token, abi=BlackGold.abi)
    m = anvil.eth.contract(address=mining, abi=PurchaseMining.abi)
    anvil.eth.wait_for_transaction_receipt(
        t.functions.grantRole(t.functions.MINTER_ROLE().call(), mining).transact({"from": admin})
    )
    anvil.eth.wait_for_transaction_receipt(
        m.functions.grantRole(m.functions.ORACLE_ROLE().call(), admin).transact({"from": admin})
    )
    folder = tmp_path_factory.mktemp("anvil-deployment")
    return write_deployment_file(folder / "anvil.json", anvil.eth.chain_id, token, mining, anvil.eth.block_number)


@pytest.fixture
def oracle_on_anvil(anvil, anvil_system, tmp_path, backend_keys):
    from oracle.config import Settings

    settings = Settings.load(
        env={},
        database_url=f"sqlite:///{tmp_path}/oracle.db",
        rpc_url=anvil.provider.endpoint_uri,
        deployment_file=str(anvil_system),
        admin_token=ADMIN_TOKEN,
        batch_wait_seconds=0,
        batch_size=3,
        replace_after_seconds=0.2,
        backend_cache_seconds=0,
    )
    app = create_app(settings, SigningKey(bytes.fromhex(ANVIL_KEY[2:])), start_background=False)
    orc = app.state.oracle
    orc.watcher.refresh()
    orc.store.add_backend("shop-1", backend_keys["shop-1"].address)
    with TestClient(app) as tc:
        client = OracleClient("http://t", "shop-1", backend_keys["shop-1"].key, http=tc, retries=0)
        anvil.provider.make_request("evm_setAutomine", [False])
        try:
            yield orc, client
        finally:
            anvil.provider.make_request("evm_setAutomine", [True])
            orc.store.close()


def _submit(client, tag: str) -> list[str]:
    return [client.submit_purchase(f"{tag}-{i}", random_address(), random_address(), 900 + i)["ref"] for i in range(3)]


def _step_until(orc, condition, what: str, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        assert time.monotonic() < deadline, what
        orc.batcher.step()
        time.sleep(0.05)
    return value


def _batch(orc) -> Batch:
    batch = orc.store.last_batch()
    assert batch is not None
    return batch


def test_a_stuck_batch_is_replaced_with_bumped_fees_and_minted_once(anvil, oracle_on_anvil):
    orc, client = oracle_on_anvil
    refs = _submit(client, "bump")
    _step_until(orc, lambda: orc.store.last_batch() is not None, "no batch was made")
    first = _batch(orc)
    assert anvil.eth.get_transaction(first.tx_hash)["blockNumber"] is None  # pending: automine is off
    replaced = _step_until(orc, lambda: _batch(orc).prior_tx_hashes, "the stuck batch was not replaced")
    now = _batch(orc)
    assert first.tx_hash in replaced.split(",") and now.tx_hash != first.tx_hash and now.nonce == first.nonce
    assert int(now.max_fee_per_gas) >= int(first.max_fee_per_gas) * 1.125
    assert int(now.max_priority_fee_per_gas) >= int(first.max_priority_fee_per_gas) * 1.125
    anvil.provider.make_request("evm_mine", [])
    _step_until(orc, lambda: _batch(orc).status == BatchStatus.CONFIRMED, "the replacement was not recorded")
    mined = _batch(orc).tx_hash
    assert mined in {now.tx_hash, *replaced.split(",")} and anvil.eth.get_transaction_receipt(mined)["status"] == 1
    chain = orc.batcher.chain
    assert set(chain.count_mined_events(refs).values()) == {1}
    for ref in refs:
        assert orc.store.get(ref).status == PurchaseStatus.MINTED and orc.store.get(ref).tx_hash == mined


def test_the_predecessor_mined_instead_of_the_replacement_is_recorded(anvil, oracle_on_anvil, monkeypatch):
    """A crash between writing the replacement ahead and broadcasting it: the old transaction is the one mined."""
    orc, client = oracle_on_anvil
    refs = _submit(client, "predecessor")
    _step_until(orc, lambda: orc.store.last_batch() is not None and _batch(orc).status == BatchStatus.SENT, "not sent")
    first = _batch(orc)
    sent = orc.batcher.sender.submit
    monkeypatch.setattr(orc.batcher.sender, "submit", lambda batch: None)  # the replacement never leaves
    _step_until(orc, lambda: _batch(orc).prior_tx_hashes, "the stuck batch was not replaced")
    monkeypatch.setattr(orc.batcher.sender, "submit", sent)
    anvil.provider.make_request("evm_mine", [])  # mines the predecessor, still in anvil's pool
    _step_until(orc, lambda: _batch(orc).status == BatchStatus.CONFIRMED, "the predecessor was not recorded")
    assert _batch(orc).tx_hash == first.tx_hash
    assert set(orc.batcher.chain.count_mined_events(refs).values()) == {1}
    assert {orc.store.get(ref).tx_hash for ref in refs} == {first.tx_hash}

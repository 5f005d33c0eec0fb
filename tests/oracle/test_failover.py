"""Work sharing and failover (issue 14): two API processes and two batchers, each with its own key holding
ORACLE_ROLE, share one PostgreSQL store; 3,000 purchases; one batcher is SIGKILLed mid-run. Every purchase is minted
exactly once, and no batch carries a purchase a rival batch minted first (no `PurchaseSkipped` at all): the batchers
claim disjoint purchases (`FOR UPDATE SKIP LOCKED`), and the survivor finishes the dead key's open batches once its
lease expires."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from eth_account import Account
from sqlalchemy import func, select

from oracle.chain import Chain, load_abi
from oracle.client import OracleClient
from oracle.config import Settings
from oracle.models import Batch, Purchase
from oracle.process import OracleProcess
from oracle.status import PurchaseStatus
from oracle.store import Store
from tests.oracle.conftest import random_address

N = 3000
LEASE_SECONDS = 3


def _count(db_url: str, *where) -> int:
    store = Store(db_url)
    with store.sessions() as s:
        n = int(s.scalar(select(func.count()).select_from(Purchase).where(*where)) or 0)
    store.close()
    return n


def _wait(condition, what: str, timeout: float):
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        assert time.monotonic() < deadline, what
        time.sleep(0.25)
    return value


@pytest.fixture
def second_key(chain_env, accounts):
    """A second oracle key with ORACLE_ROLE, funded."""
    from scripts.deploy import add_oracle

    key = accounts.add()
    accounts[9].transfer(key, 20 * 10**18)  # accounts[0] funds every module's oracle key
    add_oracle(chain_env.mining, key, chain_env.governance)
    return key


def test_two_batchers_share_the_work_and_survive_a_sigkill(chain_env, second_key, fresh_postgres_url, tmp_path):
    from brownie import web3

    start_block = web3.eth.block_number
    db = fresh_postgres_url
    common = dict(ORACLE_LEASE_SECONDS=LEASE_SECONDS, ORACLE_BATCH_SIZE=100, ORACLE_BATCH_WAIT_SECONDS=0.5)
    apis = [
        OracleProcess(
            chain_env.oracle_env(db, ORACLE_BATCHER_ENABLED=0, **common), tmp_path, log_path=tmp_path / f"api{i}.log"
        )
        for i in range(2)
    ]
    keys = {"a": chain_env.private_key, "b": second_key.private_key}
    batchers = {
        name: OracleProcess(
            chain_env.oracle_env(db, ORACLE_PRIVATE_KEY=key, **common),
            tmp_path,
            log_path=tmp_path / f"batcher-{name}.log",
        )
        for name, key in keys.items()
    }
    shop = Account.create()
    apis[0].cli("backend", "add", "failover-shop", shop.address)
    try:
        for proc in [*apis, *batchers.values()]:
            proc.start()
        clients = [OracleClient(api.url, "failover-shop", shop.key) for api in apis]

        def submit(i: int) -> str:
            return clients[i % 2].submit_purchase(f"fo-{i}", random_address(), random_address(), 1_000 + i)["ref"]

        with ThreadPoolExecutor(8) as pool:
            first = list(pool.map(submit, range(N // 2)))
            minted = PurchaseStatus.MINTED
            _wait(lambda: _count(db, Purchase.status == minted) >= 300, "nothing minted", timeout=300)
            batchers["a"].proc.kill()  # SIGKILL mid-run: no lease release, batches possibly in flight
            batchers["a"].proc.wait(10)
            refs = first + list(pool.map(submit, range(N // 2, N)))
        _wait(lambda: _count(db, Purchase.status == minted) == N, "not every purchase was minted", timeout=600)

        chain = Chain(
            chain_env.rpc_url,
            chain_env.mining.address,
            load_abi(Settings.load(env={}, deployment_file=str(chain_env.deployment_file))),
        )
        counts = chain.count_mined_events(refs)
        assert len(counts) == N and set(counts.values()) == {1}  # every purchase minted exactly once on chain
        skipped = chain.contract.events.PurchaseSkipped.get_logs(from_block=start_block, to_block="latest")
        assert len(skipped) == 0  # no batch carried a purchase a rival batch had minted
        store = Store(db)
        with store.sessions() as s:
            signers = set(s.scalars(select(Batch.signer).where(Batch.status == "confirmed")))
            open_left = s.scalar(select(func.count()).select_from(Batch).where(Batch.status.in_(("signed", "sent"))))
            recorded = dict(s.execute(select(Purchase.ref, Purchase.tx_hash)).all())
        store.close()
        assert signers == {chain_env.oracle_account.address, second_key.address}  # both keys did work
        assert open_left == 0
        assert set(recorded) == set(refs) and all(recorded.values())
    finally:
        for proc in [*batchers.values(), *apis]:
            proc.stop()

"""Crash recovery: the oracle process kills itself with SIGKILL at each stage of a batch (started through the
test-only launcher tests/oracle/crashing_oracle.py), is restarted as the real `python -m oracle`, and every
accepted purchase ends minted exactly once."""

from __future__ import annotations

import json
import signal

import pytest
from eth_account import Account

from oracle.chain import Chain, load_abi
from oracle.client import OracleClient
from oracle.config import Settings
from oracle.process import OracleProcess
from oracle.status import BatchStatus, PurchaseStatus
from oracle.store import Store
from tests.oracle.conftest import random_address
from tests.oracle.crashing_oracle import CRASH_ENV

B_SIGNED, B_SENT, B_CONFIRMED = BatchStatus.SIGNED, BatchStatus.SENT, BatchStatus.CONFIRMED
SUBMITTED, MINTED = PurchaseStatus.SUBMITTED, PurchaseStatus.MINTED

N = 6

# stage -> (batch status, purchase status, transaction on chain?) found in the store after the crash
AFTER_CRASH = {
    "before_send": (B_SIGNED, SUBMITTED, False),
    "after_send": (B_SENT, SUBMITTED, True),
    "after_receipt": (B_SENT, SUBMITTED, True),
    "after_record": (B_CONFIRMED, MINTED, True),
}


@pytest.mark.parametrize("stage", list(AFTER_CRASH))
def test_sigkill_at_each_stage_then_exactly_once(chain_env, tmp_path, stage):
    db_url = f"sqlite:///{tmp_path}/oracle.db"
    # one batch of all N purchases: it starts only when the N-th is queued, after every answer was sent
    proc = OracleProcess(chain_env.oracle_env(db_url, ORACLE_BATCH_SIZE=N, ORACLE_BATCH_WAIT_SECONDS=60), tmp_path)
    key = Account.create()
    proc.cli("backend", "add", "crash-shop", key.address)
    proc.start(module="tests.oracle.crashing_oracle", **{CRASH_ENV: stage})
    try:
        client = OracleClient(proc.url, "crash-shop", key.key)
        expected = {}
        for i in range(N):
            consumer, supplier, referrer = random_address(), random_address(), random_address()
            amount = 1000 + i
            rec = client.submit_purchase(f"{stage}-{i}", consumer, supplier, amount, referrer=referrer)
            expected[rec["ref"]] = (consumer, supplier, referrer, chain_env.expected_grams(amount, referrer, 0))
        assert proc.wait_exit(60) == -signal.SIGKILL, proc.log()

        chain = Chain(
            chain_env.rpc_url,
            chain_env.mining.address,
            load_abi(Settings.load(env={}, deployment_file=str(chain_env.deployment_file))),
        )
        store = Store(db_url)
        batch_status, purchase_status, on_chain = AFTER_CRASH[stage]
        batch = store.last_batch()
        assert batch.status == batch_status and batch.size == N
        assert {store.get(ref).status for ref in expected} == {purchase_status}
        assert (chain.receipt(batch.tx_hash) is not None) == on_chain
        assert all(chain.is_mined(ref) == on_chain for ref in expected)
        store.close()

        if stage == "after_receipt":  # the CLI can finish the batch too, before the restart
            out = json.loads(proc.cli("reconcile").stdout.strip().splitlines()[-1])
            assert out["batches_finished"] == 1

        proc.start()  # the real `python -m oracle`: recovers, then carries on
        for ref in expected:
            client.wait_for(ref, "minted", timeout=60)
        counts = chain.count_mined_events(list(expected))
        assert set(counts.values()) == {1}, counts
        for ref, (consumer, supplier, referrer, grams) in expected.items():
            rec = client.status(ref)
            assert rec["txHash"] == batch.tx_hash == chain.find_mined(ref).tx_hash
            assert int(rec["grams"]["consumer"]) == grams[0] == chain_env.token.balanceOf(consumer)
            assert int(rec["grams"]["supplier"]) == grams[2] == chain_env.token.balanceOf(supplier)
            assert int(rec["grams"]["referrer"]) == grams[1] == chain_env.token.balanceOf(referrer)
        store = Store(db_url)
        assert store.open_batch() is None and store.counts()[MINTED] == N
        assert [b.status for b in [store.last_batch()]] == [B_CONFIRMED]
        store.close()
    finally:
        proc.stop()

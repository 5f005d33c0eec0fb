"""The batcher in process against PurchaseMining on Ganache: grams recorded per role, the daily ceiling
holds purchases back (none dropped), the chain's per-purchase refusals, pause, a dropped nonce and
reconciliation after restoring an old database."""

from __future__ import annotations

import shutil
import time

import pytest
from brownie import accounts as brownie_accounts
from brownie import chain as brownie_chain

from oracle.batcher import Hold
from oracle.receipts import ZERO_ADDRESS
from oracle.status import BatchStatus, PurchaseStatus
from tests.oracle.conftest import drain, random_address


@pytest.fixture
def oracle(chain_oracle):
    return chain_oracle()


def submit_many(client, n, prefix, amount=1000, **kw):
    recs = []
    for i in range(n):
        recs.append(client.submit_purchase(f"{prefix}-{i}", random_address(), random_address(), amount + i, **kw))
    return recs


def test_batch_records_grams_per_role(chain_env, oracle):
    orc, c = oracle
    specs = [(random_address(), 0), (ZERO_ADDRESS, 0), (random_address(), 3000), (random_address(), 0)]
    expected, recs = {}, []
    for i, (ref_addr, bps) in enumerate(specs):
        rec = c["shop-1"].submit_purchase(
            f"g-{i}", random_address(), random_address(), 10_000 + i, referrer=ref_addr, referrer_bps=bps
        )
        expected[rec["ref"]] = chain_env.expected_grams(10_000 + i, ref_addr, bps)
        recs.append(rec)
    drain(orc)
    for rec in recs:
        got = c["shop-1"].status(rec["ref"])
        assert got["status"] == PurchaseStatus.MINTED and got["txHash"] and got["blockNumber"]
        g = got["grams"]
        assert (int(g["consumer"]), int(g["referrer"]), int(g["supplier"]), int(g["platform"])) == expected[rec["ref"]]
        assert chain_env.token.balanceOf(got["consumer"]) == int(g["consumer"])
        assert chain_env.token.balanceOf(got["supplier"]) == int(g["supplier"])
        assert chain_env.mining.isMined(rec["ref"])
    assert chain_env.expected_grams(10_001, ZERO_ADDRESS, 0)[1] == 0


def test_daily_ceiling_holds_then_catches_up(chain_env, oracle):
    orc, c = oracle
    one = sum(chain_env.expected_grams(1000, ZERO_ADDRESS, 0))
    mining, gov = chain_env.mining, chain_env.governance
    mining.setDailyCeiling(int(one * 2.5), {"from": gov})  # room for two of these purchases
    try:
        recs = submit_many(c["shop-2"], 5, "ceil", amount=1000, referrer=ZERO_ADDRESS)
        with pytest.raises(Hold):
            drain(orc)
        statuses = [c["shop-2"].status(r["ref"]) for r in recs]
        minted = [s for s in statuses if s["status"] == PurchaseStatus.MINTED]
        waiting = [s for s in statuses if s["status"] == PurchaseStatus.QUEUED]
        assert len(minted) == 2 and len(waiting) == 3
        assert all("daily ceiling" in s["lastError"] for s in waiting)
        assert "oracle_daily_ceiling_holds_total 1.0" in orc.metrics.render().decode()
        assert orc.batcher.tick() > 0  # the loop holds too, and /health says why and for how long
        status, health = orc.health()
        (wait,) = [r for r in health["reasons"] if r["code"] == "ceiling_wait"]
        assert status == 200 and health["status"] == "degraded" and wait["expected_wait_seconds"] > 0
    finally:
        mining.setDailyCeiling(10**27, {"from": gov})
    time.sleep(1.1)  # the bucket refills at the new rate; Ganache only moves time with new blocks
    brownie_chain.mine()
    drain(orc)
    assert all(c["shop-2"].status(r["ref"])["status"] == PurchaseStatus.MINTED for r in recs)


def test_chain_refusal_rejects_only_that_purchase(chain_env, oracle):
    orc, c = oracle
    before = [
        c["shop-1"].submit_purchase(
            "rb-0", random_address(), random_address(), 500, referrer=random_address(), referrer_bps=3500
        )
    ]
    before += submit_many(c["shop-1"], 2, "rb-ok")
    chain_env.mining.setMaxReferrerBps(1000, {"from": chain_env.governance})  # governance lowered the bound
    try:
        drain(orc)
    finally:
        chain_env.mining.setMaxReferrerBps(4000, {"from": chain_env.governance})
    bad = c["shop-1"].status(before[0]["ref"])
    assert (
        bad["status"] == PurchaseStatus.REJECTED
        and "ReferrerBpsTooHigh" in bad["reason"]
        and bad["timestamps"]["rejected"]
    )
    assert all(c["shop-1"].status(r["ref"])["status"] == PurchaseStatus.MINTED for r in before[1:])
    assert not chain_env.mining.isMined(before[0]["ref"])


def test_paused_mining_holds(chain_env, oracle):
    orc, c = oracle
    chain_env.mining.pause({"from": chain_env.governance})
    try:
        recs = submit_many(c["shop-3"], 2, "paused")
        with pytest.raises(Hold):
            drain(orc)
        assert all(c["shop-3"].status(r["ref"])["status"] == PurchaseStatus.QUEUED for r in recs)
        assert "EnforcedPause" in c["shop-3"].status(recs[0]["ref"])["lastError"]
    finally:
        chain_env.mining.unpause({"from": chain_env.governance})
    drain(orc)
    assert all(c["shop-3"].status(r["ref"])["status"] == PurchaseStatus.MINTED for r in recs)


def test_nonce_taken_by_another_transaction(chain_env, oracle):
    """A batch recorded (write-ahead) but never sent, whose nonce another transaction then used: it can
    never be mined, so its purchases are requeued and minted by the next batch."""
    orc, c = oracle
    recs = submit_many(c["shop-1"], 2, "drop")
    orc.store.promote()
    b = orc.batcher
    queued = orc.store.queued(10)
    gas = b.chain.estimate_batch(queued)
    signed = b.chain.sign_batch(queued, b.chain.nonce(), gas * 2, *b.chain.fees(10**9, 500 * 10**9))
    batch = orc.store.create_batch(
        [p.id for p in queued],
        nonce=signed.nonce,
        tx_hash=signed.tx_hash,
        raw_tx=signed.raw_tx,
        gas=gas * 2,
        max_fee_per_gas=1,
        max_priority_fee_per_gas=1,
    )
    oracle_acct = brownie_accounts.at(chain_env.oracle_account.address, force=True)
    oracle_acct.transfer(chain_env.platform, 0)  # uses the nonce
    drain(orc)
    assert orc.store.get_batch(batch.id).status == BatchStatus.DROPPED
    for r in recs:
        got = c["shop-1"].status(r["ref"])
        assert got["status"] == PurchaseStatus.MINTED and got["txHash"] != signed.tx_hash


def test_reconcile_after_restoring_an_old_database(chain_env, oracle, tmp_path):
    orc, c = oracle
    rec = c["shop-2"].submit_purchase("restore", random_address(), random_address(), 777)
    orc.store.promote()
    db = tmp_path / "oracle.db"
    backup = tmp_path / "backup.db"
    orc.store.engine.dispose()
    with orc.store.engine.connect() as conn:  # consistent copy of the WAL database
        conn.exec_driver_sql(f"VACUUM INTO '{backup}'")
    drain(orc)
    minted = c["shop-2"].status(rec["ref"])
    assert minted["status"] == PurchaseStatus.MINTED
    orc.store.engine.dispose()
    for suffix in ("-wal", "-shm"):
        (tmp_path / f"oracle.db{suffix}").unlink(missing_ok=True)
    shutil.copy(backup, db)
    assert c["shop-2"].status(rec["ref"])["status"] == PurchaseStatus.QUEUED  # the restored store forgot the mint
    result = orc.batcher.reconcile()
    assert result["found_minted"] == 1
    again = c["shop-2"].status(rec["ref"])
    assert (
        again["status"] == PurchaseStatus.MINTED
        and again["txHash"] == minted["txHash"]
        and again["grams"] == minted["grams"]
    )
    assert chain_env.mining.isMined(rec["ref"])


def test_mined_batches_waiting_for_confirmations_leave_the_window_free(chain_oracle):
    """max_inflight counts batches not yet mined: with 3 confirmations and a window of 1, a second batch is sent
    while the first still gathers its confirmations (on a chain with many confirmations, the window would
    otherwise hold one batch per confirmation period)."""
    orc, c = chain_oracle("window.db", confirmations=3, max_inflight=1, batch_size=2)
    recs = submit_many(c["shop-1"], 4, "window")
    orc.store.promote()
    for _ in range(6):  # send, see it mined (1 confirmation of 3), send the next, see it mined
        orc.batcher.step()
    open_batches = orc.store.open_batches(orc.batcher.signer)
    assert len(open_batches) == 2 and all(b.mined_at is not None for b in open_batches)
    assert all(c["shop-1"].status(r["ref"])["status"] == PurchaseStatus.SUBMITTED for r in recs)
    brownie_chain.mine(3)
    drain(orc)
    assert all(c["shop-1"].status(r["ref"])["status"] == PurchaseStatus.MINTED for r in recs)

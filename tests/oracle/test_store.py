"""The store, against SQLite and a real PostgreSQL server: durability, idempotency, conflicts, refunds,
settlement, the write-ahead batch record and its closing."""

from __future__ import annotations

import asyncio
import io
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from eth_account import Account

from oracle.export import export_csv
from oracle.models import MintedFacts
from oracle.receipts import Domain, Receipt, Refund
from oracle.status import BatchStatus, PurchaseStatus
from oracle.store import Conflict, NotFound, Store
from oracle.verification import VerifiedPurchase, VerifiedRefund

DOMAIN = Domain(chain_id=1337, verifying_contract="0x" + "42" * 20)
NOW = 1_700_000_000.0
C, S, R = (Account.create().address for _ in range(3))


def vp(order_id="A-1", backend="shop-1", amount=100, paid_at=int(NOW) - 5, **kw) -> VerifiedPurchase:
    r = Receipt(
        backend=backend,
        order_id=order_id,
        consumer=C,
        referrer=kw.get("referrer", R),
        supplier=S,
        amount=amount,
        currency="CNY",
        paid_at=paid_at,
        referrer_bps=kw.get("bps", 0),
    )
    return VerifiedPurchase(
        receipt=r, signature="0x" + "ab" * 65, digest="0x" + r.digest(DOMAIN).hex(), ref=r.order_ref
    )


def vr(ref, backend="shop-1", reason="returned") -> VerifiedRefund:
    return VerifiedRefund(
        refund=Refund(backend=backend, order_ref=ref, reason=reason, refunded_at=int(NOW)), signature="0x" + "cd" * 65
    )


@pytest.fixture
def store(store_url):
    s = Store(store_url)
    yield s
    s.close()


def test_accept_is_durable_and_idempotent(store, store_url):
    rec, created = store.accept(vp(), settlement_seconds=0, now=NOW)
    assert created and rec.status == PurchaseStatus.ACCEPTED and rec.accepted_at == NOW
    again, created2 = store.accept(vp(), settlement_seconds=0, now=NOW + 1)
    assert not created2 and again.id == rec.id and again.accepted_at == NOW
    reopened = Store(store_url)  # another connection / process sees the committed row
    assert reopened.get(rec.ref).to_dict() == rec.to_dict()
    reopened.close()


def test_same_ref_different_content_conflicts(store):
    rec, _ = store.accept(vp(amount=100), 0, now=NOW)
    with pytest.raises(Conflict) as info:
        store.accept(vp(amount=101), 0, now=NOW)
    assert info.value.record.id == rec.id
    assert store.counts()[PurchaseStatus.ACCEPTED] == 1


def test_concurrent_duplicates_create_one_record(store):
    results, errors = [], []

    def submit():
        try:
            results.append(store.accept(vp("race"), 0)[1])
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=submit) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and sorted(results) == [False] * 7 + [True]


def test_one_group_is_one_statement_answering_each_row(store):
    """The writer inserts a group with one statement: the first copy of a reference gets its new id; a later copy
    in the same group and a reference stored before get None (then the caller reads the stored record)."""
    old, _ = store.accept(vp("old"), 0, now=NOW)
    rows = [store._row(vp(order), 0, NOW) for order in ("g1", "old", "g2", "g1")]
    ids = store._writer()._insert(rows)
    assert ids[1] is None and ids[3] is None and None not in (ids[0], ids[2]) and ids[0] != ids[2]
    assert store.get(rows[0]["ref"]).id == ids[0] and store.get(rows[2]["ref"]).id == ids[2]
    assert store.get(old.ref).id == old.id and store.counts()[PurchaseStatus.ACCEPTED] == 3


def test_accept_async_answers_each_caller_after_its_commit(store):
    """Many awaits at once (one or a few groups): one record per reference, duplicates answered with the stored
    record, a different content with Conflict; what was answered is what another connection reads."""

    async def submit_all():
        calls = [store.accept_async(vp(f"a{i % 5}"), 0, now=NOW) for i in range(20)]
        calls.append(store.accept_async(vp("a0", amount=999), 0, now=NOW))
        return await asyncio.gather(*calls, return_exceptions=True)

    # A thread of its own: Playwright's sync API (tests/browser, earlier in the suite) leaves an event loop running
    # in the main thread, where asyncio.run refuses to start another.
    with ThreadPoolExecutor(1) as pool:
        *answers, conflict = pool.submit(asyncio.run, submit_all()).result()
    assert isinstance(conflict, Conflict)
    assert sorted(created for _, created in answers) == [False] * 15 + [True] * 5
    for record, _ in answers:
        assert store.get(record["ref"]).to_dict() == record


def test_settlement_window_and_promotion(store):
    store.accept(vp("now"), settlement_seconds=0, now=NOW)
    store.accept(vp("later"), settlement_seconds=3600, now=NOW)
    store.promote(now=NOW)
    assert store.get(vp("now").ref).status == PurchaseStatus.QUEUED
    later = store.get(vp("later").ref)
    assert later.status == PurchaseStatus.SETTLING and later.settling_at == NOW
    store.promote(now=NOW + 3600)
    later = store.get(vp("later").ref)
    assert later.status == PurchaseStatus.QUEUED and later.queued_at == NOW + 3600
    assert [p.ref for p in store.queued(10)] == [vp("now").ref, vp("later").ref]


def test_refund_before_minting_only(store):
    ref = vp("r1").ref
    store.accept(vp("r1"), 3600, now=NOW)
    store.promote(now=NOW)
    with pytest.raises(NotFound):
        store.refund(vr(ref, backend="shop-2"))  # another backend cannot see or refund it
    rec, changed = store.refund(vr(ref), now=NOW + 5)
    assert changed and rec.status == PurchaseStatus.REFUNDED and rec.refunded_at == NOW + 5 and "returned" in rec.reason
    rec2, changed2 = store.refund(vr(ref), now=NOW + 6)  # idempotent
    assert not changed2 and rec2.refunded_at == NOW + 5
    with pytest.raises(NotFound):
        store.refund(vr("0x" + "99" * 32))
    store.promote(now=NOW + 7200)
    assert store.get(ref).status == PurchaseStatus.REFUNDED  # a refunded purchase never becomes mintable


def test_write_ahead_batch_then_confirm(store):
    for i in range(3):
        store.accept(vp(f"b{i}"), 0, now=NOW)
    store.promote(now=NOW)
    queued = store.queued(10)
    batch = store.create_batch(
        [p.id for p in queued],
        nonce=7,
        tx_hash="0x" + "11" * 32,
        raw_tx="0xdead",
        gas=1,
        max_fee_per_gas=2,
        max_priority_fee_per_gas=1,
        now=NOW + 1,
    )
    assert batch is not None and store.open_batch().id == batch.id
    assert {p.status for p in store.batch_purchases(batch.id)} == {PurchaseStatus.SUBMITTED}
    with pytest.raises(Conflict):
        store.refund(vr(queued[0].ref))  # too late: it may be on chain
    facts = MintedFacts(
        tx_hash="0x" + "11" * 32,
        block_number=9,
        consumer_grams=5 * 10**40,
        referrer_grams=2,
        supplier_grams=3,
        platform_grams=4,
        rate=10**16,
    )
    store.close_batch(
        batch.id,
        BatchStatus.CONFIRMED,
        minted={queued[0].ref: facts, queued[1].ref: facts},
        requeue=[p.ref for p in queued],
        block_number=9,
        gas_used=100,
    )
    assert store.open_batch() is None
    minted = store.get(queued[0].ref)
    assert minted.status == PurchaseStatus.MINTED and minted.consumer_grams == str(5 * 10**40)  # uint256 survives
    assert minted.to_dict()["grams"]["platform"] == "4"
    back = store.get(queued[2].ref)
    assert back.status == PurchaseStatus.QUEUED and back.batch_id is None and back.tx_hash is None


def test_write_ahead_refuses_when_a_purchase_left_the_queue(store):
    for i in range(2):
        store.accept(vp(f"w{i}"), 0, now=NOW)
    store.promote(now=NOW)
    queued = store.queued(10)
    store.refund(vr(queued[1].ref))
    assert (
        store.create_batch(
            [p.id for p in queued],
            nonce=1,
            tx_hash="0x" + "22" * 32,
            raw_tx="0x",
            gas=1,
            max_fee_per_gas=1,
            max_priority_fee_per_gas=1,
        )
        is None
    )
    assert store.open_batch() is None and store.get(queued[0].ref).status == PurchaseStatus.QUEUED


def test_failed_batch_requeues_and_rejections(store):
    for i in range(2):
        store.accept(vp(f"f{i}"), 0, now=NOW)
    store.promote(now=NOW)
    queued = store.queued(10)
    batch = store.create_batch(
        [p.id for p in queued],
        nonce=1,
        tx_hash="0x" + "33" * 32,
        raw_tx="0x",
        gas=1,
        max_fee_per_gas=1,
        max_priority_fee_per_gas=1,
    )
    store.close_batch(batch.id, BatchStatus.FAILED, minted={}, requeue=[p.ref for p in queued], error="reverted")
    assert [p.status for p in store.queued(10)] == [PurchaseStatus.QUEUED, PurchaseStatus.QUEUED]
    assert store.get(queued[0].ref).last_error == "reverted"
    store.reject_queued({queued[0].ref: "rejected by PurchaseMining: ZeroAmount"})
    rej = store.get(queued[0].ref)
    assert rej.status == PurchaseStatus.REJECTED and rej.rejected_at and "ZeroAmount" in rej.reason


def test_backends_and_export(store):
    store.add_backend("shop-1", C, "first")
    store.add_backend("shop-2", S)
    store.set_backend_active("shop-2", False)
    lookup = store.backend_lookup(0)
    assert lookup("shop-1").active and not lookup("shop-2").active and lookup("nope") is None
    store.add_backend("shop-2", R)  # re-key re-enables
    assert lookup("shop-2").address == R and lookup("shop-2").active
    with pytest.raises(NotFound):
        store.set_backend_active("nope", False)
    store.accept(vp("e1"), 0, now=NOW)
    out = io.StringIO()
    assert export_csv(store, out) == 1
    lines = out.getvalue().strip().splitlines()
    assert lines[0].startswith("ref,backend_id,order_id,status") and vp("e1").ref in lines[1]


def test_a_store_written_by_an_older_oracle_gains_the_new_columns(store_url):
    old = Store(store_url)
    with old.engine.begin() as conn:  # as written before batches had a send block
        conn.exec_driver_sql("ALTER TABLE batches DROP COLUMN sent_block")
    old.close()
    upgraded = Store(store_url)
    batch = upgraded.create_batch(
        [],
        nonce=0,
        tx_hash="0x" + "11" * 32,
        raw_tx="0x",
        gas=1,
        max_fee_per_gas=1,
        max_priority_fee_per_gas=1,
        sent_block=42,
    )
    assert upgraded.get_batch(batch.id).sent_block == 42
    upgraded.close()

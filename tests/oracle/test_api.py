"""The HTTP API in process (TestClient): status codes, idempotency, conflicts, refunds, settlement,
body limit, admin token, health, metrics, OpenAPI docs."""

from __future__ import annotations

import time

import pytest
from eth_account import Account

from oracle.client import OracleClient, OracleError
from oracle.receipts import Domain
from tests.oracle.conftest import ADMIN_TOKEN, MINING_ADDRESS, UNIT_CHAIN_ID, random_address

DOMAIN = Domain(chain_id=UNIT_CHAIN_ID, verifying_contract=MINING_ADDRESS)


@pytest.fixture
def api(make_client, backend_keys):
    tc, orc = make_client()
    clients = {
        name: OracleClient("http://test", name, acct.key, http=tc, retries=0) for name, acct in backend_keys.items()
    }
    return tc, orc, clients


def purchase(client, order_id="o-1", **kw):
    kw.setdefault("paid_at", int(time.time()) - 5)
    return client.receipt(
        order_id, kw.pop("consumer", CONSUMER), kw.pop("supplier", SUPPLIER), kw.pop("amount", 1000), **kw
    )


CONSUMER, SUPPLIER = random_address(), random_address()


def test_accept_then_same_receipt_is_idempotent(api):
    tc, orc, c = api
    r = purchase(c["shop-1"])
    body = c["shop-1"].signed_body(r)
    first = tc.post("/purchases", json=body)
    assert first.status_code == 201
    rec = first.json()
    assert rec["status"] == "accepted" and rec["ref"] == r.order_ref and rec["timestamps"]["accepted"]
    second = tc.post("/purchases", json=body)
    assert second.status_code == 200 and second.json() == rec
    own = c["shop-1"].read_headers(r.order_ref)  # the full record is for its backend (signed read)
    assert tc.get(f"/purchases/{r.order_ref}", headers=own).json() == rec
    assert tc.get(f"/purchases/{r.order_ref.upper().replace('0X', '0x')}", headers=own).status_code == 200
    assert orc.store.counts()["accepted"] == 1


def test_same_ref_different_content_is_409(api):
    tc, orc, c = api
    c["shop-1"].submit(purchase(c["shop-1"], amount=1000))
    with pytest.raises(OracleError) as info:
        c["shop-1"].submit(purchase(c["shop-1"], amount=2000))
    assert info.value.status == 409 and info.value.reason == "order_ref_conflict"
    assert orc.store.get(purchase(c["shop-1"]).order_ref).amount == 1000


def test_backends_have_separate_order_namespaces(api):
    tc, orc, c = api
    a = c["shop-1"].submit(purchase(c["shop-1"], "same-number"))
    b = c["shop-2"].submit(purchase(c["shop-2"], "same-number"))
    assert a["ref"] != b["ref"] and orc.store.counts()["accepted"] == 2


def test_rejections_store_nothing(api, backend_keys):
    tc, orc, c = api
    bad = c["shop-1"].signed_body(purchase(c["shop-1"], currency="EUR"))
    resp = tc.post("/purchases", json=bad)
    assert resp.status_code == 422 and resp.json()["errors"][0]["field"] == "receipt.currency"
    forged = OracleClient("http://test", "shop-1", Account.create().key, http=tc, retries=0)
    resp = tc.post("/purchases", json=forged.signed_body(purchase(forged)))
    assert resp.status_code == 401 and resp.json()["reason"] == "wrong_signer"
    resp = tc.post("/purchases", content=b"{not json", headers={"content-type": "application/json"})
    assert resp.status_code == 422 and resp.json()["reason"] == "invalid_json"
    assert sum(orc.store.counts().values()) == 0
    metrics = tc.get("/metrics").text
    assert 'oracle_purchases_rejected_total{reason="unsupported_currency"} 1.0' in metrics
    assert 'oracle_purchases_rejected_total{reason="wrong_signer"} 1.0' in metrics


def test_body_size_limit(api):
    tc, orc, c = api
    body = c["shop-1"].signed_body(purchase(c["shop-1"]))
    body["receipt"]["orderId"] = "x" * 5000
    resp = tc.post("/purchases", json=body)
    assert resp.status_code == 413 and resp.json()["errors"][0] == {
        "field": "body",
        "code": "body_too_large",
        "message": "the body must be at most 4096 bytes",
    }

    def chunks():  # no content-length: the stream is cut at the limit too
        for _ in range(10):
            yield b" " * 1000

    resp = tc.post("/purchases", content=chunks(), headers={"content-type": "application/json"})
    assert resp.status_code == 413
    assert sum(orc.store.counts().values()) == 0


def test_disabled_backend_is_refused_until_enabled(api):
    tc, orc, c = api
    auth = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    assert tc.post("/admin/backends/shop-3/disable", headers=auth).json()["active"] is False
    with pytest.raises(OracleError) as info:
        c["shop-3"].submit(purchase(c["shop-3"]))
    assert info.value.status == 403 and info.value.reason == "backend_disabled"
    assert tc.post("/admin/backends/shop-3/enable", headers=auth).status_code == 200
    assert c["shop-3"].submit(purchase(c["shop-3"]))["status"] == "accepted"


def test_refund_flow(api):
    tc, orc, c = api
    receipt = purchase(c["shop-1"], "to-refund")  # built once: paidAt comes from the clock
    rec = c["shop-1"].submit(receipt)
    with pytest.raises(OracleError) as info:
        c["shop-2"].refund(rec["ref"])  # another backend: not found for it
    assert info.value.status == 404
    forged = OracleClient("http://test", "shop-1", Account.create().key, http=tc, retries=0)
    with pytest.raises(OracleError) as info:
        forged.refund(rec["ref"])
    assert info.value.status == 401
    refunded = c["shop-1"].refund(rec["ref"], "customer returned the goods")
    assert refunded["status"] == "refunded" and refunded["timestamps"]["refunded"]
    assert "customer returned" in refunded["reason"]
    assert c["shop-1"].refund(rec["ref"])["status"] == "refunded"  # idempotent
    # an identical receipt after the refund returns the refunded record (never re-opens it)
    assert c["shop-1"].submit(receipt)["status"] == "refunded"
    with pytest.raises(OracleError) as info:
        c["shop-1"].refund("0x" + "77" * 32)
    assert info.value.status == 404


def test_refund_after_submission_is_409(api):
    tc, orc, c = api
    rec = c["shop-1"].submit(purchase(c["shop-1"], "late"))
    orc.store.promote()
    q = orc.store.queued(5)
    orc.store.create_batch(
        [p.id for p in q],
        nonce=0,
        tx_hash="0x" + "12" * 32,
        raw_tx="0x",
        gas=1,
        max_fee_per_gas=1,
        max_priority_fee_per_gas=1,
    )
    with pytest.raises(OracleError) as info:
        c["shop-1"].refund(rec["ref"])
    assert info.value.status == 409 and info.value.body["purchase"]["status"] == "submitted"


def test_settlement_window(make_client, backend_keys):
    tc, orc = make_client(settlement_seconds=3600)
    c = OracleClient("http://test", "shop-1", backend_keys["shop-1"].key, http=tc, retries=0)
    paid = int(time.time()) - 10
    rec = c.submit(purchase(c, "settle", paid_at=paid))
    assert rec["mintableAt"].startswith(time.strftime("%Y-%m-%dT", time.gmtime(paid + 3600)))
    orc.store.promote()
    assert c.status(rec["ref"])["status"] == "settling"
    assert orc.store.queued(10) == []  # not mintable during the window
    orc.store.promote(now=paid + 3600)
    assert c.status(rec["ref"])["status"] == "queued"
    old = c.submit(purchase(c, "old", paid_at=int(time.time()) - 7200))  # window already passed
    orc.store.promote()
    assert c.status(old["ref"])["status"] == "queued"


def test_admin_endpoints_need_the_token(api):
    tc, orc, c = api
    assert tc.get("/admin/backends").status_code == 401
    assert tc.get("/admin/backends", headers={"Authorization": "Bearer wrong"}).status_code == 401
    ok = tc.get("/admin/backends", headers={"X-Admin-Token": ADMIN_TOKEN})
    assert ok.status_code == 200 and {b["id"] for b in ok.json()} == {"shop-1", "shop-2", "shop-3"}
    auth = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    addr = random_address()
    assert tc.post("/admin/backends", json={"id": "shop-9", "address": addr.lower()}, headers=auth).status_code == 422
    assert tc.post("/admin/backends", json={"id": "bad id", "address": addr}, headers=auth).status_code == 422
    assert tc.post("/admin/backends", json={"id": "shop-9", "address": addr}, headers=auth).status_code == 201
    assert tc.post("/admin/backends/nope/disable", headers=auth).status_code == 404


def test_admin_disabled_without_token(make_client):
    tc, orc = make_client(admin_token="")
    assert tc.get("/admin/backends", headers={"Authorization": "Bearer "}).status_code == 403


def test_health_metrics_docs(api):
    tc, orc, c = api
    c["shop-1"].submit(purchase(c["shop-1"]))
    health = tc.get("/health")
    assert health.status_code == 200
    h = health.json()
    assert h["store"]["ok"] and h["backlog"]["accepted"] == 1 and h["backlog"]["total"] == 1
    assert h["chain"]["ok"] is False and h["status"] == "degraded"  # no chain in unit tests
    assert [r["code"] for r in h["reasons"]] == ["chain_unreachable"]
    m = tc.get("/metrics")
    assert m.status_code == 200
    assert "oracle_purchases_accepted_total 1.0" in m.text and "oracle_backlog 1.0" in m.text
    assert tc.get("/docs").status_code == 200
    spec = tc.get("/openapi.json").json()
    assert {"/purchases", "/purchases/{ref}", "/purchases/{ref}/refund", "/health", "/metrics"} <= set(spec["paths"])
    assert "PurchaseSubmission" in spec["components"]["schemas"]
    assert "ReceiptModel" in spec["components"]["schemas"]
    domain = tc.get("/receipt-domain").json()
    assert domain["domain"] == DOMAIN.as_dict()


def test_get_unknown_or_malformed_ref(api):
    tc, orc, c = api
    assert tc.get("/purchases/0x" + "00" * 32).status_code == 404
    assert tc.get("/purchases/not-a-ref").status_code == 404

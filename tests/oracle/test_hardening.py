"""The operator issue's hardening items, one test (or a few) per behaviour: what an outsider can and cannot do,
and what the operator sees. See docs/oracle.md, "What can go wrong and what you see"."""

from __future__ import annotations

from tests.oracle.conftest import ADMIN_TOKEN, random_address

AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


# ---------------------------------------------------------------------- auth before body, one body limit
def test_admin_token_is_checked_before_the_body_is_read(make_client):
    tc, orc = make_client()
    garbage = b"{" * 100_000  # neither small nor JSON: only an authenticated caller may make us read it
    resp = tc.post("/admin/backends", content=garbage, headers={"content-type": "application/json"})
    assert resp.status_code == 401 and resp.json()["reason"] == "unauthorized"
    resp = tc.post(
        "/admin/backends", content=garbage, headers={"content-type": "application/json", "X-Admin-Token": "x"}
    )
    assert resp.status_code == 401
    tc2, _ = make_client(admin_token="")
    assert tc2.post("/admin/backends", content=garbage).status_code == 403


def test_one_body_limit_for_every_route(make_client):
    tc, orc = make_client()
    big = {"id": "shop-9", "address": random_address(), "note": "n" * 5000}
    resp = tc.post("/admin/backends", json=big, headers=AUTH)  # authenticated, but over max_body_bytes
    assert resp.status_code == 413 and resp.json()["reason"] == "body_too_large"
    assert "shop-9" not in {b.id for b in orc.store.list_backends()}
    assert tc.request("GET", "/health", content=b" " * 5000).status_code == 413
    assert tc.post("/admin/backends/shop-1/disable", content=b" " * 5000, headers=AUTH).status_code == 413

    def chunks():  # no content-length: the stream is cut at the limit too
        for _ in range(10):
            yield b" " * 1000

    assert tc.post("/admin/backends", content=chunks(), headers=AUTH).status_code == 413
    assert (
        tc.post("/admin/backends", json={"id": "shop-9", "address": random_address()}, headers=AUTH).status_code == 201
    )
    assert 'oracle_purchases_rejected_total{reason="body_too_large"}' in tc.get("/metrics").text

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


# ---------------------------------------------------------------------- secrets
SECRET_RPC = "http://rpcuser:rpcpassword@127.0.0.1:1/v3/?apikey=SECRETKEY"
SECRET_DB_PASSWORD = "pgpassword"


def _no_secret(text: str) -> None:
    for secret in ("rpcpassword", "SECRETKEY", SECRET_DB_PASSWORD):
        assert secret not in text, text


def test_health_and_chain_errors_mask_rpc_credentials(make_client):
    tc, orc = make_client(rpc_url=SECRET_RPC)
    health = tc.get("/health")
    assert health.json()["chain"]["ok"] is False and "error" in health.json()["chain"]
    _no_secret(health.text)
    assert "rpcuser" in health.json()["chain"]["rpc_url"]  # the user name stays: it says which endpoint
    from oracle.chain import ChainUnavailable

    try:
        orc.chain.block_number()
    except ChainUnavailable as exc:
        _no_secret(str(exc))
    else:
        raise AssertionError("no chain at 127.0.0.1:1")


def test_config_output_masks_passwords(tmp_path, monkeypatch, capsys):
    from oracle.cli import main

    for k in [k for k in __import__("os").environ if k.startswith("ORACLE_")]:
        monkeypatch.delenv(k)
    monkeypatch.setenv("ORACLE_DATABASE_URL", f"postgresql://oracle:{SECRET_DB_PASSWORD}@127.0.0.1:1/x")
    monkeypatch.setenv("ORACLE_RPC_URL", SECRET_RPC)
    assert main(["config"]) == 0
    out = capsys.readouterr().out
    _no_secret(out)
    assert "127.0.0.1:1/x" in out


def test_logs_mask_urls():
    import logging

    from oracle.logs import RedactingFilter

    record = logging.LogRecord("oracle.batcher", logging.WARNING, __file__, 1, "chain error: %s", (SECRET_RPC,), None)
    try:
        raise RuntimeError(f"HTTPError for url: {SECRET_RPC}")
    except RuntimeError:
        import sys

        record.exc_info = sys.exc_info()
    assert RedactingFilter().filter(record)
    text = logging.Formatter().format(record)
    _no_secret(text)
    assert "chain error: http://rpcuser:***@127.0.0.1:1" in text and "HTTPError for url" in text


def test_key_files_readable_by_others_are_refused(tmp_path):
    import json
    import os

    import pytest
    from eth_account import Account

    from oracle.config import ConfigError, Settings, load_signing_key

    acct = Account.create()
    keystore = tmp_path / "key.json"
    keystore.write_text(json.dumps(Account.encrypt(acct.key, "pw", iterations=2)))
    password = tmp_path / "pw.txt"
    password.write_text("pw\n")
    os.chmod(keystore, 0o644)
    os.chmod(password, 0o600)
    s = Settings.load(env={}, keystore_file=str(keystore), keystore_password_file=str(password))
    with pytest.raises(ConfigError, match="key.json is readable by group or others.*chmod 600"):
        load_signing_key(s, env={})
    os.chmod(keystore, 0o600)
    os.chmod(password, 0o640)
    with pytest.raises(ConfigError, match="pw.txt is readable by group or others"):
        load_signing_key(s, env={})
    os.chmod(password, 0o600)
    assert load_signing_key(s, env={}).address == acct.address
    os.chmod(keystore, 0o644)
    lax = Settings.load(
        env={}, keystore_file=str(keystore), keystore_password_file=str(password), allow_insecure_key_files=True
    )
    assert load_signing_key(lax, env={}).address == acct.address  # the explicit override


# ---------------------------------------------------------------------- input policy
def _signed(client, **kw):
    import time as _time

    kw.setdefault("paid_at", int(_time.time()) - 5)
    order = kw.pop("order_id", "policy-1")
    r = client.receipt(order, kw.pop("consumer", CONSUMER), kw.pop("supplier", SUPPLIER), kw.pop("amount", 1000), **kw)
    return r, client.signed_body(r)


CONSUMER, SUPPLIER = random_address(), random_address()


def _api(make_client, backend_keys, **overrides):
    from oracle.client import OracleClient

    tc, orc = make_client(**overrides)
    return tc, orc, OracleClient("http://t", "shop-1", backend_keys["shop-1"].key, http=tc, retries=0)


def test_decimal_strings_only_for_amount(make_client, backend_keys):
    tc, orc, c = _api(make_client, backend_keys)
    r, body = _signed(c, order_id="dec-1", referrer=random_address(), referrer_bps=100)
    for name in ("paidAt", "referrerBps"):
        bad = {**body, "receipt": {**body["receipt"], name: str(body["receipt"][name])}}
        resp = tc.post("/purchases", json=bad)
        assert resp.status_code == 422, resp.text
        assert {"field": f"receipt.{name}", "code": "wrong_type"} in [
            {k: e[k] for k in ("field", "code")} for e in resp.json()["errors"]
        ]
    body["receipt"]["amount"] = str(body["receipt"]["amount"])  # amount may be a decimal string
    assert tc.post("/purchases", json=body).status_code == 201


def test_order_ids_with_format_or_bidi_characters_are_refused(make_client, backend_keys):
    tc, orc, c = _api(make_client, backend_keys)
    for i, text in enumerate(("A\u202eB", "A\u200bB", "A\u2066B", "A\ufeffB", "A\u2028B")):
        r, body = _signed(c, order_id=f"ord{i}-{text}")
        resp = tc.post("/purchases", json=body)
        assert resp.status_code == 422 and resp.json()["errors"][0]["field"] == "receipt.orderId", resp.text
        assert resp.json()["errors"][0]["code"] == "invalid_characters"
    r, body = _signed(c, order_id="订单-2024-Ω")  # other scripts are fine
    assert tc.post("/purchases", json=body).status_code == 201
    assert sum(orc.store.counts().values()) == 1


def test_high_s_signatures_are_refused(make_client, backend_keys):
    from oracle.receipts import SECP256K1_N

    tc, orc, c = _api(make_client, backend_keys)
    r, body = _signed(c, order_id="high-s")
    raw = bytes.fromhex(body["signature"][2:])
    s = int.from_bytes(raw[32:64], "big")
    flipped = (
        raw[:32] + (SECP256K1_N - s).to_bytes(32, "big") + bytes([27 + ((raw[64] - 27) ^ 1)])
    )  # same signer, other form
    resp = tc.post("/purchases", json={**body, "signature": "0x" + flipped.hex()})
    assert resp.status_code == 401 and resp.json()["reason"] == "bad_signature", resp.text
    assert tc.post("/purchases", json=body).status_code == 201


def test_export_cells_never_start_a_formula(make_client, backend_keys, tmp_path):
    import csv
    import io

    from oracle.export import export_csv

    tc, orc, c = _api(make_client, backend_keys)
    for i, order in enumerate(('=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "plain")):
        r, body = _signed(c, order_id=order, amount=1000 + i)
        assert tc.post("/purchases", json=body).status_code == 201
    rec = orc.store.get(c.order_ref("plain"))
    c.refund(rec.ref, "=cmd|' /C calc'!A0")
    out = io.StringIO()
    export_csv(orc.store, out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert sorted(row["order_id"] for row in rows) == sorted(
        ['\'=HYPERLINK("http://x")', "'+1+1", "'-2+3", "'@SUM(A1)", "plain"]
    )
    assert all(not str(v).startswith(("=", "+", "-", "@")) for row in rows for v in row.values())
    assert [row["reason"] for row in rows if row["order_id"] == "plain"] == ["refunded: =cmd|' /C calc'!A0"]


def test_system_contracts_are_refused_as_participants(make_client, backend_keys, tmp_path):
    import json

    from tests.oracle.conftest import MINING_ADDRESS

    token, governor, timelock = random_address(), random_address(), random_address()
    dep = tmp_path / "dep.json"
    dep.write_text(
        json.dumps(
            {
                "chain_id": 1337,
                "contracts": {
                    "BlackGold": token,
                    "PurchaseMining": MINING_ADDRESS,
                    "IssuanceGovernor": governor,
                    "TimelockController": timelock,
                },
            }
        )
    )
    tc, orc, c = _api(make_client, backend_keys, deployment_file=str(dep))
    cases = [("consumer", token), ("supplier", MINING_ADDRESS), ("referrer", governor), ("consumer", timelock)]
    for i, (role, address) in enumerate(cases):
        r, body = _signed(c, order_id=f"sys-{i}", **{role: address})
        resp = tc.post("/purchases", json=body)
        assert resp.status_code == 422, resp.text
        assert resp.json()["errors"][0] == {
            "field": f"receipt.{role}",
            "code": "system_contract",
            "message": f"{role} is one of the system's own contracts: grams sent there would be locked for good",
        }
    assert sum(orc.store.counts().values()) == 0
    r, body = _signed(c, order_id="sys-ok")
    assert tc.post("/purchases", json=body).status_code == 201


# ---------------------------------------------------------------------- privacy
ON_CHAIN_KEYS = {
    "ref",
    "status",
    "consumer",
    "referrer",
    "supplier",
    "amount",
    "txHash",
    "blockNumber",
    "grams",
    "rate",
}


def _mint(orc, ref):
    from oracle.models import MintedFacts
    from oracle.status import BatchStatus

    orc.store.promote()
    queued = [p for p in orc.store.queued(10) if p.ref == ref]
    batch = orc.store.create_batch(
        [p.id for p in queued],
        nonce=0,
        tx_hash="0x" + "ab" * 32,
        raw_tx="0x",
        gas=1,
        max_fee_per_gas=1,
        max_priority_fee_per_gas=1,
    )
    facts = MintedFacts("0x" + "ab" * 32, 7, 10, 2, 3, 4, 10**16)
    orc.store.close_batch(batch.id, BatchStatus.CONFIRMED, minted={ref: facts}, block_number=7, gas_used=1)


def test_purchase_records_are_private_to_their_backend(make_client, backend_keys):
    from oracle.client import OracleClient

    tc, orc, c = _api(make_client, backend_keys)
    other = OracleClient("http://t", "shop-2", backend_keys["shop-2"].key, http=tc, retries=0)
    pending = c.submit(c.receipt("private-1", CONSUMER, SUPPLIER, 1234, referrer=random_address(), paid_at=_now()))
    refunded = c.submit(c.receipt("private-2", CONSUMER, SUPPLIER, 99, paid_at=_now()))
    c.refund(refunded["ref"], "customer changed their mind")
    minted = c.submit(c.receipt("private-3", CONSUMER, SUPPLIER, 777, paid_at=_now()))
    _mint(orc, minted["ref"])

    # unauthenticated: nothing that is not on chain
    for rec in (pending, refunded):
        resp = tc.get(f"/purchases/{rec['ref']}")
        assert resp.status_code == 404 and "changed their mind" not in resp.text and "private" not in resp.text
    public = tc.get(f"/purchases/{minted['ref']}").json()
    assert set(public) == ON_CHAIN_KEYS and public["status"] == "minted" and public["grams"]["consumer"] == "10"
    # the submitting backend (signed read) and the admin token see the full record
    assert c.status(pending["ref"])["orderId"] == "private-1"
    assert c.status(refunded["ref"])["reason"] == "refunded: customer changed their mind"
    assert c.status(minted["ref"])["orderId"] == "private-3"
    full = tc.get(f"/purchases/{pending['ref']}", headers=AUTH).json()
    assert full["orderId"] == "private-1" and full["backend"] == "shop-1"
    # another backend's credentials: not found for it; forged or stale credentials: 401
    assert tc.get(f"/purchases/{pending['ref']}", headers=other.read_headers(pending["ref"])).status_code == 404
    headers = c.read_headers(pending["ref"])
    forged = {k: v[:-4] + ("0000" if not v.endswith("0000") else "1111") for k, v in headers.items()}
    assert tc.get(f"/purchases/{pending['ref']}", headers=forged).status_code == 401
    stale = c.read_headers(pending["ref"], at=_now() - 3600)
    resp = tc.get(f"/purchases/{pending['ref']}", headers=stale)
    assert resp.status_code == 401 and resp.json()["reason"] == "bad_credentials"
    signed_for_other_ref = c.read_headers(minted["ref"])
    assert tc.get(f"/purchases/{pending['ref']}", headers=signed_for_other_ref).status_code == 401


def _now() -> int:
    import time as _time

    return int(_time.time()) - 5

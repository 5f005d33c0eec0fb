"""oracle.client: signs receipts and retries safely (the same signed body) on transient failures."""

from __future__ import annotations

import time

import httpx
import pytest

from oracle.client import OracleClient, OracleError
from tests.oracle.conftest import random_address


def test_retries_resend_the_same_receipt(make_client, backend_keys):
    tc, orc = make_client()
    calls = {"n": 0, "bodies": []}

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/purchases":
            calls["n"] += 1
            calls["bodies"].append(request.content)
            if calls["n"] == 1:
                raise httpx.ConnectError("connection refused")
            if calls["n"] == 2:
                # the oracle committed but the answer was lost: the retry must get the same record
                tc.post("/purchases", content=request.content, headers={"content-type": "application/json"})
                return httpx.Response(503, json={"error": "unavailable"})
        resp = tc.request(
            request.method, request.url.path, content=request.content, headers={"content-type": "application/json"}
        )
        return httpx.Response(resp.status_code, content=resp.content, headers={"content-type": "application/json"})

    http = httpx.Client(transport=httpx.MockTransport(handler), base_url="http://oracle")
    client = OracleClient("http://oracle", "shop-1", backend_keys["shop-1"].key, http=http, backoff=0.01)
    assert backend_keys["shop-1"].key.hex() not in repr(client)
    rec = client.submit_purchase("retry-1", random_address(), random_address(), 500, paid_at=int(time.time()))
    assert rec["status"] == "accepted"
    assert len(set(calls["bodies"])) == 1 and len(calls["bodies"]) == 3  # identical bytes each time
    assert orc.store.counts()["accepted"] == 1


def test_client_errors_are_final(make_client, backend_keys):
    tc, orc = make_client()
    client = OracleClient("http://test", "shop-1", backend_keys["shop-1"].key, http=tc, backoff=0.01)
    with pytest.raises(OracleError) as info:
        client.submit_purchase("bad", random_address().lower(), random_address(), 500)
    assert info.value.status == 422 and "receipt.consumer" in str(info.value)


def test_wait_for(make_client, backend_keys):
    tc, orc = make_client()
    client = OracleClient("http://test", "shop-1", backend_keys["shop-1"].key, http=tc)
    rec = client.submit_purchase("w", random_address(), random_address(), 500)
    assert client.wait_for(rec["ref"], "accepted")["ref"] == rec["ref"]
    with pytest.raises(TimeoutError):
        client.wait_for(rec["ref"], "minted", timeout=0.3, interval=0.1)

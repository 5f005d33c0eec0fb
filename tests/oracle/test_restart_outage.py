"""Restart during an RPC outage (operator issue item 10): the referrer bound read from the chain is kept in the
store, so an oracle started while the RPC is down still accepts receipts with a referrer override; and the client
retries a 503 with backoff up to a deadline, then says so."""

from __future__ import annotations

import logging

import httpx
import pytest

from oracle.client import OracleClient, OracleUnavailable
from oracle.process import free_port
from tests.oracle.conftest import random_address


def test_an_oracle_started_during_an_outage_uses_the_stored_referrer_bound(chain_env, chain_oracle):
    first, _ = chain_oracle(db_name="restart.db")  # reads the bound from the chain (and keeps it)
    bound = chain_env.mining.maxReferrerBps()
    assert first.watcher.bound == bound
    # restarted while the RPC is down: nothing can be read from the chain
    orc, c = chain_oracle(db_name="restart.db", rpc_url=f"http://127.0.0.1:{free_port()}")
    assert orc.watcher.refresh() is False and orc.watcher.bound == bound
    rec = c["shop-1"].submit_purchase(
        "override-during-outage", random_address(), random_address(), 1000, referrer=random_address(), referrer_bps=1500
    )
    assert rec["status"] == "accepted" and rec["referrerBps"] == 1500
    resp = c["shop-1"].http.post(
        "/purchases",
        json=c["shop-1"].signed_body(
            c["shop-1"].receipt(
                "too-high", random_address(), random_address(), 10, referrer=random_address(), referrer_bps=bound + 1
            )
        ),
    )
    assert resp.status_code == 422 and resp.json()["reason"] == "referrer_bps_too_large"  # the bound still holds


def _unavailable(calls: list[int], succeed_after: int | None, tc=None):
    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if succeed_after is None or len(calls) <= succeed_after:
            body = {"error": "rejected", "reason": "referrer_bps_bound_unavailable", "errors": []}
            return httpx.Response(503, json=body)
        resp = tc.request(
            request.method, request.url.path, content=request.content, headers={"content-type": "application/json"}
        )
        return httpx.Response(resp.status_code, content=resp.content, headers={"content-type": "application/json"})

    return handler


def test_the_client_retries_until_its_deadline_and_says_so(make_client, backend_keys, caplog):
    tc, orc = make_client()
    key = backend_keys["shop-1"].key
    calls: list[int] = []
    http = httpx.Client(transport=httpx.MockTransport(_unavailable(calls, None)), base_url="http://oracle")
    client = OracleClient(
        "http://oracle", "shop-1", key, http=http, backoff=0.01, max_backoff=0.05, deadline=0.5, domain=orc.domain
    )
    with caplog.at_level(logging.WARNING, logger="oracle.client"), pytest.raises(OracleUnavailable) as info:
        client.submit_purchase(
            "deadline", random_address(), random_address(), 500, referrer_bps=100, referrer=random_address()
        )
    err = info.value
    assert err.status == 503 and err.reason == "referrer_bps_bound_unavailable" and err.attempts == len(calls) > 1
    assert "gave up after" in str(err) and "referrer_bps_bound_unavailable" in str(err)
    assert sum("retrying" in r.message for r in caplog.records) == len(calls) - 1

    calls.clear()  # the oracle answers again before the deadline: the same signed receipt goes through
    http = httpx.Client(transport=httpx.MockTransport(_unavailable(calls, 3, tc)), base_url="http://oracle")
    client = OracleClient(
        "http://oracle", "shop-1", key, http=http, backoff=0.01, max_backoff=0.05, deadline=60, domain=orc.domain
    )
    rec = client.submit_purchase("deadline-ok", random_address(), random_address(), 500)
    assert rec["status"] == "accepted" and len(calls) == 4

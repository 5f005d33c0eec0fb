"""/health tells the truth (operator issue item 5): ok / degraded / failing with reasons (codes and text), the
batcher's error cleared once it recovers, a stale backlog and a failing store shown as such."""

from __future__ import annotations

import time

from oracle.chain import Chain
from oracle.process import free_port
from tests.oracle.conftest import drain, random_address


def codes(health: dict) -> set[str]:
    return {r["code"] for r in health["reasons"]}


def test_batcher_error_clears_after_recovery(chain_env, chain_oracle):
    orc, c = chain_oracle()
    rec = c["shop-1"].submit_purchase("health-0", random_address(), random_address(), 1000)
    good = orc.batcher.chain
    orc.batcher.chain = Chain(f"http://127.0.0.1:{free_port()}", good.address, good.contract.abi, good.key, 2.0)
    assert orc.batcher.tick() > 0  # the RPC is down for the batcher: it backs off
    status, h = orc.health()
    assert status == 200 and h["status"] == "degraded" and "chain_unreachable" in codes(h)
    assert h["batcher"]["last_error"] and "unreachable" in h["batcher"]["last_error"]

    orc.batcher.chain = good  # the chain answers again
    deadline = time.monotonic() + 30
    while c["shop-1"].status(rec["ref"])["status"] != "minted":
        assert time.monotonic() < deadline
        orc.batcher.tick()
    orc.batcher.tick()
    status, h = orc.health()
    assert status == 200 and h["status"] == "ok" and h["reasons"] == [], h["reasons"]
    assert h["batcher"]["last_error"] is None and h["backlog"]["total"] == 0


def test_backlog_older_than_the_threshold_is_degraded(chain_env, chain_oracle):
    orc, c = chain_oracle(health_backlog_seconds=600)
    c["shop-2"].submit_purchase("health-1", random_address(), random_address(), 1000)
    status, h = orc.health()
    assert h["status"] == "ok" and h["backlog"]["total"] == 1  # just accepted: fine
    now = time.time()
    orc.clock = lambda: now + 3600  # an hour later, still not minted
    status, h = orc.health()
    assert status == 200 and h["status"] == "degraded" and codes(h) == {"backlog_stale"}
    (reason,) = h["reasons"]
    assert reason["level"] == "degraded" and reason["oldest_due_seconds"] >= 3600 and "600" in reason["message"]
    drain(orc)
    assert orc.health()[1]["status"] == "ok"


def test_a_store_that_does_not_answer_is_failing(make_client):
    tc, orc = make_client()

    def broken():
        raise ConnectionError("database gone")

    orc.store.counts = broken
    resp = tc.get("/health")
    assert resp.status_code == 503
    h = resp.json()
    assert h["status"] == "failing" and "store_unreachable" in codes(h)
    assert {r["level"] for r in h["reasons"] if r["code"] == "store_unreachable"} == {"failing"}

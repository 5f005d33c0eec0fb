"""One purchase can no longer stop all minting (operator issue item 1): a purchase whose grams can never fit the
daily ceiling is refused at acceptance (422 naming the field and the limit); one that no longer fits after
governance lowered the ceiling is set aside in the batcher (visible status, alarm metric, /health, admin requeue)
while the rest of the queue is minted."""

from __future__ import annotations

import time

import pytest
from brownie import chain as brownie_chain

from oracle.client import OracleError
from oracle.receipts import ZERO_ADDRESS
from oracle.status import PurchaseStatus
from tests.oracle.conftest import ADMIN_TOKEN, drain, random_address


def grams(chain_env, amount: int, referrer: str = ZERO_ADDRESS) -> int:
    return sum(chain_env.expected_grams(amount, referrer, 0))


def test_a_purchase_that_can_never_fit_the_ceiling_is_refused(chain_env, chain_oracle):
    orc, c = chain_oracle()
    referrer = random_address()
    ceiling = 10 * grams(chain_env, 1000, referrer)
    chain_env.mining.setDailyCeiling(ceiling, {"from": chain_env.governance})
    try:
        orc.watcher.refresh()  # what the accept path knows of the chain (refreshed in the background)
        facts = orc.watcher.ceiling
        assert facts is not None and facts.ceiling == ceiling
        most = facts.max_amount(True, 0)
        assert grams(chain_env, most, referrer) <= ceiling < grams(chain_env, most + 1, referrer)
        assert most + 1 < orc.settings.max_amount  # the configured maximum alone would let it through

        with pytest.raises(OracleError) as info:
            c["shop-1"].submit_purchase("huge", random_address(), random_address(), most + 1, referrer=referrer)
        assert info.value.status == 422 and info.value.reason == "amount_exceeds_daily_ceiling"
        (err,) = info.value.body["errors"]
        assert err["field"] == "receipt.amount" and str(ceiling) in err["message"] and str(most) in err["message"]
        assert orc.store.get(c["shop-1"].order_ref("huge")) is None  # nothing stored
        ok = c["shop-1"].submit_purchase("largest", random_address(), random_address(), most, referrer=referrer)
        assert ok["status"] == PurchaseStatus.ACCEPTED  # the largest that fits is accepted
        c["shop-1"].refund(ok["ref"], "test: not minted")
    finally:
        chain_env.mining.setDailyCeiling(10**27, {"from": chain_env.governance})


def test_a_purchase_the_ceiling_can_no_longer_hold_is_set_aside_and_the_rest_flows(chain_env, chain_oracle):
    orc, c = chain_oracle()
    big = c["shop-2"].submit_purchase("aside-big", random_address(), random_address(), 100_000)
    small = [c["shop-2"].submit_purchase(f"aside-{i}", random_address(), random_address(), 1000 + i) for i in range(3)]
    mining, gov = chain_env.mining, chain_env.governance
    mining.setDailyCeiling(10 * grams(chain_env, 1000), {"from": gov})  # governance lowers the ceiling
    try:
        drain(orc)  # no Hold: the big one is set aside, the others are minted
        aside = c["shop-2"].status(big["ref"])
        assert aside["status"] == PurchaseStatus.SET_ASIDE and aside["timestamps"]["set_aside"]
        assert "daily ceiling" in aside["reason"] and str(grams(chain_env, 100_000)) in aside["reason"]
        assert all(c["shop-2"].status(r["ref"])["status"] == PurchaseStatus.MINTED for r in small)
        assert "oracle_purchases_set_aside_total 1.0" in orc.metrics.render().decode()
        status, health = orc.health()
        (reason,) = [r for r in health["reasons"] if r["code"] == "purchase_set_aside"]
        assert status == 200 and health["status"] == "degraded" and reason["count"] == 1
        assert not mining.isMined(big["ref"])
    finally:
        mining.setDailyCeiling(10**27, {"from": gov})
    deadline = time.monotonic() + 60
    while mining.dailyRemaining() < grams(chain_env, 100_000):  # the bucket refills as blocks move chain time
        assert time.monotonic() < deadline, "the bucket did not refill"
        time.sleep(0.2)
        brownie_chain.mine()

    tc = c["shop-2"].http
    assert tc.post(f"/admin/purchases/{big['ref']}/requeue").status_code == 401
    auth = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    resp = tc.post(f"/admin/purchases/{big['ref']}/requeue", headers=auth)
    assert resp.status_code == 200 and resp.json()["status"] == PurchaseStatus.QUEUED
    assert tc.post(f"/admin/purchases/{big['ref']}/requeue", headers=auth).status_code == 404  # not set aside now
    drain(orc)
    assert c["shop-2"].status(big["ref"])["status"] == PurchaseStatus.MINTED
    assert orc.health()[1]["status"] == "ok"

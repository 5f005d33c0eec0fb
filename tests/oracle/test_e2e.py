"""End to end on Ganache: the real oracle process (uvicorn, real HTTP), real EIP-712 signatures from
several backends, many purchases minted exactly once, balances equal to PurchaseMining's rule (quote)."""

from __future__ import annotations

import csv
import io
import json
import random
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from eth_account import Account

from oracle.client import OracleClient
from oracle.process import OracleProcess
from oracle.receipts import ZERO_ADDRESS
from tests.oracle.conftest import ADMIN_TOKEN, random_address


@pytest.fixture
def server(chain_env, tmp_path):
    proc = OracleProcess(chain_env.oracle_env(f"sqlite:///{tmp_path}/oracle.db"), tmp_path)
    yield proc
    proc.stop()


def wait_all(clients_by_ref: dict[str, OracleClient], status="minted", timeout=90.0):
    """Each purchase's full record, read by the backend that submitted it (records are private to it)."""
    return {ref: client.wait_for(ref, status, timeout=timeout, interval=0.2) for ref, client in clients_by_ref.items()}


def test_many_purchases_from_several_backends_minted_exactly_once(chain_env, server):
    keys = {f"e2e-shop-{i}": Account.create() for i in range(3)}
    # two backends registered with the CLI, one through the admin API once the server runs
    for name in ("e2e-shop-0", "e2e-shop-1"):
        assert "registered" in server.cli("backend", "add", name, keys[name].address).stdout
    server.start()
    resp = httpx.post(
        server.url + "/admin/backends",
        json={"id": "e2e-shop-2", "address": keys["e2e-shop-2"].address},
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
    )
    assert resp.status_code == 201
    clients = {n: OracleClient(server.url, n, k.key) for n, k in keys.items()}

    rng = random.Random(5)
    people = [random_address() for _ in range(12)]  # shared, so balances sum several purchases
    suppliers = [random_address() for _ in range(4)]
    receipts, expected = [], defaultdict(int)
    platform_total = 0
    for i in range(45):
        name = f"e2e-shop-{i % 3}"
        consumer, supplier = rng.choice(people), rng.choice(suppliers)
        referrer = rng.choice([ZERO_ADDRESS] + [p for p in people if p != consumer])
        bps = rng.choice([0, 0, 1500, 4000]) if referrer != ZERO_ADDRESS else 0
        amount = rng.randint(1, 500_000)
        r = clients[name].receipt(f"order-{i}", consumer, supplier, amount, referrer=referrer, referrer_bps=bps)
        cg, rg, sg, pg = chain_env.expected_grams(amount, referrer, bps)
        expected[consumer] += cg
        expected[supplier] += sg
        if referrer != ZERO_ADDRESS:
            expected[referrer] += rg
        platform_total += pg
        receipts.append((name, r, (cg, rg, sg, pg)))
    platform_before = chain_env.token.balanceOf(chain_env.platform)

    with ThreadPoolExecutor(8) as pool:
        records = list(pool.map(lambda t: clients[t[0]].submit(t[1]), receipts))
        # every receipt sent again (a backend retrying): the same records, nothing new
        again = list(pool.map(lambda t: clients[t[0]].submit(t[1]), receipts[:10]))
    assert all(r["status"] in ("accepted", "settling", "queued", "submitted", "minted") for r in records)
    assert [a["ref"] for a in again] == [r["ref"] for r in records[:10]]
    assert [a["digest"] for a in again] == [r["digest"] for r in records[:10]]

    minted = wait_all({rec["ref"]: clients[name] for (name, _, _), rec in zip(receipts, records, strict=True)})
    # grams per role recorded for each purchase = the rule's quote; tx hash = the event's
    for (name, r, grams), rec in zip(receipts, records):
        got = minted[rec["ref"]]
        g = got["grams"]
        assert (int(g["consumer"]), int(g["referrer"]), int(g["supplier"]), int(g["platform"])) == grams
        assert got["txHash"] and got["timestamps"]["submitted"] and got["timestamps"]["minted"]
    # exactly once: one PurchaseMined event per order reference, in the recorded transaction
    from oracle.chain import Chain, load_abi
    from oracle.config import Settings

    chain = Chain(
        chain_env.rpc_url,
        chain_env.mining.address,
        load_abi(Settings.load(env={}, deployment_file=str(chain_env.deployment_file))),
    )
    counts = chain.count_mined_events([r["ref"] for r in records])
    assert set(counts.values()) == {1}
    for rec in records:
        assert chain.find_mined(rec["ref"]).tx_hash == minted[rec["ref"]]["txHash"]
    # balances equal the on-chain rule
    for address, grams in expected.items():
        assert chain_env.token.balanceOf(address) == grams, address
    assert chain_env.token.balanceOf(chain_env.platform) - platform_before == platform_total

    health = httpx.get(server.url + "/health").json()
    assert health["status"] == "ok" and health["chain"]["ok"] and health["backlog"]["total"] == 0
    assert health["signer"]["address"] == chain_env.oracle_account.address
    metrics = httpx.get(server.url + "/metrics").text
    assert "oracle_purchases_accepted_total 45.0" in metrics and "oracle_purchases_minted_total 45.0" in metrics
    assert "oracle_purchases_duplicate_total 10.0" in metrics and "oracle_batch_size_count" in metrics

    # CLI: status and export
    status = json.loads(server.cli("status", "--backend", "e2e-shop-1", "--order", "order-1").stdout)
    assert status["status"] == "minted" and status["ref"] == records[1]["ref"]
    rows = list(csv.DictReader(io.StringIO(server.cli("export").stdout)))
    assert len(rows) == 45 and all(row["tx_hash"].startswith("0x") for row in rows)
    listing = server.cli("backend", "list").stdout
    assert all(name in listing for name in keys)


def test_refund_and_settlement_over_http(chain_env, tmp_path):
    """With a settlement window a purchase waits (settling) and can be refunded; nothing refunded is minted."""
    proc = OracleProcess(chain_env.oracle_env(f"sqlite:///{tmp_path}/settle.db", ORACLE_SETTLEMENT_SECONDS=4), tmp_path)
    key = Account.create()
    proc.cli("backend", "add", "settle-shop", key.address)
    proc.start()
    try:
        client = OracleClient(proc.url, "settle-shop", key.key)
        keep = client.submit_purchase("keep", random_address(), random_address(), 1234)
        drop = client.submit_purchase("drop", random_address(), random_address(), 4321)
        assert client.wait_for(keep["ref"], "settling", timeout=10)["timestamps"]["settling"]
        refunded = client.refund(drop["ref"], "order cancelled")
        assert refunded["status"] == "refunded"
        done = client.wait_for(keep["ref"], "minted", timeout=30)
        assert done["timestamps"]["queued"] and done["timestamps"]["settling"]
        assert client.status(drop["ref"])["status"] == "refunded"
        assert not chain_env.mining.isMined(drop["ref"]) and chain_env.mining.isMined(keep["ref"])
        resp = httpx.post(proc.url + f"/purchases/{keep['ref']}/refund", json={})
        assert resp.status_code == 422
        with pytest.raises(Exception) as info:
            client.refund(keep["ref"])
        assert getattr(info.value, "status", None) == 409  # minted: grams are final
    finally:
        proc.stop()

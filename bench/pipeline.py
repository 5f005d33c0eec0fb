"""The mint pipeline against the chain it runs on (issue 14): the chain's raw capacity for 100-purchase batches
(bench/chain_capacity.py, no oracle), the real oracle's end to end beside it (one batch in flight and a larger
window), accept→minted latency at half that rate, batcher processes sharing one PostgreSQL store, and gas per
purchase beside the storage floor. Each chain runs on a fresh node of its own (Ganache, then anvil).

    .venv/bin/python -m bench --only pipeline [--chains ganache-cli,anvil] [--quick] [--port 8611]

Every purchase in this section is a returning one: one priming batch gives the fleet's 100 consumers, 100 referrers
and 10 suppliers (and the platform) grams, and every later receipt cycles through the same recipients, so the chain
work per purchase is the same in every row. The oracle runs as a separate process (oracle.process.OracleProcess),
SQLite store unless said otherwise, batch_size 100; receipts are signed before the clock starts.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from bench import harness
from bench.chain_capacity import Fleet
from bench.harness import OracleServer, percentile, progress
from bench.pipeline_render import render

GRAM = 10**18

LATENCY_SECONDS = 40  # the latency run posts for about this long (at most its purchase count), whatever the rate
SCALING_SECONDS = 30  # a scaling row is sized to take about this long at the 1-batcher end-to-end rate
SIZES = {  # (quick, full) per chain: raw batches, end-to-end purchases, latency purchases, scaling purchases (max)
    "ganache-cli": {False: (10, 1000, 300, 600), True: (4, 300, 150, 200)},
    "anvil": {False: (30, 4000, 2000, 3000), True: (10, 1000, 500, 1000)},
}


def inflight_env(window: int) -> dict[str, int]:
    """The oracle's environment for `window` batches in flight per key (issue 14's `max_inflight`)."""
    return {"ORACLE_MAX_INFLIGHT": window}


def floor_per_purchase(batches: list[tuple[int, set[str]]]) -> float:
    """The storage floor (bench/gas_mining.py's formula) of batches of returning recipients: [(purchases, distinct
    recipients)] -> floor gas per purchase over all of them."""
    from bench.gas_mining import storage_floor

    purchases = sum(n for n, _ in batches)
    return sum(storage_floor(n, 0, len(recipients)) for n, recipients in batches) / max(1, purchases)


def store_facts(db_url: str, platform: str) -> dict[str, Any]:
    """From the oracle's store: minted, accept→minted percentiles, and gas per purchase of the confirmed batches
    beside their storage floor (distinct recipients per batch, the platform included)."""
    from sqlalchemy import select

    from oracle.models import Batch, Purchase
    from oracle.store import Store

    store = Store(db_url)
    try:
        with store.sessions() as s:
            cols = (Purchase.accepted_at, Purchase.minted_at, Purchase.status, Purchase.batch_id)
            rows = s.execute(select(*cols, Purchase.consumer, Purchase.referrer, Purchase.supplier)).all()
            batches = {
                i: g for i, g, st in s.execute(select(Batch.id, Batch.gas_used, Batch.status)) if st == "confirmed"
            }
    finally:
        store.close()
    minted = [r for r in rows if r[2] == "minted"]
    per_batch: dict[int, tuple[int, set[str]]] = {}
    for _a, _m, _st, batch_id, *parties in minted:
        if batch_id in batches and batches[batch_id]:
            n, recipients = per_batch.get(batch_id, (0, {platform.lower()}))
            recipients.update(p.lower() for p in parties if p and int(p, 16))
            per_batch[batch_id] = (n + 1, recipients)
    gas = sum(batches[b] for b in per_batch)
    waits = [m - a for a, m, *_ in minted]
    return {
        "minted": len(minted),
        "rejected": sum(1 for r in rows if r[2] == "rejected"),
        "last_minted_at": max((m for _, m, *_ in minted), default=0.0),
        "accept_to_mint_p50_s": percentile(waits, 50),
        "accept_to_mint_p99_s": percentile(waits, 99),
        "batches": len(per_batch),
        "gas_per_purchase": gas / max(1, sum(n for n, _ in per_batch.values())),
        "floor_per_purchase": floor_per_purchase(list(per_batch.values())),
    }


class Shop:
    """One registered backend whose receipts all go to the fleet (returning consumers)."""

    def __init__(self, dep: Any, fleet: Fleet) -> None:
        from bench.oracle_throughput import Backend

        self.dep, self.fleet, self.backend = dep, fleet, Backend("pipeline-shop")
        self.platform = str(dep.mining.platform())

    def store(self, db_url: str) -> str:
        self.backend.register(db_url)
        return db_url

    def bodies(self, n: int, prefix: str) -> list[bytes]:
        f = self.fleet
        key = bytes(self.backend.account.key)
        return harness.sign_bodies(
            self.dep.domain(),
            self.backend.name,
            key,
            n,
            prefix=f"{prefix}-{time.time_ns()}",
            consumers=f.consumers,
            referrers=f.referrers,
            suppliers=f.suppliers,
        )


def _wait(shop: Shop, db_url: str, n: int, label: str) -> None:
    from bench.oracle_throughput import _wait_minted

    _wait_minted(db_url, n, timeout=max(180.0, n * 0.5), label=label)


def end_to_end(shop: Shop, workdir: Path, n: int, window: int, label: str) -> dict[str, Any]:
    """POST `n` purchases at 32 connections to one oracle (batcher on, batch_size 100) and wait until all are
    minted: accepted/s, minted/s (first POST to last minted), latency and gas from the store."""
    db_url = shop.store(f"sqlite:///{workdir}/pipeline-{time.time_ns()}.db")
    bodies = shop.bodies(n, "e2e")
    env = shop.dep.env(db_url, ORACLE_BATCH_SIZE=100, **inflight_env(window))
    with OracleServer(env, workdir) as server:
        progress(f"{label}: posting {n} purchases (32 connections)")
        t0 = time.time()
        accept = harness.post_all(server.url, bodies, 32)
        _wait(shop, db_url, n, label)
    facts = store_facts(db_url, shop.platform)
    elapsed = facts["last_minted_at"] - t0
    return {
        "label": label,
        "max_inflight": window,
        "purchases": n,
        "accepted_per_second": accept["per_second"],
        "minted_per_second": facts["minted"] / elapsed,
        "seconds_to_all_minted": elapsed,
        **{k: facts[k] for k in ("minted", "rejected", "batches", "accept_to_mint_p50_s", "accept_to_mint_p99_s")},
        **{k: facts[k] for k in ("gas_per_purchase", "floor_per_purchase")},
    }


def latency(shop: Shop, workdir: Path, rate: float, n: int, batch_size: int, wait_s: float) -> dict[str, Any]:
    """POST `n` purchases at a fixed `rate`; accept→minted p50/p99 from the store."""
    db_url = shop.store(f"sqlite:///{workdir}/latency-{time.time_ns()}.db")
    bodies = shop.bodies(n, "latency")
    env = shop.dep.env(db_url, ORACLE_BATCH_SIZE=batch_size, ORACLE_BATCH_WAIT_SECONDS=wait_s, **inflight_env(4))
    with OracleServer(env, workdir) as server:
        progress(f"latency: {n} purchases at {rate:,.1f}/s (batch_size {batch_size}, batch_wait {wait_s} s)")
        seconds = harness.post_paced(server.url, bodies, rate)
        _wait(shop, db_url, n, "latency")
    facts = store_facts(db_url, shop.platform)
    return {
        "rate": rate,
        "purchases": n,
        "posted_per_second": n / seconds,
        "batch_size": batch_size,
        "batch_wait_seconds": wait_s,
        "max_inflight": 4,
        **{k: facts[k] for k in ("minted", "batches", "accept_to_mint_p50_s", "accept_to_mint_p99_s")},
    }


def oracle_keys(dep: Any, count: int) -> list[str]:
    """`count` oracle keys holding ORACLE_ROLE (the deployment's own first; the others funded and granted by the
    deploy script's add_oracle from the governance account)."""
    from brownie import accounts

    from bench.chain import quiet
    from scripts.deploy import add_oracle

    keys = [str(dep.private_key)]
    with quiet():
        for _ in range(count - 1):
            extra = accounts.add()
            accounts[0].transfer(extra, 50 * GRAM)
            add_oracle(dep.mining, extra, accounts[1])
            keys.append(str(extra.private_key))
    return keys


def _scaling_row(shop: Shop, workdir: Path, pg: Any, keys: list[str], n: int) -> dict[str, Any]:
    db_url = shop.store(pg.create_db(f"pipeline{len(keys)}x{time.time_ns() % 10**6}"))
    bodies = shop.bodies(n, f"scale{len(keys)}")
    base = dict(ORACLE_BATCH_SIZE=100, **inflight_env(4))
    api = OracleServer(shop.dep.env(db_url, **base), workdir, batcher=False)
    batchers = [OracleServer(shop.dep.env(db_url, ORACLE_PRIVATE_KEY=k, **base), workdir) for k in keys]
    with api:
        for b in batchers:
            b.start()
        try:
            progress(f"scaling: {len(keys)} batcher(s) on PostgreSQL, {n} purchases")
            t0 = time.time()
            accept = harness.post_all(api.url, bodies, 32)
            _wait(shop, db_url, n, f"{len(keys)} batcher(s)")
        finally:
            for b in batchers:
                b.stop()
    facts = store_facts(db_url, shop.platform)
    return {
        "batchers": len(keys),
        "purchases": n,
        "accepted_per_second": accept["per_second"],
        "minted_per_second": facts["minted"] / (facts["last_minted_at"] - t0),
        **{k: facts[k] for k in ("minted", "rejected", "batches", "gas_per_purchase")},
    }


def scaling(shop: Shop, workdir: Path, n: int, counts: tuple[int, ...] = (1, 2, 4)) -> dict[str, Any]:
    """1, 2, 4 batcher processes (one key each) and one API process (`serve --no-batcher`), one PostgreSQL."""
    keys = oracle_keys(shop.dep, max(counts))
    out: dict[str, Any] = {"rows": []}
    try:
        pg = harness.Postgres()
    except RuntimeError as exc:
        return {"rows": [], "skipped": str(exc)}
    with pg:
        out["postgresql_version"] = pg.version()
        for count in counts:
            out["rows"].append(_scaling_row(shop, workdir, pg, keys[:count], n))
    return out


def measure(network: str, workdir: Path, quick: bool = False, with_scaling: bool = True) -> dict[str, Any]:
    """Every row of the section on the connected (fresh) chain `network`."""
    from brownie import web3

    from bench import chain_capacity
    from bench.oracle_throughput import Deployment

    t0 = time.time()
    k, n_e2e, n_lat, n_scale = SIZES.get(network, SIZES["anvil"])[quick]
    dep, fleet = Deployment(workdir), Fleet()
    out: dict[str, Any] = {"network": network, "client": web3.client_version, "quick": quick}
    out["raw"] = chain_capacity.measure(dep, fleet, k)
    shop = Shop(dep, fleet)
    out["end_to_end"] = [end_to_end(shop, workdir, n_e2e, w, f"oracle, max_inflight={w}") for w in (1, 4)]
    best = max(r["minted_per_second"] for r in out["end_to_end"])
    wait_s = 0.2 if network.startswith("ganache") else 0.1
    rate = round(best / 2, 1)
    out["latency"] = latency(shop, workdir, rate, max(200, min(n_lat, int(rate * LATENCY_SECONDS))), 100, wait_s)
    if with_scaling:  # a loaded machine makes everything slower: size the rows by the rate just measured
        out["scaling"] = scaling(shop, workdir, max(500, min(n_scale, int(best * SCALING_SECONDS)) // 100 * 100))
    out["seconds"] = round(time.time() - t0, 1)
    return out


__all__ = ["end_to_end", "floor_per_purchase", "inflight_env", "latency", "measure", "render", "scaling"]

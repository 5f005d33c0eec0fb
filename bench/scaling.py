"""How it scales: minted/s and gas per purchase as the oracle's batch size grows (end to end on Ganache), and
POST /purchases latency as the store grows to 1,000,000 purchases (SQLite and PostgreSQL).

    .venv/bin/python -m bench --only scaling [--quick] [--store-max 1000000]

Store growth: the store is filled with bulk INSERTs through the store's own SQLAlchemy model (not over HTTP;
rows look like minted purchases, so the batcher would have nothing to do), then the real oracle process
(batcher off, no chain needed) answers signed POSTs at each size. PostgreSQL is a temporary server started
for the run (initdb/pg_ctl on a free port, default durability settings) and removed after.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from bench import harness
from bench.harness import progress

SIZES = (0, 10_000, 100_000, 1_000_000)
MINING = "0x" + "42" * 20
CHAIN_ID = 1337


def batch_sweep(
    dep: Any, workdir: Path, sizes: tuple[int, ...], quick: bool, known: dict[int, dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    from bench.oracle_throughput import end_to_end

    known = known or {}
    out = []
    for b in sizes:
        if b in known:
            out.append(known[b])
            continue
        n = 30 if b == 1 and quick else 120 if b == 1 else max(4 * b, 200) if quick else max(10 * b, 400)
        out.append(end_to_end(dep, workdir, b, n, concurrency=8 if b == 1 else 32, label=f"sweep: batch_size={b}"))
    return out


def _fill(db_url: str, start: int, stop: int) -> float:
    """Bulk-insert purchases start..stop-1 (minted-looking rows). Returns rows per second."""
    from oracle.models import Purchase
    from oracle.status import PurchaseStatus
    from oracle.store import Store

    store = Store(db_url)
    now = time.time()
    t0 = time.perf_counter()
    chunk = 20_000
    try:
        for lo in range(start, stop, chunk):
            rows = [
                dict(
                    ref=f"0x{i:064x}",
                    backend_id="filler",
                    order_id=f"fill-{i}",
                    consumer=f"0x{(i % 50_000) + 1:040x}",
                    referrer=f"0x{(i % 5_000) + 1:040x}",
                    supplier=f"0x{(i % 100) + 1:040x}",
                    amount=19_900,
                    currency="CNY",
                    paid_at=int(now),
                    referrer_bps=0,
                    signature="0x" + "ab" * 65,
                    digest=f"0x{i:064x}",
                    status=PurchaseStatus.MINTED,
                    mintable_at=now,
                    accepted_at=now,
                    minted_at=now,
                    updated_at=now,
                    tx_hash="0x" + "cd" * 32,
                    block_number=1,
                    consumer_grams="1",
                    referrer_grams="1",
                    supplier_grams="1",
                    platform_grams="1",
                    rate="1",
                )
                for i in range(lo, min(stop, lo + chunk))
            ]
            with store.engine.begin() as conn:
                conn.execute(Purchase.__table__.insert(), rows)
            if ((lo - start) // chunk) % 10 == 9:
                progress(f"fill: {min(stop, lo + chunk):,}/{stop:,} rows")
    finally:
        store.close()
    return (stop - start) / max(1e-9, time.perf_counter() - t0)


def store_growth(
    kind: str, db_url: str, workdir: Path, sizes: tuple[int, ...], n: int, concurrency: tuple[int, ...]
) -> list[dict[str, Any]]:
    from bench.oracle_throughput import accept_only
    from oracle.receipts import Domain

    env = harness.clean_env(
        ORACLE_DATABASE_URL=db_url,
        ORACLE_CHAIN_ID=CHAIN_ID,
        ORACLE_MINING_ADDRESS=MINING,
        ORACLE_MAX_REFERRER_BPS=4000,
        ORACLE_RPC_URL="http://127.0.0.1:1",
        ORACLE_DEPLOYMENT_FILE=str(workdir / "no-deployment.json"),
        ORACLE_BACKEND_CACHE_SECONDS=60,
    )
    domain = Domain(CHAIN_ID, MINING)
    out, filled, accepted = [], 0, 0
    for size in sizes:
        target = max(0, size - accepted)  # purchases already accepted by earlier steps count toward the size
        fill_rate = None
        if target > filled:
            progress(f"{kind}: filling the store to {size:,} purchases")
            fill_rate = _fill(db_url, filled, target)
            filled = target
        for conc in concurrency:
            res = accept_only(
                None, workdir, n, conc, db_url=db_url, env=env, domain=domain, label=f"{kind} @ {size:,} purchases"
            )
            accepted += n + 200  # + warm-up
            out.append(
                {
                    "store": kind,
                    "size": size,
                    "concurrency": conc,
                    "fill_rows_per_second": fill_rate,
                    **{
                        k: res[k]
                        for k in ("requests", "per_second", "p50_ms", "p90_ms", "p99_ms", "max_ms", "statuses")
                    },
                }
            )
    return out


def measure_store(quick: bool, store_max: int, workdir: Path | None = None, postgres: bool = True) -> dict[str, Any]:
    import shutil

    own = workdir is None
    workdir = workdir or Path(tempfile.mkdtemp(prefix="bench-store-"))
    sizes = tuple(s for s in SIZES if s <= store_max)
    n = 500 if quick else 2000
    conc = (1, 32)
    out: dict[str, Any] = {"sizes": sizes, "rows": []}
    try:
        out["rows"] += store_growth("SQLite", f"sqlite:///{workdir}/growth.db", workdir, sizes, n, conc)
        if postgres:
            try:
                pg = harness.Postgres()
            except RuntimeError as exc:
                out["postgresql_skipped"] = str(exc)
            else:
                try:
                    pg.start()
                    out["postgresql_version"] = pg.version()
                    url = pg.create_db("growth")
                    out["rows"] += store_growth("PostgreSQL", url, workdir, sizes, n, conc)
                finally:
                    pg.stop()
    finally:
        if own:
            shutil.rmtree(workdir, ignore_errors=True)
    return out


def render_sweep(rows: list[dict[str, Any]]) -> str:
    base = next((r for r in rows if r["batch_size"] == 1), None)
    out = [
        "### Scaling with the oracle's batch size (end to end on Ganache)",
        "",
        "| batch_size | purchases | txs | minted/s | × batch_size=1 | gas / purchase | accept→minted p50 s |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        ratio = f"{r['minted_per_second'] / base['minted_per_second']:.1f}x" if base else "-"
        out.append(
            f"| {r['batch_size']} | {r['purchases']:,} | {r['transactions']} | {r['minted_per_second']:,.1f} | "
            f"{ratio} | {r['gas_per_purchase']:,.0f} | {r['accept_to_mint_p50_s']:.2f} |"
        )
    return "\n".join(out)


def render_store(res: dict[str, Any]) -> str:
    out = [
        "### POST /purchases as the store grows (batcher off; store pre-filled with bulk INSERTs)",
        "",
        "| store | purchases in store | connections | accepted/s | p50 ms | p99 ms | max ms |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in res["rows"]:
        out.append(
            f"| {r['store']} | {r['size']:,} | {r['concurrency']} | {r['per_second']:,.0f} | {r['p50_ms']:.1f} | "
            f"{r['p99_ms']:.1f} | {r['max_ms']:.1f} |"
        )
    if "postgresql_skipped" in res:
        out += ["", f"PostgreSQL skipped: {res['postgresql_skipped']}"]
    elif "postgresql_version" in res:
        out += ["", f"PostgreSQL: {res['postgresql_version']} (temporary server, fsync and synchronous_commit on)."]
    return "\n".join(out)

"""Oracle throughput on Ganache: accepted/s and p50/p99 latency of POST /purchases, and minted/s end to end
(accepted to confirmed), batched vs the one-transaction-per-purchase baseline (batch_size=1, same oracle code
path, same chain, same run).

    .venv/bin/python -m bench --only oracle [--quick] [--port 8801]

Set-up: BlackGold + PurchaseMining deployed by scripts/deploy.py (deploy_mining) on the bench's Ganache; the real oracle
process (`python -m oracle serve`, one uvicorn worker, SQLite file in WAL mode) with its own signing key;
receipts signed beforehand by one registered backend; a concurrent keep-alive HTTP client (bench/harness.py).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from bench import harness
from bench.harness import OracleServer, percentile, progress

GRAM = 10**18


class Deployment:
    """Contracts and the oracle's key on the connected chain, and the env an oracle process needs."""

    def __init__(self, workdir: Path) -> None:
        from brownie import accounts, chain, web3

        from bench.chain import quiet, rpc_url
        from scripts.deploy import MiningSettings, add_oracle, deploy_mining, wire_mining
        from scripts.deploy import contract_container as _container

        deployer, governance, platform = accounts[0], accounts[1], accounts[4]
        with quiet():
            oracle_account = accounts.add()
            deployer.transfer(oracle_account, 50 * GRAM)
            token = _container("BlackGold").deploy(1_000_000_000 * GRAM, deployer, {"from": deployer})
            mining = deploy_mining(
                token, governance, deployer, MiningSettings(platform=platform.address, daily_ceiling_wei=10**27)
            )
            wire_mining(token, mining, deployer)
            add_oracle(mining, oracle_account, governance)
        self.token, self.mining = token, mining
        self.chain_id = chain.id
        self.rpc_url = rpc_url()
        self.private_key = oracle_account.private_key
        self.deployment_file = workdir / "deployment.json"
        import json

        self.deployment_file.write_text(
            json.dumps(
                {
                    "chain_id": chain.id,
                    "contracts": {"BlackGold": token.address, "PurchaseMining": mining.address},
                    "blocks": {"PurchaseMining": mining.tx.block_number},
                }
            )
        )
        self.web3 = web3

    def domain(self) -> Any:
        from oracle.receipts import Domain

        return Domain(chain_id=self.chain_id, verifying_contract=self.mining.address)

    def env(self, db_url: str, **extra: Any) -> dict[str, str]:
        values = dict(
            ORACLE_DATABASE_URL=db_url,
            ORACLE_RPC_URL=self.rpc_url,
            ORACLE_DEPLOYMENT_FILE=self.deployment_file,
            ORACLE_PRIVATE_KEY=self.private_key,
            ORACLE_BATCH_WAIT_SECONDS=0.2,
            ORACLE_POLL_INTERVAL_SECONDS=0.02,
            ORACLE_CONFIRMATIONS=1,
            ORACLE_BACKEND_CACHE_SECONDS=60,
        )
        values.update(extra)
        return harness.clean_env(**values)


class Backend:
    """One shop backend's key, registered in a store before the server starts."""

    def __init__(self, name: str = "bench-shop") -> None:
        from eth_account import Account

        self.name = name
        self.account = Account.create()

    def register(self, db_url: str) -> None:
        from oracle.store import Store

        store = Store(db_url)
        store.add_backend(self.name, self.account.address, "bench")
        store.close()

    def bodies(self, domain: Any, n: int, prefix: str) -> list[bytes]:
        return harness.sign_bodies(
            domain,
            self.name,
            bytes(self.account.key),
            n,
            prefix=prefix,
            consumers=harness.addresses(f"{prefix}-consumer", max(1, n // 2)),
            referrers=harness.addresses(f"{prefix}-referrer", 50),
            suppliers=harness.addresses("supplier", 10),
        )


def _wait_minted(db_url: str, n: int, timeout: float, label: str) -> None:
    from oracle.store import Store

    store = Store(db_url)
    try:
        deadline = time.monotonic() + timeout
        last_print = 0.0
        while time.monotonic() < deadline:
            counts = store.counts()
            if counts["minted"] + counts["rejected"] >= n:
                return
            if time.monotonic() - last_print > 5:
                progress(f"{label}: {counts['minted']}/{n} minted")
                last_print = time.monotonic()
            time.sleep(0.05)
        raise TimeoutError(f"{label}: not all purchases minted within {timeout:.0f} s ({store.counts()})")
    finally:
        store.close()


def _minted_facts(db_url: str) -> dict[str, Any]:
    from sqlalchemy import select

    from oracle.models import Batch, Purchase
    from oracle.store import Store

    store = Store(db_url)
    try:
        with store.sessions() as s:
            rows = s.execute(select(Purchase.accepted_at, Purchase.minted_at, Purchase.status)).all()
            batches = s.execute(select(Batch.size, Batch.gas_used, Batch.status)).all()
    finally:
        store.close()
    minted = [(a, m) for a, m, st in rows if st == "minted"]
    confirmed = [(size, gas) for size, gas, st in batches if st == "confirmed" and gas]
    return {
        "minted": len(minted),
        "rejected": sum(1 for *_, st in rows if st == "rejected"),
        "first_accepted_at": min(a for a, _ in minted),
        "last_minted_at": max(m for _, m in minted),
        "accept_to_mint_p50_s": percentile([m - a for a, m in minted], 50),
        "accept_to_mint_p99_s": percentile([m - a for a, m in minted], 99),
        "batches": len(confirmed),
        "gas_per_purchase": sum(g for _, g in confirmed) / max(1, sum(s for s, _ in confirmed)),
    }


def end_to_end(
    dep: Deployment, workdir: Path, batch_size: int, n: int, concurrency: int = 32, label: str | None = None
) -> dict[str, Any]:
    """Accept `n` purchases over HTTP and wait until all are minted; the oracle batches `batch_size` per tx."""
    label = label or f"batch {batch_size}"
    db_url = f"sqlite:///{workdir}/e2e-{batch_size}-{int(time.time() * 1000)}.db"
    backend = Backend()
    backend.register(db_url)
    bodies = backend.bodies(dep.domain(), n, prefix=f"e2e-{batch_size}-{time.time_ns()}")
    block_before = dep.web3.eth.block_number
    with OracleServer(dep.env(db_url, ORACLE_BATCH_SIZE=batch_size), workdir) as server:
        progress(f"{label}: posting {n} purchases ({concurrency} connections)")
        t0 = time.time()
        accept = harness.post_all(server.url, bodies, concurrency)
        _wait_minted(db_url, n, timeout=max(120.0, n * 1.0), label=label)
    facts = _minted_facts(db_url)
    elapsed = facts["last_minted_at"] - t0
    return {
        "batch_size": batch_size,
        "purchases": n,
        "concurrency": concurrency,
        "accepted_per_second": accept["per_second"],
        "accept_p50_ms": accept["p50_ms"],
        "accept_p99_ms": accept["p99_ms"],
        "statuses": accept["statuses"],
        "seconds_to_all_minted": elapsed,
        "minted_per_second": facts["minted"] / elapsed,
        "accept_to_mint_p50_s": facts["accept_to_mint_p50_s"],
        "accept_to_mint_p99_s": facts["accept_to_mint_p99_s"],
        "transactions": facts["batches"],
        "gas_per_purchase": facts["gas_per_purchase"],
        "blocks": dep.web3.eth.block_number - block_before,
        "minted": facts["minted"],
        "rejected": facts["rejected"],
    }


def accept_only(
    dep: Deployment | None,
    workdir: Path,
    n: int,
    concurrency: int,
    db_url: str | None = None,
    env: dict[str, str] | None = None,
    domain: Any = None,
    label: str = "accept",
) -> dict[str, Any]:
    """POST /purchases with the batcher off (API + store only): accepted/s and latency."""
    db_url = db_url or f"sqlite:///{workdir}/accept-{time.time_ns()}.db"
    backend = Backend()
    backend.register(db_url)
    domain = domain or dep.domain()
    bodies = backend.bodies(domain, n, prefix=f"acc-{time.time_ns()}")
    env = env or dep.env(db_url)
    with OracleServer(env, workdir, batcher=False) as server:
        # warm-up: first requests pay imports, the backend cache and connection set-up
        harness.post_all(server.url, backend.bodies(domain, 200, prefix=f"warm-{time.time_ns()}"), concurrency)
        progress(f"{label}: posting {n} purchases ({concurrency} connections)")
        res = harness.post_all(server.url, bodies, concurrency)
    res["label"] = label
    return res


def measure(quick: bool = False, workdir: Path | None = None, batched_size: int = 100) -> dict[str, Any]:
    """The oracle section: API-only accept rate, then end to end batched vs batch_size=1 (same chain)."""
    own = workdir is None
    workdir = workdir or Path(tempfile.mkdtemp(prefix="bench-oracle-"))
    dep = Deployment(workdir)
    n_accept = 1000 if quick else 4000
    n_batched = 500 if quick else 2000
    n_single = 30 if quick else 120
    out: dict[str, Any] = {"accept": [], "end_to_end": []}
    for conc in (1, 32) if quick else (1, 8, 32, 64):
        out["accept"].append(
            accept_only(
                dep, workdir, n_accept if conc > 1 else n_accept // 4, conc, label=f"API only, {conc} connections"
            )
        )
    out["end_to_end"].append(end_to_end(dep, workdir, 1, n_single, concurrency=8, label="baseline: batch_size=1"))
    out["end_to_end"].append(
        end_to_end(dep, workdir, batched_size, n_batched, concurrency=32, label=f"batched: batch_size={batched_size}")
    )
    base, batched = out["end_to_end"][0], out["end_to_end"][1]
    out["speedup_minted_per_second"] = batched["minted_per_second"] / base["minted_per_second"]
    out["deployment"] = dep
    if own:
        import shutil

        shutil.rmtree(workdir, ignore_errors=True)
    return out


def render(res: dict[str, Any]) -> str:
    out = [
        "### Oracle: POST /purchases accepted per second (API + SQLite store, batcher off)",
        "",
        "| connections | requests | accepted/s | p50 ms | p90 ms | p99 ms | max ms | statuses |",
        "|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in res["accept"]:
        out.append(
            f"| {r['concurrency']} | {r['requests']:,} | {r['per_second']:,.0f} | {r['p50_ms']:.1f} | "
            f"{r['p90_ms']:.1f} | {r['p99_ms']:.1f} | {r['max_ms']:.1f} | {r['statuses']} |"
        )
    out += [
        "",
        "### Oracle end to end on Ganache: accepted to minted (confirmed), batched vs one tx per purchase",
        "",
        "| oracle | purchases | accepted/s | accept p50 / p99 ms | minted/s | accept→minted p50 / p99 s | txs | gas / purchase |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in res["end_to_end"]:
        name = "baseline: batch_size=1" if r["batch_size"] == 1 else f"batched: batch_size={r['batch_size']}"
        out.append(
            f"| {name} | {r['purchases']:,} | {r['accepted_per_second']:,.0f} | {r['accept_p50_ms']:.1f} / "
            f"{r['accept_p99_ms']:.1f} | **{r['minted_per_second']:,.1f}** | {r['accept_to_mint_p50_s']:.2f} / "
            f"{r['accept_to_mint_p99_s']:.2f} | {r['transactions']} | {r['gas_per_purchase']:,.0f} |"
        )
    out += ["", f"Minted/s, batched ÷ baseline: **{res['speedup_minted_per_second']:.1f}x**."]
    return "\n".join(out)

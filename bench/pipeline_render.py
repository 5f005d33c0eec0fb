"""The pipeline section's tables (bench/pipeline.py measures): one block of tables per chain, each target of
issue 14 marked met or not met beside the figure it is about. Pure functions of the measured dict."""

from __future__ import annotations

from typing import Any

TARGET_E2E = 0.8  # end to end >= 80% of the reference capacity
TARGET_P50_S = 3.0  # accept->minted p50 at half capacity, anvil
TARGET_FLOOR = 1.3  # gas per purchase <= 1.3x the storage floor


def mark(ok: bool) -> str:
    return "met" if ok else "**not met**"


def reference(res: dict[str, Any], row: dict[str, Any]) -> tuple[float, str]:
    """What an end-to-end row is held against: the raw capacity on Ganache; on anvil (and any other node) the lower
    of the raw capacity and the accept path's rate measured in the same run."""
    raw = float(res["raw"]["capacity"])
    if res["network"].startswith("ganache"):
        return raw, "raw capacity"
    accepted = float(row["accepted_per_second"])
    return (raw, "raw capacity") if raw <= accepted else (accepted, "accepted/s")


def _raw_table(res: dict[str, Any]) -> list[str]:
    raw = res["raw"]
    out = [
        f"### Pipeline on {res['network']} ({res['client']}): the chain's raw capacity, no oracle",
        "",
        f"{raw['batches']} pre-signed `PurchaseMining.mintBatch` of {raw['batch_size']} returning purchases each, "
        f"gas limit {raw['modes'][0]['gas_limit']:,} from the oracle's gas model, `eth_sendRawTransaction` from "
        "web3.py. Fresh node for this chain; the purchases mined before each row are all this section's.",
        "",
        "| sent | purchases mined on the node before | seconds | purchases/s | gas / purchase | failed |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for m in raw["modes"]:
        how = m["mode"] + (" (one JSON-RPC batch request)" if m["mode"] == "back to back" else " (send, receipt)")
        out.append(
            f"| {how} | {m['purchases_mined_before']:,} | {m['seconds']:.2f} | **{m['purchases_per_second']:,.0f}** | "
            f"{m['gas_per_purchase']:,.0f} | {m['failed']} |"
        )
    return out


def _e2e_table(res: dict[str, Any]) -> list[str]:
    goal = "raw capacity" if res["network"].startswith("ganache") else "the lower of raw capacity and accepted/s"
    out = [
        "",
        f"### Pipeline on {res['network']}: the oracle end to end (SQLite, batch_size 100) vs the raw capacity",
        "",
        f"Target: minted/s ≥ {TARGET_E2E:.0%} of the reference, {goal} (raw capacity: the faster row above).",
        "",
        f"| oracle | purchases | accepted/s | minted/s | ÷ raw capacity | reference | ÷ reference | ≥ {TARGET_E2E:.0%} | "
        "accept→minted p50 / p99 s | txs |",
        "|---|---:|---:|---:|---:|---|---:|---|---:|---:|",
    ]
    raw = float(res["raw"]["capacity"])
    for r in res["end_to_end"]:
        ref, what = reference(res, r)
        ratio = r["minted_per_second"] / ref
        out.append(
            f"| {r['label']} | {r['purchases']:,} | {r['accepted_per_second']:,.0f} | **{r['minted_per_second']:,.1f}**"
            f" | {r['minted_per_second'] / raw:.0%} | {what} {ref:,.0f}/s | {ratio:.0%} | {mark(ratio >= TARGET_E2E)} | "
            f"{r['accept_to_mint_p50_s']:.2f} / {r['accept_to_mint_p99_s']:.2f} | {r['batches']} |"
        )
    return out


def _latency_table(res: dict[str, Any]) -> list[str]:
    lat = res["latency"]
    anvil = not res["network"].startswith("ganache")
    target = mark(lat["accept_to_mint_p50_s"] <= TARGET_P50_S) if anvil else "(target on anvil only)"
    window = f", max_inflight {lat['max_inflight']}" if lat.get("max_inflight") else ""
    return [
        "",
        f"### Pipeline on {res['network']}: accept→minted latency at half the end-to-end rate",
        "",
        f"Settings: batch_size {lat['batch_size']}, batch_wait {lat['batch_wait_seconds']} s, poll 0.02 s, 1 "
        f"confirmation{window}; POSTs paced open loop at a fixed rate.",
        "",
        f"| rate asked /s | posted /s | purchases | txs | p50 s | p99 s | p50 ≤ {TARGET_P50_S:.0f} s |",
        "|---:|---:|---:|---:|---:|---:|---|",
        f"| {lat['rate']:,.1f} | {lat['posted_per_second']:,.1f} | {lat['purchases']:,} | {lat['batches']} | "
        f"**{lat['accept_to_mint_p50_s']:.2f}** | {lat['accept_to_mint_p99_s']:.2f} | {target} |",
    ]


def _scaling_table(res: dict[str, Any]) -> list[str]:
    sc = res.get("scaling")
    if not sc:
        return ["", f"Scaling with batchers on PostgreSQL: not run on {res['network']} (anvil only by default)."]
    if sc.get("skipped"):
        return ["", f"Scaling with batchers on PostgreSQL skipped: {sc['skipped']}"]
    out = [
        "",
        f"### Pipeline on {res['network']}: batcher processes sharing one PostgreSQL store",
        "",
        "One API process (`serve --no-batcher`) takes the POSTs (32 connections); each batcher is its own process "
        f"with its own key holding ORACLE_ROLE. {sc['postgresql_version']}, default durability.",
        "",
        "| batchers | purchases | accepted/s | minted/s | × 1 batcher | txs | gas / purchase |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    base = sc["rows"][0]["minted_per_second"]
    for r in sc["rows"]:
        out.append(
            f"| {r['batchers']} | {r['purchases']:,} | {r['accepted_per_second']:,.0f} | "
            f"**{r['minted_per_second']:,.1f}** | {r['minted_per_second'] / base:.2f}x | {r['batches']} | "
            f"{r['gas_per_purchase']:,.0f} |"
        )
    return out


def _gas_table(res: dict[str, Any]) -> list[str]:
    out = [
        "",
        f"### Pipeline on {res['network']}: gas per purchase at batch 100, returning (the end-to-end runs' batches)",
        "",
        f"| run | confirmed txs | gas / purchase | storage floor / purchase | ÷ floor | ≤ {TARGET_FLOOR}x |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for r in res["end_to_end"]:
        ratio = r["gas_per_purchase"] / r["floor_per_purchase"]
        out.append(
            f"| {r['label']} | {r['batches']} | {r['gas_per_purchase']:,.0f} | {r['floor_per_purchase']:,.0f} | "
            f"**{ratio:.2f}x** | {mark(ratio <= TARGET_FLOOR)} |"
        )
    out += ["", f"Section time on {res['network']}: {res['seconds']:.0f} s."]
    return out


def render(res: dict[str, Any]) -> str:
    """Markdown for one chain's results."""
    return "\n".join(_raw_table(res) + _e2e_table(res) + _latency_table(res) + _scaling_table(res) + _gas_table(res))

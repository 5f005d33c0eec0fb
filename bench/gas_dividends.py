"""Gas of the dividends extension (contracts/extensions/ERC20Dividends.sol) on its test harness, beside the same
token without the extension, measured in one run.

Run: `.venv/bin/python -m bench.gas_dividends [--network ganache-cli] [--port 8547]`, or call `run()` (connects,
measures, disconnects, returns the rows) / `measure()` (on an already connected chain, e.g. from bench/__main__).

Rows, for the plain token (PlainTokenHarness: ERC20 + ERC20Permit) and the dividend token (DividendTokenHarness:
the same + ERC20Dividends) with 0, 1 and 2 payout assets registered, each with a stream running:
- transfer between two existing holders, one second after the previous transaction (the accumulator moved);
- mintBatch of 100 purchases = 400 mints (consumer, referrer, one of 10 suppliers, platform; one `_mint` per
  recipient, as BlackGold.mintBatch will do once every balance change passes `_update`), "returning" (every
  recipient already holds grams and was settled in an earlier second while a stream ran, so its slot is non-zero:
  the steady state) and "new" consumers and referrers;
- deposit (a fresh stream and into a running stream), claim, claimBySig.
Per-purchase figures compare to PurchaseMining's 56,801 gas per purchase (batch 100, returning; bench/results).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

GRAM = 10**18
USD = 10**6
WEEK = 7 * 86_400
PURCHASES = 100
SUPPLIERS = 10
MINING_GAS_PER_PURCHASE = 56_801  # bench/results/gas_mining.json, batch 100, returning


def _address(web3: Any, label: str) -> str:
    return web3.to_checksum_address("0x" + bytes(web3.keccak(text=label))[-20:].hex())


def measure() -> list[dict[str, Any]]:
    """Deploy fresh harnesses on the connected chain and measure; returns one row per (variant, operation)."""
    from brownie import accounts, chain, web3

    from bench.chain import containers
    from tests.dividends.signing import sign_claim

    c = containers()
    admin, depositor = accounts[0], accounts[1]
    opts = {"from": admin}
    rows: list[dict[str, Any]] = []

    def row(variant: str, op: str, gas: int, baseline: int | None = None, per: int = 1) -> None:
        rows.append({"variant": variant, "operation": op, "gas": gas, "baseline": baseline, "per": per})

    baselines: dict[str, int] = {}
    for assets in (None, 0, 1, 2):
        variant = "plain ERC20+Permit" if assets is None else f"dividends, {assets} asset(s)"
        token = c.PlainTokenHarness.deploy(opts) if assets is None else c.DividendTokenHarness.deploy(admin, opts)
        coins = []
        for k in range(assets or 0):
            coin = c.TestStablecoin.deploy(opts)
            token.registerPayoutAsset(coin, opts)
            coins.append(coin)
        tag = f"{assets}"
        platform = _address(web3, f"platform-{tag}")
        suppliers = [_address(web3, f"supplier-{tag}-{i}") for i in range(SUPPLIERS)]
        consumers = [_address(web3, f"consumer-{tag}-{i}") for i in range(PURCHASES)]
        referrers = [_address(web3, f"referrer-{tag}-{i}") for i in range(PURCHASES)]
        alice, bob = accounts[2], accounts[3]

        def batch(cons, refs):
            rec, amt = [], []
            for i in range(PURCHASES):
                rec += [cons[i], refs[i], suppliers[i % SUPPLIERS], platform]
                amt += [40 * GRAM, 10 * GRAM, 40 * GRAM, 10 * GRAM]
            return rec, amt

        token.mint(alice, 1_000 * GRAM, opts)
        token.mint(bob, 1_000 * GRAM, opts)
        token.mintBatch(*batch(consumers, referrers), opts)  # everyone holds grams now
        for coin in coins:  # a stream runs on every asset
            coin.mint(depositor, 10**9 * USD, {"from": depositor})
            coin.approve(token, 2**256 - 1, {"from": depositor})
            token.deposit(coin, 10_000 * USD, {"from": depositor})
        chain.sleep(1)
        token.transfer(bob, 1, {"from": alice})  # settles alice and bob once (their slots exist)
        chain.sleep(1)
        token.mintBatch(*batch(consumers, referrers), opts)  # first settlement of every recipient: slots exist
        chain.sleep(1)
        g = token.transfer(bob, GRAM, {"from": alice}).gas_used
        baselines.setdefault("transfer", g)
        row(variant, "transfer (existing holders, accumulator moved)", g, baselines["transfer"])
        chain.sleep(1)
        g = token.mintBatch(*batch(consumers, referrers), opts).gas_used
        baselines.setdefault("returning", g)
        row(variant, "mintBatch 100 purchases, returning", g, baselines["returning"], PURCHASES)
        new_c = [_address(web3, f"new-consumer-{tag}-{i}") for i in range(PURCHASES)]
        new_r = [_address(web3, f"new-referrer-{tag}-{i}") for i in range(PURCHASES)]
        chain.sleep(1)
        g = token.mintBatch(*batch(new_c, new_r), opts).gas_used
        baselines.setdefault("new", g)
        row(variant, "mintBatch 100 purchases, new consumers", g, baselines["new"], PURCHASES)

        if assets == 1:
            coin = coins[0]
            fresh = c.TestStablecoin.deploy(opts)
            token.registerPayoutAsset(fresh, opts)
            fresh.mint(depositor, 10**6 * USD, {"from": depositor})
            fresh.approve(token, 2**256 - 1, {"from": depositor})
            row("dividends", "deposit (no stream running)", token.deposit(fresh, 1_000 * USD, {"from": depositor}).gas_used)
            chain.sleep(3_600)
            row("dividends", "deposit (into a running stream)", token.deposit(coin, 10_000 * USD, {"from": depositor}).gas_used)
            chain.sleep(3_600)
            row("dividends", "claim (one asset)", token.claim(coin, bob, {"from": alice}).gas_used)
            signer = accounts.add()
            token.mint(signer, 100 * GRAM, opts)
            chain.sleep(3_600)
            deadline = chain[-1].timestamp + 3_600
            v, r, s = sign_claim(signer.private_key, token, signer, coin, bob, token.nonces(signer), deadline)
            row("dividends", "claimBySig (one asset)",
                token.claimBySig(signer, coin, bob, deadline, v, r, s, {"from": alice}).gas_used)
            chain.sleep(3_600)
            row("dividends", "claimAll (two assets)", token.claimAll(bob, {"from": alice}).gas_used)
    return rows


def render(rows: list[dict[str, Any]]) -> str:
    out = ["### Dividends extension gas (harness: ERC20 + Permit [+ ERC20Dividends]; streams running)", "",
           "| variant | operation | gas | per purchase | vs plain | per purchase vs 56,801 mining |",
           "|---|---|---:|---:|---:|---:|"]
    for r in rows:
        per = r["gas"] / r["per"] if r["per"] > 1 else None
        vs = f"+{(r['gas'] - r['baseline']) / r['baseline']:.1%}" if r["baseline"] else ""
        mining = f"+{(r['gas'] - r['baseline']) / r['per'] / MINING_GAS_PER_PURCHASE:.1%}" \
            if r["baseline"] and r["per"] > 1 else ""
        out.append(f"| {r['variant']} | {r['operation']} | {r['gas']:,} | {f'{per:,.0f}' if per else ''} | {vs} | {mining} |")
    return "\n".join(out)


def run(network: str = "ganache-cli", port: int | None = None) -> list[dict[str, Any]]:
    """Connect (Brownie launches the network's Ganache), measure, disconnect; returns the rows."""
    from bench import chain as bench_chain

    bench_chain.connect(network, port)
    try:
        with bench_chain.quiet():
            return measure()
    finally:
        bench_chain.disconnect()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--network", default="ganache-cli")
    parser.add_argument("--port", type=int)
    args = parser.parse_args()
    print(render(run(args.network, args.port)))

"""Gas of the dividends accounting on the real BlackGold, beside today's token in the same run.

    .venv/bin/python -m bench --only dividends       (or .venv/bin/python -m bench.gas_dividends)

Each variant deploys BlackGold + PurchaseMining with the default settings (bench/gas_mining.py's set-up) and
measures, with a stream running on every registered payout asset (6-decimal Test USD):
- a 100-purchase mining batch of returning consumers and of new ones (per purchase; every purchase has a referrer,
  10 suppliers, the platform),
- a plain transfer between two existing holders after the accumulator moved.
Variants: `BlackGoldBatchBaseline` (the token before this wave: no dividends, mintBatch beside `_update`), and
BlackGold with 0, 1 and 2 payout assets. Then deposit, claim, claimBySig and claimAll on BlackGold with 1-2 assets.
Targets (issue 12): with one payout asset a mining batch grows by at most 15% per purchase and a transfer by at
most 30%, both against the baseline token.
"""

from __future__ import annotations

import sys
from typing import Any

from bench.gas_mining import SUPPLIERS, _address, _batches, _new_second, _setup

GRAM = 10**18
USD = 10**6
WEEK = 7 * 86_400
PURCHASES = 100
TARGETS = {"mintBatch 100 purchases, returning": 15.0, "transfer": 30.0}


def _streams(token: Any, assets: int, accounts: Any) -> list[Any]:
    """Register `assets` Test USD coins (the token's admin still holds DIVIDENDS_ADMIN_ROLE) and start a stream."""
    from scripts.deploy import contract_container

    admin, depositor = accounts[0], accounts[1]
    coins = []
    for _ in range(assets):
        coin = contract_container("TestStablecoin").deploy({"from": admin})
        token.registerPayoutAsset(coin, {"from": admin})
        coin.mint(depositor, 10**9 * USD, {"from": depositor})
        coin.approve(token, 2**256 - 1, {"from": depositor})
        token.deposit(coin, 10_000 * USD, {"from": depositor})
        coins.append(coin)
    return coins


def _variant(container: Any, label: str, assets: int, accounts: Any, web3: Any) -> tuple[list[dict[str, Any]], Any]:
    token, mining, suppliers = _setup(container, accounts, web3)
    coins = _streams(token, assets, accounts)
    oracle, alice, bob = accounts[2], accounts[5], accounts[6]
    (_, _, _), (_, _, returning) = _batches(mining, suppliers, oracle, web3, (PURCHASES,))
    mint_gas = {"mintBatch 100 purchases, returning": returning.gas_used / PURCHASES}
    fresh = [
        (
            f"0x{bytes(web3.keccak(text=f'fresh-{label}-{i}')).hex()}",
            _address(web3, f"nc-{label}-{i}"),
            _address(web3, f"nr-{label}-{i}"),
            suppliers[i % SUPPLIERS],
            19_900,
            0,
        )
        for i in range(PURCHASES)
    ]
    _new_second()
    mint_gas["mintBatch 100 purchases, new consumers"] = mining.mintBatch(fresh, {"from": oracle}).gas_used / PURCHASES
    minter = accounts[3]
    token.grantRole(token.MINTER_ROLE(), minter, {"from": accounts[0]})
    token.mint(alice, 100 * GRAM, {"from": minter})
    token.transfer(bob, GRAM, {"from": alice})  # both hold grams and are settled once
    _new_second()
    mint_gas["transfer"] = token.transfer(bob, GRAM, {"from": alice}).gas_used
    rows = [{"variant": label, "operation": op, "gas": gas} for op, gas in mint_gas.items()]
    return rows, (token, coins)


def _operations(token: Any, coins: list[Any], accounts: Any, web3: Any) -> list[dict[str, Any]]:
    """deposit / claim / claimBySig / claimAll on BlackGold with streams running."""
    from brownie import accounts as brownie_accounts
    from brownie import chain
    from eth_account import Account

    from blackgold.contracts import Bound
    from blackgold.dividends import claim_typed_data
    from blackgold.errors import RevertDecoder

    depositor, alice, bob = accounts[1], accounts[5], accounts[6]
    out: list[tuple[str, int]] = []
    chain.sleep(3_600)
    out.append(("deposit (into a running stream)", token.deposit(coins[0], 10_000 * USD, {"from": depositor}).gas_used))
    chain.sleep(3_600)
    out.append(("claim (one asset)", token.claim(coins[0], bob, {"from": alice}).gas_used))
    holder = brownie_accounts.add()
    token.mint(holder, 100 * GRAM, {"from": accounts[3]})
    chain.sleep(3_600)
    chain.mine()
    bound = Bound(web3, web3.eth.contract(address=token.address, abi=token.abi), RevertDecoder([token.abi]))
    typed = claim_typed_data(bound, holder.address, coins[0].address, bob.address, chain[-1].timestamp + 3_600)
    sig = Account.sign_typed_data(holder.private_key, full_message=typed)
    m = typed["message"]
    assert isinstance(m, dict)
    tx = token.claimBySig(
        holder,
        coins[0],
        bob,
        m["deadline"],
        sig.v,
        sig.r.to_bytes(32, "big"),
        sig.s.to_bytes(32, "big"),
        {"from": alice},
    )
    out.append(("claimBySig (one asset, submitted by another account)", tx.gas_used))
    chain.sleep(3_600)
    out.append((f"claimAll ({len(coins)} assets)", token.claimAll(bob, {"from": alice}).gas_used))
    return [{"variant": "BlackGold", "operation": op, "gas": gas} for op, gas in out]


def measure() -> dict[str, Any]:
    from brownie import accounts, web3

    from scripts.deploy import contract_container

    rows, _ = _variant(contract_container("BlackGoldBatchBaseline"), "baseline (before dividends)", 0, accounts, web3)
    baseline = {r["operation"]: r["gas"] for r in rows}
    last: Any = None
    for assets in (0, 1, 2):
        more, last = _variant(
            contract_container("BlackGold"), f"BlackGold, {assets} payout asset(s)", assets, accounts, web3
        )
        rows += more
    for row in rows:
        row["change_percent"] = 100 * (row["gas"] - baseline[row["operation"]]) / baseline[row["operation"]]
        target = TARGETS.get(row["operation"])
        if target is not None and row["variant"].startswith("BlackGold, 1"):
            row["target_percent"] = target
            row["target_met"] = row["change_percent"] <= target
    token, coins = last
    return {"per_variant": rows, "operations": _operations(token, coins, accounts, web3)}


def render(results: dict[str, Any]) -> str:
    lines = [
        "### Dividends: gas of the accounting (BlackGold vs the token before this wave, same run)",
        "",
        "| variant | operation | gas | vs baseline | target |",
        "|---|---|---:|---:|---|",
    ]
    for r in results["per_variant"]:
        target = ""
        if "target_percent" in r:
            target = f"<= +{r['target_percent']:.0f}%: {'met' if r['target_met'] else 'NOT met'}"
        lines.append(
            f"| {r['variant']} | {r['operation']} | {r['gas']:,.0f} | {r['change_percent']:+.1f}% | {target} |"
        )
    lines += ["", "| operation (BlackGold, streams running) | gas |", "|---|---:|"]
    lines += [f"| {r['operation']} | {r['gas']:,} |" for r in results["operations"]]
    return "\n".join(lines)


def main() -> int:
    from bench import chain as bench_chain

    bench_chain.connect("ganache-cli", None)
    try:
        with bench_chain.quiet():
            results = measure()
    finally:
        bench_chain.disconnect()
    print(render(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Gas of BlackGold.mint to a new and to an existing holder, undelegated and delegated.

Run: `make bench` (all tables) or `.venv/bin/python -m bench.gas_token`. Each mint is sent in its own
block one second after the previous, so ERC20Votes pushes a fresh total-supply checkpoint each time, as on a
live chain where consecutive mints land in different blocks.
"""

from __future__ import annotations

from brownie import accounts, chain

from bench.chain import containers

GRAM = 10**18


def measure() -> dict[str, int]:
    """On the connected chain (bench.chain.connect): a fresh BlackGold, then the four mints."""
    admin = accounts[0]
    token = containers().BlackGold.deploy(10**9 * GRAM, admin, {"from": admin})
    token.grantRole(token.MINTER_ROLE(), admin, {"from": admin})
    token.mint(accounts[9], GRAM, {"from": admin})  # first-ever mint pays for zero->nonzero counters: not typical

    def mint(to) -> int:
        chain.sleep(1)
        return token.mint(to, GRAM, {"from": admin}).gas_used

    figures = {"mint to a new holder": mint(accounts[3]), "mint to an existing holder": mint(accounts[3])}
    token.delegate(accounts[4], {"from": accounts[4]})
    figures["mint to a new holder who delegated"] = mint(accounts[4])
    figures["mint to an existing delegated holder"] = mint(accounts[4])
    return figures


def table(figures: dict[str, int] | None = None) -> str:
    """Markdown table of the figures."""
    rows = [
        "### BlackGold.mint (one recipient, reference for the naive baseline)",
        "",
        "| BlackGold.mint | gas |",
        "|---|---:|",
    ]
    rows += [f"| {name} | {gas:,} |" for name, gas in (figures or measure()).items()]
    return "\n".join(rows)


if __name__ == "__main__":
    import sys

    sys.exit("run `python -m bench --only gas` (one chain for every bench)")

"""`make demo`: deploy Black Gold to a fresh local Ganache and show what was deployed."""
from __future__ import annotations

from scripts.deploy import GRAM, main as deploy


def main() -> None:
    token = deploy()
    print()
    print("Black Gold token")
    print(f"  address   {token.address}")
    print(f"  name      {token.name()}")
    print(f"  symbol    {token.symbol()}")
    print(f"  decimals  {token.decimals()}")
    print(f"  cap       {token.cap() // GRAM:,} grams")
    print(f"  clock     {token.CLOCK_MODE()}")

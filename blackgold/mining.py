"""The purchase-mining rule as the chain states it: quotes, parameters and mined events.

The oracle attests purchases; PurchaseMining decides the grams. Everything here only reads the contract, so a
quote shown to a shopper is exactly what the contract would mint for the next purchase.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from web3 import Web3

from .contracts import Mining, System
from .errors import BlackGoldError

BPS = 10_000
ROLES = ("consumer", "referrer", "supplier", "platform")


def mining_of(system: System) -> Mining:
    if system.mining is None:
        raise BlackGoldError("this deployment has no PurchaseMining: redeploy with scripts/deploy.py")
    return system.mining


@dataclass(frozen=True)
class Quote:
    consumer: int
    referrer: int
    supplier: int
    platform: int

    @property
    def total(self) -> int:
        return self.consumer + self.referrer + self.supplier + self.platform


def quote(system: System, amount: int, has_referrer: bool, referrer_bps: int = 0) -> Quote:
    """Grams per role for a purchase of `amount` minor units if it were mined now (PurchaseMining.quote)."""
    if amount < 0:
        raise BlackGoldError("amount must not be negative (minor currency units, e.g. fen)")
    if not 0 <= referrer_bps <= BPS:
        raise BlackGoldError(f"referrer share {referrer_bps} bps must be within 0..{BPS}")
    return Quote(*mining_of(system).quote(amount, has_referrer, referrer_bps))


@dataclass(frozen=True)
class Parameters:
    base_rate: int
    current_rate: int
    epoch: int
    next_halving_at: int
    allocation: int
    mined_total: int
    remaining_allocation: int
    split_bps: tuple[int, int, int, int]
    max_referrer_bps: int
    daily_ceiling: int
    daily_remaining: int


def parameters(system: System) -> Parameters:
    """The rule's parameters and the schedule's position, read now."""
    m = mining_of(system)
    return Parameters(
        base_rate=m.uint("baseRate"),
        current_rate=m.uint("currentRate"),
        epoch=m.uint("epoch"),
        next_halving_at=m.uint("nextHalvingAt"),
        allocation=m.uint("allocation"),
        mined_total=m.uint("minedTotal"),
        remaining_allocation=m.uint("remainingAllocation"),
        split_bps=m.split(),
        max_referrer_bps=m.uint("maxReferrerBps"),
        daily_ceiling=m.uint("dailyCeiling"),
        daily_remaining=m.uint("dailyRemaining"),
    )


def mined_by_role(system: System, holder: str, to_block: int | str = "latest") -> dict[str, int]:
    """Grams `holder` received per role (consumer / referrer / supplier / platform) from PurchaseMined events.

    Scans from PurchaseMining's deployment block. The platform role is the mining contract's platform address.
    """
    m = mining_of(system)
    who = Web3.to_checksum_address(holder)
    platform = Web3.to_checksum_address(m.call("platform")) if _has(m, "platform") else None
    totals: dict[str, int] = defaultdict(int)
    logs = m.contract.events.PurchaseMined.get_logs(
        from_block=system.deployment.block("PurchaseMining"), to_block=to_block
    )
    for log in logs:
        args = log["args"]
        if args["consumer"] == who:
            totals["consumer"] += int(args["consumerGrams"])
        if args["referrer"] == who:
            totals["referrer"] += int(args["referrerGrams"])
        if args["supplier"] == who:
            totals["supplier"] += int(args["supplierGrams"])
        if platform == who:
            totals["platform"] += int(args["platformGrams"])
    return {role: totals[role] for role in ROLES}


def _has(bound: Mining, name: str) -> bool:
    return any(item.get("name") == name for item in bound.contract.abi)

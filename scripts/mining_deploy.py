"""Deploy PurchaseMining, the on-chain purchase-mining rule, and wire it to the Black Gold token.

Two steps, deliberately separate:

* `deploy_mining(token, governance, deployer, settings)` deploys the contract. `governance` receives the
  contract's DEFAULT_ADMIN_ROLE (parameters, oracle set, unpause) and PAUSER_ROLE: the timelock in
  production, a plain account in tests. The deployer gets no role at all on PurchaseMining.
* `wire_mining(token, mining, admin)` grants the token's MINTER_ROLE to the mining contract, from `admin`
  (an account that still holds the token's DEFAULT_ADMIN_ROLE: the deployer during scripts/deploy.py, before
  it hands the token's admin role to the timelock). `deploy_mining` never does this itself.

Oracles are added by governance: `add_oracle(mining, oracle, governance)` (a plain `grantRole(ORACLE_ROLE)`).

Units: grams are in wei (1 gram = 10**18, the token's 18 decimals); amounts are minor currency units (fen).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from scripts.deploy import contract_container

GRAM = 10**18
BPS = 10_000


@dataclass(frozen=True)
class MiningSettings:
    """Deploy parameters of PurchaseMining, with the defaults used by scripts/deploy.py.

    base_rate: grams-wei per minor currency unit in epoch 0. Default 10**16 = 0.01 gram per fen = 1 gram per
        yuan. The rate halves at 1/2, 3/4, 7/8, ... of the allocation.
    allocation_grams: whole grams the schedule may mine (A). Default 1,000,000,000: the token's whole genesis
        cap goes to purchase mining; further issuance needs the holders' vote (raise the cap and the allocation).
    consumer_bps / referrer_bps / supplier_bps / platform_bps: default split, sums to 10,000
        (50% / 20% / 20% / 10%).
    max_referrer_bps: upper bound of a merchant's per-product referrer share override (40%). Must not exceed
        consumer_bps + referrer_bps (an override only moves grams between referrer and consumer).
    daily_ceiling_grams: whole grams the oracle path may mint per rolling day (token bucket). Default
        1,000,000 grams = 0.1% of the allocation = 1,000,000 yuan of referred purchases a day in epoch 0:
        what a stolen oracle key could mint in a day.
    platform: receives the platform's share; None = the deployer.
    """

    base_rate: int = 10**16
    allocation_grams: int = 1_000_000_000
    consumer_bps: int = 5000
    referrer_bps: int = 2000
    supplier_bps: int = 2000
    platform_bps: int = 1000
    max_referrer_bps: int = 4000
    daily_ceiling_grams: int = 1_000_000
    platform: str | None = None
    # Exact wei values win over the whole-gram ones when given (tests use small, odd allocations).
    allocation_wei: int | None = None
    daily_ceiling_wei: int | None = None

    @property
    def allocation(self) -> int:
        return self.allocation_wei if self.allocation_wei is not None else self.allocation_grams * GRAM

    @property
    def daily_ceiling(self) -> int:
        return self.daily_ceiling_wei if self.daily_ceiling_wei is not None else self.daily_ceiling_grams * GRAM

    @property
    def split(self) -> tuple[int, int, int, int]:
        return (self.consumer_bps, self.referrer_bps, self.supplier_bps, self.platform_bps)

    def validate(self) -> None:
        """Fail early, with the field's name, on settings the contract would reject."""
        if sum(self.split) != BPS:
            raise ValueError(f"split must sum to {BPS} bps, got {sum(self.split)} {self.split}")
        if self.max_referrer_bps > self.consumer_bps + self.referrer_bps:
            raise ValueError("max_referrer_bps must not exceed consumer_bps + referrer_bps")
        if not 0 < self.base_rate < 2**96:
            raise ValueError("base_rate must be in (0, 2**96)")
        if not 0 < self.daily_ceiling < 2**96:
            raise ValueError("daily ceiling must be in (0, 2**96) wei")
        if not 0 <= self.allocation < 2**128:
            raise ValueError("allocation must be in [0, 2**128) wei")


def deploy_mining(token: Any, governance: Any, deployer: Any, settings: MiningSettings | None = None) -> Any:
    """Deploy PurchaseMining for `token`, owned by `governance`, paid for by `deployer`.

    Does not grant the token's MINTER_ROLE (see `wire_mining`) nor any oracle (see `add_oracle`).
    """
    s = settings or MiningSettings()
    s.validate()
    platform = s.platform or str(deployer)
    return contract_container("PurchaseMining").deploy(
        token,
        governance,
        platform,
        s.base_rate,
        s.allocation,
        s.consumer_bps,
        s.referrer_bps,
        s.supplier_bps,
        s.platform_bps,
        s.max_referrer_bps,
        s.daily_ceiling,
        {"from": deployer},
    )


def wire_mining(token: Any, mining: Any, admin: Any) -> Any:
    """Grant the token's MINTER_ROLE to `mining`, from `admin` (a holder of the token's DEFAULT_ADMIN_ROLE)."""
    return token.grantRole(token.MINTER_ROLE(), mining, {"from": admin})


def add_oracle(mining: Any, oracle: Any, governance: Any) -> Any:
    """Let `oracle` submit purchases (governance only; in production a timelock proposal does this)."""
    return mining.grantRole(mining.ORACLE_ROLE(), oracle, {"from": governance})

"""Deploy parameters of the system, with the production and local-development profiles.

After deployment each parameter can only be changed by a passed proposal; the deploy script records the
values it used in the deployment file. Times are in seconds (the token's clock is the block timestamp).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from .units import GRAM

DAY = 24 * 60 * 60
BPS = 10_000
DEFAULT_CAP_GRAMS = 1_000_000_000


@dataclass(frozen=True)
class GovernanceSettings:
    """The issuance vote. The threshold is in whole grams."""

    voting_delay: int = 1 * DAY  # proposal -> snapshot and start of voting: time to delegate and discuss
    voting_period: int = 7 * DAY  # how long voting stays open
    proposal_threshold_grams: int = 100_000  # voting power needed to propose (0.01% of the genesis cap)
    quorum_percent: int = 4  # for + abstain must reach this % of the supply at the snapshot
    late_quorum_extension: int = 2 * DAY  # voting stays open at least this long after quorum is reached
    timelock_delay: int = 2 * DAY  # passed proposal -> earliest execution: time to react (or exit)
    execution_window: int = 14 * DAY  # a queued proposal not executed this long after its ETA expires

    def as_record(self) -> dict[str, int]:
        return asdict(self)


#: Production defaults (docs/governance.md).
PRODUCTION_SETTINGS = GovernanceSettings()
#: Short parameters for tests and the demo on a local chain.
LOCAL_SETTINGS = GovernanceSettings(
    voting_delay=60,
    voting_period=600,
    proposal_threshold_grams=1_000,
    quorum_percent=4,
    late_quorum_extension=300,
    timelock_delay=120,
    execution_window=3_600,
)
SETTINGS_PROFILES = {"production": PRODUCTION_SETTINGS, "local": LOCAL_SETTINGS}

#: Grams minted at deployment on local chains only (accounts 1..4), so holders can try the vote at once.
#: On real networks nothing is minted at deployment: every gram comes from purchase mining.
LOCAL_DEV_ALLOCATION_GRAMS = (1_000_000, 500_000, 250_000, 100_000)
#: On local chains, the node account made PurchaseMining's oracle by default.
LOCAL_ORACLE_INDEX = 9


@dataclass(frozen=True)
class MiningSettings:
    """PurchaseMining's deploy parameters (docs/mining.md explains each).

    base_rate: grams-wei per minor currency unit in epoch 0 (10**16 = 1 gram per yuan).
    allocation_grams: whole grams the schedule may mine; the rate halves at 1/2, 3/4, 7/8, ... of it.
    *_bps: the default split (sums to 10,000). max_referrer_bps bounds a merchant's override and must not exceed
    consumer_bps + referrer_bps (an override only moves grams between referrer and consumer).
    daily_ceiling_grams: what the oracle path may mint per rolling day (token bucket): what a stolen oracle key
    could mint in a day. platform: receives the platform's share; None = the deployer.
    Exact wei values (allocation_wei, daily_ceiling_wei) win over the whole-gram ones when given.
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

    def constructor_args(self, token: object, governance: object, deployer: object) -> tuple[object, ...]:
        """PurchaseMining's constructor arguments, in order (the platform defaults to the deployer)."""
        return (
            token,
            governance,
            self.platform or str(deployer),
            self.base_rate,
            self.allocation,
            *self.split,
            self.max_referrer_bps,
            self.daily_ceiling,
        )

    def validate(self) -> None:
        """Fail early, naming the field, on settings the contract would reject."""
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

"""Python reference model of the purchase-mining rule, written independently of the contract's loop.

The contract works in integers on a scaled "nominal" value; this model works in exact rationals
(`fractions.Fraction`) walking the halving epochs, and floors once at the end. They must agree to the wei.

Rule (grams in wei, B = 10,000 bps, A = allocation, M = mined so far):
* epoch k of a position M < A: the k with A - A//2**k <= M < A - A//2**(k+1), i.e. k = floor(log2(A / (A - M)));
  rate there = base_rate / 2**k grams-wei per minor unit.
* a purchase worth V = amount * base_rate * mint_bps / B grams at the base rate fills the epochs in order: in
  epoch k it is worth V_rest / 2**k; whatever fits in the epoch's room is mined at that rate, the rest moves on
  to the next epoch. Total = floor(exact sum), capped at the token's remaining cap.
* split: referrer share = override or default; consumer share = consumer + referrer - referrer share;
  without a referrer, mint_bps = B - referrer share and the referrer gets nothing; referrer/supplier/platform
  get floor(T * share / mint_bps), the consumer the rest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from math import floor

BPS = 10_000
DAY = 86_400


def epoch_of(allocation: int, mined: int) -> int:
    """floor(log2(A / (A - M))) by the definition (largest k with A - M <= A // 2**k), 0 when exhausted."""
    remaining = allocation - mined
    if remaining <= 0:
        return 0
    k = 0
    while remaining <= allocation >> (k + 1):
        k += 1
    return k


def boundary(allocation: int, k: int) -> int:
    """Cumulative mined grams at which epoch k ends (the (k+1)-th halving)."""
    return allocation - (allocation >> (k + 1))


@dataclass
class Shares:
    consumer: int
    referrer: int
    supplier: int
    platform: int
    rate: int  # base_rate >> epoch at the start of the purchase (what the event reports)

    @property
    def total(self) -> int:
        return self.consumer + self.referrer + self.supplier + self.platform

    def as_tuple(self) -> tuple[int, int, int, int]:
        return (self.consumer, self.referrer, self.supplier, self.platform)


@dataclass
class MiningModel:
    base_rate: int
    allocation: int
    split: tuple[int, int, int, int] = (5000, 2000, 2000, 1000)
    max_referrer_bps: int = 4000
    cap_room: int = 10**40
    mined: int = 0
    used: set = field(default_factory=set)

    @property
    def epoch(self) -> int:
        return epoch_of(self.allocation, self.mined)

    @property
    def rate(self) -> int:
        return 0 if self.mined >= self.allocation else self.base_rate >> self.epoch

    def _grams(self, value: Fraction) -> int:
        """Exact piecewise pricing of `value` (grams at the base rate) from the current position."""
        a, m = self.allocation, self.mined
        total = Fraction(0)
        while value > 0 and m < a:
            k = epoch_of(a, m)
            room = boundary(a, k) - m
            here = value / 2**k
            if here <= room:
                total += here
                break
            total += room
            m += room
            value -= room * 2**k
        return min(floor(total), self.cap_room)

    def quote(self, amount: int, has_referrer: bool, override: int = 0) -> Shares:
        return self._price(amount, has_referrer, override, commit=False)

    def mine(self, amount: int, has_referrer: bool, override: int = 0) -> Shares:
        return self._price(amount, has_referrer, override, commit=True)

    def _price(self, amount: int, has_referrer: bool, override: int, commit: bool) -> Shares:
        c, r, s, p = self.split
        if override > self.max_referrer_bps:
            raise ValueError("override above the maximum")
        ref_bps = override or r
        cons_bps = c + r - ref_bps
        mint_bps = BPS if has_referrer else BPS - ref_bps
        rate = self.rate
        total = self._grams(Fraction(amount * self.base_rate * mint_bps, BPS)) if amount else 0
        if total == 0:
            out = Shares(0, 0, 0, 0, rate)
        else:
            referrer = total * ref_bps // mint_bps if has_referrer else 0
            supplier = total * s // mint_bps
            platform = total * p // mint_bps
            out = Shares(total - referrer - supplier - platform, referrer, supplier, platform, rate)
            assert cons_bps >= 0
        if commit:
            self.mined += out.total
            self.cap_room -= out.total
        return out

    def submit(self, order_ref: bytes, amount: int, has_referrer: bool, override: int = 0) -> Shares | None:
        """Replay guard + mine: None when the order was already mined (skipped)."""
        if order_ref in self.used:
            return None
        self.used.add(order_ref)
        return self.mine(amount, has_referrer, override)


def amount_to_reach(model: MiningModel, target_mined: int) -> int:
    """Smallest amount (with a referrer) whose purchase takes `mined` to at least `target_mined`, if in this epoch."""
    need = target_mined - model.mined
    rate_num = model.base_rate  # grams at epoch k = amount * base_rate / 2**k
    k = model.epoch
    # amount * base_rate / 2**k >= need  <=>  amount >= need * 2**k / base_rate
    return -(-(need * 2**k) // rate_num)


@dataclass
class BucketModel:
    """The daily ceiling: capacity `ceiling`, refilled at ceiling / day, floor on refill."""

    ceiling: int
    level: int
    updated_at: int

    def level_at(self, t: int) -> int:
        return min(self.ceiling, self.level + (t - self.updated_at) * self.ceiling // DAY)

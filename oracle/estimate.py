"""The batch the chain accepts now: `Estimator.estimate` asks PurchaseMining for the gas of a batch and decodes a
revert into what to do.

    per-purchase error (ZeroAmount, ReferrerBpsTooHigh, ... with the index)  reject that purchase, try the rest
    DailyCeilingExceeded, several purchases                                   halve the batch (oldest first)
    DailyCeilingExceeded, one purchase that alone exceeds the bucket's capacity (dailyCeiling): it can never fit
                                                                              set it aside, the rest flows on
    DailyCeilingExceeded, one purchase that fits once the bucket refills      Hold("ceiling_wait") for the refill
    anything else (paused, oracle role missing)                               Hold("chain_refuses"), retry
"""

from __future__ import annotations

import logging

from .chain import Chain, TransactionReverted
from .config import Settings
from .metrics import Metrics
from .models import Purchase
from .store import Store

log = logging.getLogger("oracle.batcher")

DAY_SECONDS = 86_400
# Custom errors whose first argument is the index of the purchase the chain refuses for good.
PER_PURCHASE_ERRORS = {
    "ZeroOrderRef",
    "ZeroConsumer",
    "ZeroSupplier",
    "ZeroAmount",
    "AmountTooLarge",
    "ReferrerBpsTooHigh",
}


class Hold(Exception):
    """Nothing is wrong with the purchases, but the batch must wait: retry in `seconds`; `code` says why (shown by
    /health) and `expected` is how long the wait should last in all (e.g. until the daily ceiling has refilled)."""

    def __init__(
        self, message: str, seconds: float, code: str = "chain_refuses", expected: float | None = None
    ) -> None:
        super().__init__(message)
        self.seconds = seconds
        self.code = code
        self.expected = seconds if expected is None else expected


class Estimator:
    def __init__(self, settings: Settings, store: Store, metrics: Metrics) -> None:
        self.s, self.store, self.metrics = settings, store, metrics

    def estimate(self, chain: Chain, purchases: list[Purchase]) -> tuple[int, list[Purchase]]:
        """Gas for a batch the chain accepts now (a prefix of `purchases`, less the ones rejected or set aside);
        (0, []) when none is left to send in this step."""
        while purchases:
            try:
                return chain.estimate_batch(purchases), purchases
            except TransactionReverted as r:
                args = r.error_args
                if r.name == "DailyCeilingExceeded":
                    if len(purchases) > 1:
                        purchases = purchases[: len(purchases) // 2]
                        continue
                    requested, available = (tuple(int(a) for a in args) + (0, 0))[:2]
                    self._ceiling(chain, purchases[0], requested, available)
                    return 0, []  # set aside: the next step takes the rest of the queue
                if (
                    r.name in PER_PURCHASE_ERRORS
                    and args
                    and isinstance(args[0], int)
                    and 0 <= args[0] < len(purchases)
                ):
                    bad = purchases[args[0]]
                    reason = f"rejected by PurchaseMining: {r.name}{tuple(args[1:]) if len(args) > 1 else ''}"
                    self.store.reject_queued({bad.ref: reason})
                    self.metrics.chain_rejected.inc()
                    log.warning("purchase %s rejected by the chain: %s", bad.ref, r.name)
                    purchases = [p for p in purchases if p.ref != bad.ref]
                    continue
                msg = f"chain refuses batches now ({r.name}{args}); retrying"
                self.store.note_waiting([p.id for p in purchases], msg)
                raise Hold(msg, max(self.s.backoff_max_seconds / 4, 1.0)) from None
        return 0, []

    def _ceiling(self, chain: Chain, purchase: Purchase, requested: int, available: int) -> None:
        """One purchase does not fit what the bucket holds now. If it exceeds the bucket's capacity it never will:
        set it aside (alarm metric, /health, admin requeue). Else wait until the bucket has refilled enough (it
        refills at dailyCeiling per day), retrying every `ceiling_wait_seconds` at most."""
        ceiling = chain.daily_ceiling()
        if requested > ceiling:
            reason = (
                f"set aside: this purchase alone needs {requested} grams-wei, more than the daily ceiling's capacity "
                f"({ceiling}) can ever hold; requeue it (admin) after governance raises the ceiling, or refund it"
            )
            if self.store.set_aside(purchase.ref, reason):
                self.metrics.set_aside.inc()
                log.error("purchase %s set aside: needs %d grams-wei, ceiling %d", purchase.ref, requested, ceiling)
            return
        self.metrics.ceiling_holds.inc()
        expected = (requested - available) * DAY_SECONDS / ceiling if ceiling else float(self.s.ceiling_wait_seconds)
        msg = (
            f"waiting for the daily ceiling (needs {requested}, {available} available, about {expected:.0f}s to refill)"
        )
        self.store.note_waiting([p.id for p in self.store.queued(self.s.batch_size * 10)], msg)
        retry = min(self.s.ceiling_wait_seconds, max(expected, self.s.poll_interval_seconds))
        raise Hold(msg, retry, code="ceiling_wait", expected=expected) from None

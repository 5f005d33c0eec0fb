"""`GET /health`: whether this oracle does its job now, as ok / degraded / failing, with a reason for each problem.

    {"status": "degraded", "reasons": [{"code": "ceiling_wait", "level": "degraded", "message": "...",
                                        "expected_wait_seconds": 5400}], "store": ..., "chain": ..., ...}

Reason codes (level):
    store_unreachable    failing   the store does not answer: nothing can be accepted (HTTP 503)
    batcher_stopped      failing   the batcher thread died (HTTP 503)
    chain_unreachable    degraded  the RPC does not answer; purchases are still accepted and stored
    batcher_error        degraded  the batcher's last step failed (the message says how); cleared by the next success
    backlog_stale        degraded  a purchase due for minting has waited longer than `health_backlog_seconds`
    ceiling_wait         degraded  the queue waits for the daily ceiling to refill (`expected_wait_seconds`)
    chain_refuses        degraded  PurchaseMining refuses batches now (paused, oracle role missing, ...)
    purchase_set_aside   degraded  purchases were set aside (each alone exceeds the daily ceiling's capacity)
    finality_lagging     degraded  the finality verifier has not checked recent mints for `finality_lag_seconds`

HTTP 200 for ok and degraded (the oracle still accepts and stores purchases: keep it in the load balancer), 503 for
failing. Every reason clears by itself once its cause is gone.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from blackgold.redact import redact_text, redact_url

from . import __version__
from .batcher import Batcher
from .chain import Chain, ChainUnavailable
from .config import Settings, SigningKey
from .receipts import Domain
from .status import BACKLOG, PurchaseStatus
from .store import Store

Level = Literal["degraded", "failing"]


@dataclass(frozen=True)
class Reason:
    code: str
    level: Level
    message: str
    details: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "level": self.level, "message": self.message, **self.details}


class Watched(Protocol):
    balance: int | None
    bound: int | None


class Parts(Protocol):
    """What /health reads of the running oracle (oracle.service.Oracle)."""

    settings: Settings
    store: Store
    batcher: Batcher | None
    quick_chain: Chain | None
    domain: Domain
    key: SigningKey | None
    clock: Callable[[], float]

    @property
    def watcher(self) -> Watched: ...


def report(o: Parts) -> tuple[int, dict[str, Any]]:
    reasons: list[Reason] = []
    out: dict[str, Any] = {"version": __version__}
    out["store"] = _store(o, reasons)
    if "backlog" in out["store"]:
        out["backlog"] = out["store"].pop("backlog")
    out["chain"] = _chain(o, reasons)
    out["signer"] = {"address": o.key.address if o.key else None, "balance_wei": o.watcher.balance}
    out["batcher"] = _batcher(o, reasons)
    out["referrer_bps_bound"] = o.watcher.bound
    failing = any(r.level == "failing" for r in reasons)
    out["status"] = "failing" if failing else ("degraded" if reasons else "ok")
    out["reasons"] = [r.as_dict() for r in reasons]
    return (503 if failing else 200), out


def _store(o: Parts, reasons: list[Reason]) -> dict[str, Any]:
    try:
        counts = o.store.counts()
        oldest = o.store.oldest_due()
    except Exception as exc:  # noqa: BLE001 - reported, not raised: /health must answer
        reasons.append(Reason("store_unreachable", "failing", f"the store does not answer ({type(exc).__name__})"))
        return {"ok": False, "error": type(exc).__name__}
    store: dict[str, Any] = {"ok": True, "backend": "sqlite" if o.store.is_sqlite else "postgresql"}
    store["backlog"] = {**counts, "total": sum(counts[s] for s in BACKLOG)}
    age = max(0.0, o.clock() - oldest) if oldest is not None else 0.0
    store["oldest_due_seconds"] = round(age, 1)
    if oldest is not None and age > o.settings.health_backlog_seconds:
        msg = f"a purchase due for minting has waited {age:.0f}s (threshold {o.settings.health_backlog_seconds:.0f}s)"
        reasons.append(Reason("backlog_stale", "degraded", msg, {"oldest_due_seconds": round(age, 1)}))
    aside = counts.get(PurchaseStatus.SET_ASIDE.value, 0)
    if aside:
        msg = f"{aside} purchase(s) set aside: each alone needs more grams than the daily ceiling can ever hold"
        reasons.append(Reason("purchase_set_aside", "degraded", msg, {"count": aside}))
    return store


def _chain(o: Parts, reasons: list[Reason]) -> dict[str, Any]:
    chain: dict[str, Any] = {
        "ok": False,
        "rpc_url": redact_url(o.settings.rpc_url),
        "chain_id": o.domain.chain_id,
        "mining": o.domain.verifying_contract,
    }
    if o.quick_chain is None:
        return chain
    try:
        chain["block"] = o.quick_chain.block_number()
        chain["ok"] = True
    except ChainUnavailable as exc:
        chain["error"] = redact_text(str(exc))
        reasons.append(Reason("chain_unreachable", "degraded", chain["error"]))
    return chain


def _in_flight(o: Parts, b: Batcher) -> int | None:
    """Batches of our key sent and not yet confirmed (None when the store does not answer: reported above)."""
    try:
        return len(o.store.open_batches(b.signer)) if b.signer else 0
    except Exception:  # noqa: BLE001 - the store check above reports it; /health must answer
        return None


def _batcher(o: Parts, reasons: list[Reason]) -> dict[str, Any]:
    b = o.batcher
    if b is None:
        return {"running": False}
    running = bool(b.thread and b.thread.is_alive())
    if b.thread is not None and not running:
        reasons.append(Reason("batcher_stopped", "failing", "the batcher thread is not running"))
    w = b.waiting
    if w is not None:
        details = {"expected_wait_seconds": round(max(0.0, w.until - time.time()), 1)}
        reasons.append(Reason(w.code, "degraded", w.message, details))
    elif b.last_error is not None:
        code = "chain_unreachable" if b.chain_ok is False else "batcher_error"
        if not any(r.code == code for r in reasons):
            reasons.append(Reason(code, "degraded", b.last_error))
    f = b.finality
    lag = f.lagging_seconds(time.time())
    if running and lag > o.settings.finality_lag_seconds:
        msg = f"the finality verifier has not checked recent mints for {lag:.0f}s"
        reasons.append(Reason("finality_lagging", "degraded", msg, {"lag_seconds": round(lag, 1)}))
    finality = {"confirmations": o.settings.confirmations, "checked_head": f.checked_head, "verified_at": f.verified_at}
    lease = None
    if b.lease is not None and (view := b.lease.view()) is not None:
        lease = {"holder": view.holder, "expires_at": view.expires_at, "mine": view.holder == b.lease.holder}
    out = {
        "running": running,
        "role": b.role,
        "lease": lease,
        "last_error": b.last_error,
        "last_success": b.last_success,
        "in_flight": _in_flight(o, b),
        "max_inflight": o.settings.max_inflight,
        "adopted_keys": sorted(b.adopted),
    }
    return {**out, "finality": finality}

"""The relay's Prometheus metrics (its own registry, so several relays can run in one test process)."""

from __future__ import annotations

from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, generate_latest

from ..metrics import StatusCountsCollector
from .models import PENDING


class RelayMetrics:
    def __init__(self) -> None:
        self.registry = r = CollectorRegistry(auto_describe=True)
        self.accepted = Counter("relay_requests_accepted", "Requests accepted and committed", ["kind"], registry=r)
        self.duplicates = Counter("relay_requests_duplicate", "The same signed message again", ["kind"], registry=r)
        self.refused = Counter("relay_requests_refused", "Requests refused, by reason", ["reason"], registry=r)
        self.sent = Counter("relay_transactions_sent", "Transactions broadcast (first send)", ["kind"], registry=r)
        self.confirmed = Counter("relay_requests_confirmed", "Requests confirmed on chain", ["kind"], registry=r)
        self.failed = Counter("relay_requests_failed", "Requests that failed after acceptance", ["kind"], registry=r)
        self.dropped = Counter("relay_transactions_dropped", "Transactions replaced by another one", registry=r)
        self.rpc_errors = Counter("relay_rpc_errors", "Chain/RPC failures seen by the worker", registry=r)
        self.balance = Gauge("relay_key_balance_wei", "Balance of the relay's key (it pays the gas)", registry=r)
        self.chain_up = Gauge("relay_chain_up", "1 when the worker's last RPC call succeeded", registry=r)
        self._counts: Callable[[], dict[str, int]] | None = None
        r.register(
            StatusCountsCollector(
                lambda: self._counts,
                "relay_requests",
                "Relay requests in the store by status",
                PENDING,
                "relay_queue_depth",
                "Accepted requests not yet confirmed or failed",
            )
        )

    def set_counts_source(self, fn: Callable[[], dict[str, int]]) -> None:
        self._counts = fn

    def render(self) -> bytes:
        return generate_latest(self.registry)


CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

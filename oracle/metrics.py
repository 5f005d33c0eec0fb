"""Prometheus metrics (one registry per oracle instance, so tests can run several apps in a process)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily

from .status import BACKLOG

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.accepted = Counter("oracle_purchases_accepted", "Purchases accepted and committed", registry=r)
        self.duplicates = Counter(
            "oracle_purchases_duplicate", "Identical receipts sent again (idempotent replies)", registry=r
        )
        self.conflicts = Counter(
            "oracle_purchases_conflict", "Same order reference with different content (409)", registry=r
        )
        self.rejected = Counter("oracle_purchases_rejected", "Requests rejected, by reason", ["reason"], registry=r)
        self.refunded = Counter("oracle_purchases_refunded", "Purchases refunded before minting", registry=r)
        self.minted = Counter("oracle_purchases_minted", "Purchases recorded as minted on chain", registry=r)
        self.chain_rejected = Counter(
            "oracle_purchases_chain_rejected", "Accepted purchases the chain refused", registry=r
        )
        self.batches = Counter("oracle_batches", "Batch transactions by outcome", ["outcome"], registry=r)
        self.batch_size = Histogram(
            "oracle_batch_size", "Purchases per batch transaction", buckets=(1, 2, 5, 10, 20, 50, 100, 200), registry=r
        )
        self.confirmation_latency = Histogram(
            "oracle_confirmation_latency_seconds",
            "From broadcasting a batch to its confirmation",
            buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600),
            registry=r,
        )
        self.mint_latency = Histogram(
            "oracle_accept_to_mint_seconds",
            "From accepting a purchase to recording it minted",
            buckets=(0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600, 86400, 7 * 86400, 30 * 86400),
            registry=r,
        )
        self.rpc_errors = Counter("oracle_rpc_errors", "Chain/RPC failures seen by the batcher", registry=r)
        self._gas_metrics(r)
        self.set_aside = Counter(
            "oracle_purchases_set_aside",
            "Purchases set aside: each alone needs more grams than the daily ceiling can ever hold (alarm)",
            registry=r,
        )
        self.reorged = Counter(
            "oracle_purchases_reorged",
            "Minted purchases the chain later forgot (reorg), requeued by the finality verifier",
            registry=r,
        )
        self.finality_checked_head = Gauge(
            "oracle_finality_checked_block", "Chain head at the finality verifier's last complete pass", registry=r
        )
        self.chain_up = Gauge("oracle_chain_up", "1 when the last RPC call succeeded", registry=r)
        self.signer_balance = Gauge("oracle_signer_balance_wei", "Balance of the oracle's signing account", registry=r)
        self.request_latency = Histogram(
            "oracle_http_request_seconds",
            "HTTP request latency",
            ["route"],
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5),
            registry=r,
        )
        self._backlog: Callable[[], dict[str, int]] | None = None
        r.register(StatusCountsCollector(lambda: self._backlog, *BACKLOG_GAUGES))

    def _gas_metrics(self, r: CollectorRegistry) -> None:
        self.ceiling_holds = Counter(
            "oracle_daily_ceiling_holds", "Times a batch waited for the daily ceiling", registry=r
        )
        self.gas_used_ratio = Histogram(
            "oracle_batch_gas_used_ratio",
            "Gas used by a confirmed batch over the gas limit it was sent with (the gas model's limit)",
            buckets=(0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.97, 1.0),
            registry=r,
        )
        self.gas_close_to_limit = Counter(
            "oracle_batch_gas_close_to_limit",
            "Confirmed batches whose gas used exceeded the gas model's margin (close to out of gas)",
            registry=r,
        )

    def set_backlog_source(self, fn: Callable[[], dict[str, int]]) -> None:
        self._backlog = fn

    def render(self) -> bytes:
        return generate_latest(self.registry)


BACKLOG_GAUGES = (
    "oracle_purchases",
    "Purchases in the store by status",
    BACKLOG,
    "oracle_backlog",
    "Accepted purchases not yet minted, refunded or rejected",
)


class StatusCountsCollector:
    """Rows per status and how many are still pending, read from a store at scrape time (oracle and relay).

    `source()` returns the counting function, or None while no store is attached; a failing store must not break
    /metrics, so its error yields nothing for this scrape.
    """

    def __init__(
        self,
        source: Callable[[], Callable[[], dict[str, int]] | None],
        name: str,
        text: str,
        pending: Iterable[str],
        total_name: str,
        total_text: str,
    ) -> None:
        self.source, self.name, self.text = source, name, text
        self.pending, self.total_name, self.total_text = tuple(pending), total_name, total_text

    def describe(self) -> list[GaugeMetricFamily]:  # no fixed description: the store may be absent
        return []

    def collect(self) -> Iterator[GaugeMetricFamily]:
        fn = self.source()
        if fn is None:
            return
        try:
            counts = fn()
        except Exception:  # noqa: BLE001 - the store being down must not break /metrics
            return
        by_status = GaugeMetricFamily(self.name, self.text, labels=["status"])
        for status, n in counts.items():
            by_status.add_metric([status], n)
        yield by_status
        yield GaugeMetricFamily(self.total_name, self.total_text, value=sum(counts.get(s, 0) for s in self.pending))

"""The relay's worker: one thread, one transaction in flight (one relay key, one writer of its nonce).

Each step drives the open transaction (signed/sent) if there is one, else takes the oldest accepted request:

    simulate again (eth_estimateGas from the relay key; a revert now - the signature was used elsewhere, the
    vote closed - fails the request, nothing is sent); pick the relay nonce and EIP-1559 fees (oracle.chain);
    sign; WRITE AHEAD (raw transaction into the row, status `signed`, one commit); checkpoint `before_send`;
    broadcast and wait (oracle.txflow: re-sends the same bytes if the node lost them, notices a dropped one).
    Receipt status 1 -> confirmed; 0 -> failed (the holder's nonce was not used: the holder may sign again).
    Dropped (our relay nonce was used by another transaction) -> requeued if the holder's signature is still
    good, else failed.

A crash anywhere leaves the row in a state the next start resumes from; the holder's signature nonce makes a
second on-chain effect impossible in any case. STAGES are the crash tests' seams (`checkpoint`).
"""

from __future__ import annotations

import logging
import threading
from typing import Any, Literal

from web3.exceptions import Web3Exception

from blackgold.errors import ChainUnavailable, TransactionReverted
from blackgold.redact import redact_text

from ..chain import GWEI, Chain
from ..txflow import Outcome, Tracked, TxFlow
from .config import RelaySettings
from .metrics import RelayMetrics
from .models import RelayRequest, RelayStatus
from .store import RelayStore

Stage = Literal["before_send", "after_send", "after_receipt", "after_record"]
STAGES: tuple[Stage, ...] = ("before_send", "after_send", "after_receipt", "after_record")
log = logging.getLogger("oracle.relay")


class RelayWorker:
    def __init__(
        self,
        settings: RelaySettings,
        store: RelayStore,
        chain: Chain,
        decoders: dict[str, Any],
        metrics: RelayMetrics,
    ) -> None:
        self.s, self.store, self.chain, self.decoders, self.metrics = settings, store, chain, decoders, metrics
        self.stop_event = threading.Event()
        self.flow = TxFlow(
            chain,
            self.stop_event,
            poll_interval=settings.poll_interval_seconds,
            receipt_timeout=settings.receipt_timeout_seconds,
            confirmations=settings.confirmations,
        )
        self.thread: threading.Thread | None = None
        self.last_error: str | None = None
        self.wake = threading.Event()

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> None:
        self.thread = threading.Thread(target=self.run, name="relay-worker", daemon=True)
        self.thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self.stop_event.set()
        self.wake.set()
        if self.thread is not None:
            self.thread.join(timeout)

    def run(self) -> None:
        backoff = self.s.backoff_initial_seconds
        while not self.stop_event.is_set():
            try:
                worked = self.step()
                self.metrics.chain_up.set(1)
                backoff = self.s.backoff_initial_seconds
                if not worked:
                    self._refresh_balance()
                    self.wake.wait(self.s.poll_interval_seconds)
                    self.wake.clear()
            except (ChainUnavailable, Web3Exception, ValueError) as exc:
                self.last_error = redact_text(f"{type(exc).__name__}: {exc}")
                self.metrics.chain_up.set(0)
                self.metrics.rpc_errors.inc()
                log.warning("relay: chain error, retrying in %.1fs: %s", backoff, self.last_error)
                self.stop_event.wait(backoff)
                backoff = min(backoff * 2, self.s.backoff_max_seconds)
            except Exception as exc:  # keep the loop alive; the store keeps the truth
                self.last_error = redact_text(f"{type(exc).__name__}: {exc}")
                log.exception("relay step failed, retrying in %.1fs", backoff)
                self.stop_event.wait(backoff)
                backoff = min(backoff * 2, self.s.backoff_max_seconds)

    def checkpoint(self, stage: Stage) -> None:
        """A request reached `stage` (everything before it is committed or sent). The crash tests hook in here."""
        log.debug("relay stage %s", stage)

    def _refresh_balance(self) -> None:
        if self.chain.key is not None:
            self.metrics.balance.set(self.chain.balance(self.chain.key.address))

    # ------------------------------------------------------------------ one step
    def step(self) -> bool:
        """Drive the open transaction or sign the next request. True when something happened."""
        open_tx = self.store.open_tx()
        if open_tx is not None:
            self.drive(open_tx)
            return True
        request = self.store.next_accepted()
        if request is None:
            return False
        self.sign_and_send(request)
        return True

    def sign_and_send(self, req: RelayRequest) -> None:
        try:
            gas = self.chain.estimate_call(req.contract, req.calldata, self.decoders.get(req.kind))
        except TransactionReverted as exc:
            self._fail(req, f"refused by the chain before sending: {exc}")
            return
        nonce = self.chain.nonce("pending")
        max_fee, priority = self.chain.fees(int(self.s.max_priority_fee_gwei * GWEI), int(self.s.max_fee_gwei * GWEI))
        gas = min(int(gas * 1.2) + 20_000, self.s.gas_limit_cap)
        signed = self.chain.sign_call(req.contract, req.calldata, nonce, gas, max_fee, priority)
        if not self.store.write_ahead(req.id, signed):
            return  # it left `accepted` meanwhile; nothing was sent
        log.info("relay request %s (%s %s): nonce %d, tx %s", req.id, req.kind, req.holder, nonce, signed.tx_hash)
        self.checkpoint("before_send")
        fresh = self.store.get(req.id)
        if fresh is not None:
            self.drive(fresh)

    def drive(self, req: RelayRequest) -> None:
        assert req.tx_hash is not None and req.raw_tx is not None and req.tx_nonce is not None
        tracked = Tracked(req.tx_hash, req.raw_tx, req.tx_nonce, sent=req.status == RelayStatus.SENT)

        def on_sent() -> None:
            self.store.mark_sent(req.id)
            self.metrics.sent.labels(req.kind).inc()

        outcome, receipt = self.flow.drive(tracked, on_sent, self.checkpoint)  # type: ignore[arg-type]
        if outcome == Outcome.DROPPED:
            self._dropped(req)
        elif outcome == Outcome.FINAL and receipt is not None:
            self._record(req, receipt)

    def _record(self, req: RelayRequest, receipt: dict[str, Any]) -> None:
        if int(receipt["status"]) == 1:
            self.store.confirm(req.id, int(receipt["blockNumber"]), int(receipt["gasUsed"]))
            self.metrics.confirmed.labels(req.kind).inc()
            log.info("relay request %s confirmed in block %s", req.id, receipt["blockNumber"])
        else:
            self._fail(req, "the transaction reverted on chain")
        self._refresh_balance()
        self.checkpoint("after_record")

    def _dropped(self, req: RelayRequest) -> None:
        """Our relay nonce went to another transaction: sign again if the holder's signature still works."""
        self.metrics.dropped.inc()
        try:
            self.chain.estimate_call(req.contract, req.calldata, self.decoders.get(req.kind))
        except TransactionReverted as exc:
            self._fail(req, f"the transaction was replaced and the call now fails: {exc}")
            return
        self.store.requeue(req.id, "the transaction was replaced (relay nonce used); signing again")

    def _fail(self, req: RelayRequest, error: str) -> None:
        if self.store.fail(req.id, error):
            self.metrics.failed.labels(req.kind).inc()
            log.warning("relay request %s failed: %s", req.id, error)

"""One written-ahead transaction from signed to final: the part of a transaction's life that does not depend on
what it carries. The relay's worker uses it; the batcher's `drive`/`_wait_receipt`/`_wait_confirmations` follow
the same steps and could be rebuilt on it.

    broadcast: no receipt and (never sent, or the node does not know it) -> if the key's mined nonce is already
               past the transaction's, it can never be mined: DROPPED; else (re-)send the same signed bytes.
    wait:      poll for the receipt (up to `receipt_timeout`), then for `confirmations` blocks on top.

Nothing here writes to a store: `on_sent` and `checkpoint` are the caller's hooks (mark the row sent; the crash
tests' seam).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from .chain import Chain


class Outcome(StrEnum):
    FINAL = "final"  # a receipt with enough confirmations (status 1 or 0: the caller decides)
    PENDING = "pending"  # not mined (or not confirmed) yet: ask again later
    DROPPED = "dropped"  # its nonce was used by another transaction: it can never be mined


@dataclass(frozen=True)
class Tracked:
    tx_hash: str
    raw_tx: str
    nonce: int
    sent: bool  # broadcast at least once (status `sent`), as opposed to only written ahead (`signed`)


class TxFlow:
    def __init__(
        self,
        chain: Chain,
        stop_event: threading.Event,
        *,
        poll_interval: float,
        receipt_timeout: float,
        confirmations: int,
    ) -> None:
        self.chain = chain
        self.stop_event = stop_event
        self.poll_interval = poll_interval
        self.receipt_timeout = receipt_timeout
        self.confirmations = confirmations

    def drive(
        self,
        tx: Tracked,
        on_sent: Callable[[], None],
        checkpoint: Callable[[str], None] = lambda stage: None,
    ) -> tuple[Outcome, dict[str, Any] | None]:
        """Broadcast if needed, wait for the receipt and its confirmations."""
        receipt = self.chain.receipt(tx.tx_hash)
        if receipt is None:
            if not tx.sent or self.chain.transaction(tx.tx_hash) is None:
                if self.chain.nonce("latest") > tx.nonce:
                    return Outcome.DROPPED, None
                self.chain.send_raw(tx.raw_tx)
                if not tx.sent:
                    on_sent()
                checkpoint("after_send")
            receipt = self.wait_receipt(tx.tx_hash)
            if receipt is None:
                return Outcome.PENDING, None
        checkpoint("after_receipt")
        if not self.wait_confirmations(receipt):
            return Outcome.PENDING, receipt
        return Outcome.FINAL, receipt

    def wait_receipt(self, tx_hash: str) -> dict[str, Any] | None:
        deadline = time.monotonic() + self.receipt_timeout
        while not self.stop_event.is_set():
            receipt = self.chain.receipt(tx_hash)
            if receipt is not None:
                return receipt
            if time.monotonic() > deadline:
                return None
            self.stop_event.wait(self.poll_interval)
        return None

    def wait_confirmations(self, receipt: dict[str, Any]) -> bool:
        deadline = time.monotonic() + self.receipt_timeout
        while self.chain.confirmations(receipt) < self.confirmations:
            if self.stop_event.is_set() or time.monotonic() > deadline:
                return False
            self.stop_event.wait(self.poll_interval)
        return True

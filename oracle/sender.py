"""The batcher's broadcaster: sends written-ahead batch transactions in nonce order, off the batcher's thread.

Why a thread of its own: Ganache answers `eth_sendRawTransaction` only once the transaction is mined, so a batcher
that sends and then waits would leave the chain idle while it records one batch and signs the next. With the sender
the next batch is signed, written ahead and queued while the node still executes the previous one, and the node is
never idle (batches in flight, `max_inflight`). One thread sends everything, so a key's nonces reach the node in
order. Without a started thread (`start()` not called: the in-process tests that drive `Batcher.step` by hand)
`submit` sends at once, on the caller's thread.

A send that fails leaves the batch `signed`: the batcher's next look at it sends it again (an identical resend is
harmless: `Chain.send_raw` first asks whether the node already has it).
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from typing import Any

from blackgold.redact import redact_text

from .chain import Chain
from .models import Batch
from .store import Store

log = logging.getLogger("oracle.sender")


class Sender:
    def __init__(self, chain: Chain, store: Store, checkpoint: Callable[[Any], None]) -> None:
        self.chain, self.store, self.checkpoint = chain, store, checkpoint
        self._queue: queue.Queue[tuple[int, str, str] | None] = queue.Queue()
        self._busy: set[str] = set()  # tx hashes queued or being sent
        self._lock = threading.Lock()
        self.thread: threading.Thread | None = None
        self.last_error: str | None = None

    def start(self) -> None:
        self.thread = threading.Thread(target=self._run, name="oracle-sender", daemon=True)
        self.thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        if self.thread is not None:
            self._queue.put(None)
            self.thread.join(timeout)
            self.thread = None

    def busy(self, tx_hash: str) -> bool:
        """True while `tx_hash` waits in the queue or is being sent (do not send it again, do not judge it yet)."""
        with self._lock:
            return tx_hash in self._busy

    def submit(self, batch: Batch) -> None:
        """Broadcast the batch's current signed transaction (queued when the thread runs, else at once)."""
        with self._lock:
            if batch.tx_hash in self._busy:
                return
            self._busy.add(batch.tx_hash)
        item = (batch.id, batch.tx_hash, batch.raw_tx)
        if self.thread is None:
            self._send(item, raise_errors=True)  # the caller's loop reports and backs off
        else:
            self._queue.put(item)

    def _run(self) -> None:
        while (item := self._queue.get()) is not None:
            self._send(item)

    def _send(self, item: tuple[int, str, str], raise_errors: bool = False) -> None:
        batch_id, tx_hash, raw_tx = item
        try:
            self.chain.send_raw(raw_tx)
            self.store.mark_sent(batch_id, tx_hash)
            self.last_error = None
            self.checkpoint("after_send")
        except Exception as exc:  # the batch stays `signed`; the batcher sends it again on its next look
            if raise_errors:
                raise
            self.last_error = redact_text(f"{type(exc).__name__}: {exc}")
            log.warning("sending batch %s (tx %s) failed, will retry: %s", batch_id, tx_hash, self.last_error)
        finally:
            with self._lock:
                self._busy.discard(tx_hash)

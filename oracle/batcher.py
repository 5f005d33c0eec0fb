"""The batcher: turns queued purchases into PurchaseMining.mintBatch transactions, keeps up to `max_inflight` of
them in flight per key, tracks each to confirmation and recovers after crashes and outages.

Each step looks at every open batch of our key once, without blocking (oracle/tracker.py: record, re-broadcast,
replace when stuck, reconcile when dropped), finishes the open batches of a dead batcher's key once its lease has
expired (adoption: their signed bytes can be broadcast by anyone), and then, while fewer than `max_inflight` batches
are open, makes a new one:

    make:  promote accepted/settling purchases -> queued; wait until `batch_size` are queued or the oldest has waited
           `batch_wait_seconds`; claim up to `batch_size` queued purchases no other batcher holds (PostgreSQL
           `FOR UPDATE SKIP LOCKED`), gas limit from the batch's shape (oracle/gas_model.py, no RPC per batch), the
           next nonce (after our open batches), EIP-1559 fees; sign; WRITE AHEAD (batch row + purchases
           `submitted`, the same transaction as the claim); hand it to the sender (oracle/sender.py), which
           broadcasts in nonce order on its own thread.
    careful: after a failed batch, one batch at a time sized by eth_estimateGas, which decodes a revert before
           sending (reject a purchase the chain refuses for good, halve on DailyCeilingExceeded and then hold,
           hold when paused or without the oracle role), until a whole batch passes again.

The replay guard on chain makes every re-send harmless, so a crash at any stage (STAGES: `before_send`,
`after_send`, `after_receipt`, `after_record`) ends with each purchase minted exactly once and recorded once.
`Batcher.checkpoint(stage)` marks each stage (a debug log line); the crash tests replace it, in a test-only
launcher (tests/oracle/crashing_oracle.py), with one that kills the process there.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Literal

from web3.exceptions import Web3Exception

from blackgold.redact import redact_text

from .batch_store import batch_row
from .chain import GWEI, Chain, ChainUnavailable
from .config import Settings
from .estimate import Estimator, Hold
from .finality import FinalityVerifier, resolve_confirmations
from .gas_model import BatchGas
from .lease import Lease
from .metrics import Metrics
from .models import Batch, Purchase
from .sender import Sender
from .status import BatchStatus, PurchaseStatus
from .store import Store
from .tracker import Step, TrackerSide

Stage = Literal["before_send", "after_send", "after_receipt", "after_record"]
STAGES: tuple[Stage, ...] = ("before_send", "after_send", "after_receipt", "after_record")
__all__ = ["STAGES", "Batcher", "Hold", "Stage", "Step", "Waiting"]

log = logging.getLogger("oracle.batcher")


@dataclass(frozen=True)
class Waiting:
    """Why the batcher holds its queue now (a Hold), and until when it expects to (Unix time)."""

    code: str
    message: str
    until: float


class Batcher(TrackerSide):
    def __init__(self, settings: Settings, store: Store, chain: Chain, metrics: Metrics | None = None) -> None:
        self.s = settings
        self.store = store
        self.chain = chain
        self.metrics = metrics or Metrics()
        self.stop_event = threading.Event()
        self.thread: threading.Thread | None = None
        self.chain_ok: bool | None = None
        self.last_error: str | None = None  # the last step's failure; None once a step succeeds again
        self.last_success: float | None = None
        self.waiting: Waiting | None = None
        self.reconciled = False
        self.backoff = settings.backoff_initial_seconds
        self.estimator = Estimator(settings, store, self.metrics)
        self.gas = BatchGas(self.metrics)
        # After a failed batch the next ones are sized by eth_estimateGas (which decodes a revert before sending:
        # reject, halve, set aside, hold), one at a time, until one goes through whole; otherwise the gas model.
        self.careful = False
        if settings.confirmations <= 0:  # the network's default (the oracle resolves it at start already)
            resolve_confirmations(settings, chain.chain_id())
        self.finality = FinalityVerifier(settings, store, self.metrics)
        self.signer = chain.key.address if chain.key is not None else None
        self.lease = Lease(store, lease_name(self.signer), settings.lease_seconds) if self.signer else None
        self.role = "starting"  # leader (holds the lease) / standby (another batcher of this key holds it)
        # Ganache answers a send once mined: give the sender's own connection room for a large batch.
        sender_chain = chain.with_timeout(max(settings.rpc_timeout_seconds, settings.receipt_timeout_seconds))
        self.sender = Sender(sender_chain, store, lambda stage: self.checkpoint(stage))
        self.adopted: dict[str, Lease] = {}  # dead batchers' keys whose open batches we finish
        self._adopt_next = 0.0

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> None:
        self.sender.start()
        self.thread = threading.Thread(target=self.run, name="oracle-batcher", daemon=True)
        self.thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self.stop_event.set()
        if self.thread is not None:
            self.thread.join(timeout)
        self.sender.stop(timeout)
        for lease in self.adopted.values():
            lease.release()
        if self.lease is not None and self.role == "leader":
            self.lease.release()  # a standby takes over at once

    def run(self) -> None:
        while not self.stop_event.is_set():
            delay = self.tick()
            if delay > 0:
                self.stop_event.wait(delay)

    def tick(self) -> float:
        """One turn of the loop, whatever happens (the store keeps the truth); the seconds to wait before the next."""
        try:
            if not self._lead():
                return self.s.lease_seconds / 3
            if not self.reconciled:
                self.reconcile(scan_queued=False)  # open batches only; skipped orders are looked up anyway
            if self.finality.due():
                self.finality.verify(self.chain)
            step = self.step()
        except ChainUnavailable as exc:
            self._fail(str(exc))
            log.warning("chain unavailable, retrying in %.1fs: %s", self.backoff, exc)
        except Hold as exc:
            self.last_error = str(exc)
            self.waiting = Waiting(exc.code, str(exc), time.time() + exc.expected)
            log.info("holding for %.1fs: %s", exc.seconds, exc)
            return exc.seconds
        except (Web3Exception, ValueError) as exc:  # RPC-level errors (insufficient funds, nonce, ...)
            self._fail(redact_text(f"{type(exc).__name__}: {exc}"))
            log.warning("chain error, retrying in %.1fs: %s", self.backoff, exc)
        except Exception as exc:  # keep the loop alive whatever happens; the store keeps the truth
            self.last_error = redact_text(f"{type(exc).__name__}: {exc}")
            log.exception("batcher step failed, retrying in %.1fs", self.backoff)
        else:
            self._ok()
            return 0.0 if step == Step.PROGRESS else self.s.poll_interval_seconds
        delay, self.backoff = self.backoff, min(self.backoff * 2, self.s.backoff_max_seconds)
        return delay

    def _lead(self) -> bool:
        """Hold (take or renew) the key's lease; False: another batcher of this key holds it (hot standby)."""
        if self.lease is None or self.lease.held():
            if self.role != "leader":
                log.info(
                    "batcher lease taken (%s): this process sends the key's batches", self.lease and self.lease.holder
                )
                self.role, self.reconciled = "leader", False  # finish what the previous holder left open
            return True
        if self.role != "standby":
            view = self.lease.view()
            log.warning("standby: another batcher holds the lease of this key (%s)", view and view.holder)
            self.role = "standby"
        return False

    def _still_leader(self) -> bool:
        return self.lease is None or self.lease.held()

    def _ok(self) -> None:
        self.chain_ok = True
        self.last_success = time.time()
        self.last_error = self.sender.last_error
        self.waiting = None
        self.backoff = self.s.backoff_initial_seconds
        self.metrics.chain_up.set(1)

    def _fail(self, message: str) -> None:
        self.chain_ok = False
        self.last_error = message
        self.metrics.chain_up.set(0)
        self.metrics.rpc_errors.inc()

    def checkpoint(self, stage: Stage) -> None:
        """A batch reached `stage` (everything before it is committed or sent). The crash tests hook in here."""
        log.debug("batch stage %s", stage)

    # ------------------------------------------------------------------ one step
    def step(self) -> Step:
        """Look at every open batch once, finish a dead batcher's, then make a new batch if the window allows.
        PROGRESS: something happened (step again at once); PENDING: waiting for the chain; IDLE: nothing to do."""
        state, waiting = Step.IDLE, False
        for batch in self.store.open_batches(self.signer):
            if waiting and batch.status == BatchStatus.SENT:
                continue  # a key's transactions are mined in nonce order: none after a pending one is mined yet
            look = self.advance(batch)
            state, waiting = max(state, look), waiting or (look == Step.PENDING and batch.mined_at is None)
        state = max(state, self._adopt())
        in_flight = self.store.open_batches(self.signer)
        unmined = [b for b in in_flight if b.mined_at is None]  # mined ones only wait for confirmations
        if len(unmined) < (1 if self.careful else self.s.max_inflight):
            self.store.promote()
            if self.make_batch(in_flight):
                return Step.PROGRESS
        return max(state, Step.PENDING) if in_flight else state

    # ------------------------------------------------------------------ making a batch
    def make_batch(self, in_flight: list[Batch] | None = None) -> bool:
        oldest = self.store.oldest_queued_at()
        if oldest is None:
            return False
        young = time.time() - oldest < self.s.batch_wait_seconds
        if young and self.store.count_queued(self.s.batch_size) < self.s.batch_size:
            return False
        if self.careful:
            return self._make_careful()
        in_flight = self.store.open_batches(self.signer) if in_flight is None else in_flight
        nonce = max([self.chain.nonce("pending")] + [b.nonce + 1 for b in in_flight])
        head = self.chain.block_number()

        def build(purchases: list[Purchase]) -> Batch | None:
            gas = min(self.gas.limit(self.chain, purchases), self.s.gas_limit_cap)
            return self._signed_row(purchases, nonce, gas, head)

        batch = self.store.claim_batch(self.s.batch_size, build)
        if batch is None:  # every queued purchase is claimed by another batcher, or we lost the lease
            return False
        self._sign_off(batch)
        return True

    def _make_careful(self) -> bool:
        """One batch sized by eth_estimateGas with the estimator's decisions (reject, halve, set aside, hold)."""
        purchases = self.store.queued(self.s.batch_size)
        wanted = len(purchases)
        gas, purchases = self.estimator.estimate(self.chain, purchases)
        if not purchases:
            return True
        if len(purchases) == wanted:
            self.careful = False  # the whole batch passes: back to the model
        gas = min(int(gas * 1.2) + 50_000, self.s.gas_limit_cap)
        row = self._signed_row(purchases, self.chain.nonce("pending"), gas, self.chain.block_number())
        batch = self.store.write_batch(row, [p.id for p in purchases]) if row is not None else None
        if batch is not None:  # else a purchase left the queue meanwhile (refund, another batcher): start over
            self._sign_off(batch)
        return True

    def _signed_row(self, purchases: list[Purchase], nonce: int, gas: int, head: int) -> Batch | None:
        """Sign a batch at today's fees and make its row; None if we no longer hold the key's lease (fencing: only
        the lease holder writes a batch ahead and sends it)."""
        max_fee, priority = self.chain.fees(int(self.s.max_priority_fee_gwei * GWEI), int(self.s.max_fee_gwei * GWEI))
        signed = self.chain.sign_batch(purchases, nonce, gas, max_fee, priority)
        if not self._still_leader():
            return None
        return batch_row(
            size=len(purchases),
            nonce=nonce,
            tx_hash=signed.tx_hash,
            raw_tx=signed.raw_tx,
            gas=gas,
            max_fee_per_gas=max_fee,
            max_priority_fee_per_gas=priority,
            sent_block=head,
            signer=self.signer,
        )

    def _sign_off(self, batch: Batch) -> None:
        """A batch is written ahead: count it and hand it to the sender."""
        self.metrics.batch_size.observe(batch.size)
        log.info("batch %s: %d purchases, nonce %d, tx %s", batch.id, batch.size, batch.nonce, batch.tx_hash)
        self.checkpoint("before_send")
        self.sender.submit(batch)

    # ------------------------------------------------------------------ a dead batcher's key
    def _adopt(self) -> Step:
        """Finish the open batches of keys whose batcher is gone (lease expired): their signed transactions are in the
        store and anyone can broadcast them, so nothing they carry waits for that key's batcher to come back."""
        if self.lease is None or time.monotonic() < self._adopt_next:
            return Step.IDLE
        self._adopt_next = time.monotonic() + self.s.lease_seconds / 3
        state = Step.IDLE
        for signer in self.store.open_signers() - {self.signer}:
            lease = self.adopted.get(signer) or Lease(self.store, lease_name(signer), self.s.lease_seconds)
            if not lease.acquire():
                continue
            if signer not in self.adopted:
                log.warning("adopting the open batches of %s: its batcher's lease expired", signer)
                self.adopted[signer] = lease
            for batch in self.store.open_batches(signer):
                state = max(state, self.advance(batch, own=False))
        for signer in set(self.adopted) - self.store.open_signers():
            self.adopted.pop(signer).release()  # done: the key's own batcher may come back
        return state

    # ------------------------------------------------------------------ reconciliation
    def reconcile(self, scan_queued: bool = True) -> dict[str, int]:
        """Bring the store in line with the chain: finish open batches (waiting up to `receipt_timeout_seconds`);
        then (scan_queued) check every minted record against the chain (the finality verifier over all of them:
        what the chain forgot is requeued) and record as minted every queued purchase the replay guard says is mined
        (e.g. after restoring an old database; one isMined call per queued purchase, so the batcher's own start-up
        skips both)."""
        before = len(self.store.open_batches(self.signer))
        deadline = time.monotonic() + self.s.receipt_timeout_seconds
        while (batches := self.store.open_batches(self.signer)) and time.monotonic() < deadline:
            if self.role == "leader" and not self._still_leader():  # renews the lease while we wait (the CLI's
                break  # `reconcile` takes no lease); lost it: the new holder finishes them
            if max(self.advance(b) for b in batches) != Step.PROGRESS:
                if self.stop_event.wait(self.s.poll_interval_seconds):
                    break
        finished = before - len(self.store.open_batches(self.signer))
        verified = self.finality.verify(self.chain, window=-1) if scan_queued else {"requeued": 0, "moved": 0}
        found = 0
        for p in self.store.unminted((PurchaseStatus.QUEUED,)) if scan_queued else []:
            if self.chain.is_mined(p.ref):
                facts = self.chain.find_mined(p.ref)
                if facts is not None and self.store.mark_minted(p.ref, facts):
                    found += 1
                    self.metrics.minted.inc()
        self.reconciled = True
        return {
            "batches_finished": finished,
            "found_minted": found,
            "requeued_forgotten": verified["requeued"],
            "moved": verified["moved"],
        }


def lease_name(signer: str | None) -> str:
    """The lease of a key's batcher (one per key; a dead batcher's key is adopted under the same lease)."""
    return f"batcher:{(signer or '').lower()}"

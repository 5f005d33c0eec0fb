"""The batcher: turns queued purchases into PurchaseMining.mintBatch transactions, tracks them to
confirmation and recovers after crashes and outages.

One transaction in flight at a time (one oracle key, one writer of its nonce). Each step either
drives the open batch (if any) or makes a new one:

    make:  promote accepted/settling purchases -> queued; wait until `batch_size` are queued or the
           oldest has waited `batch_wait_seconds`; the gas limit from the batch's shape (oracle/gas_model.py,
           no RPC per batch; after a failed batch, eth_estimateGas until a whole batch passes again: a revert
           is decoded before sending - a purchase the chain refuses for good is rejected, DailyCeilingExceeded
           halves the batch and then holds, anything else - paused, oracle role missing - holds and retries);
           pick the nonce and EIP-1559 fees; sign; WRITE AHEAD (batch row + purchases `submitted`, one
           commit); send.
    drive: no receipt and the node does not know the transaction -> if our account's nonce has moved
           past it, it can never mine: reconcile each purchase with isMined/PurchaseMined; else
           re-broadcast the same signed bytes. Receipt -> wait for `confirmations` -> record the
           PurchaseMined facts of every purchase (ones skipped as already mined are looked up in the
           logs), one commit; its gas used is checked against the limit. A failed receipt (reverted, out of
           gas) requeues the batch, its cause decoded with one eth_call of the same batch.

The replay guard on chain makes every re-send harmless, so a crash at any stage (STAGES: `before_send`,
`after_send`, `after_receipt`, `after_record`) ends with each purchase minted exactly once and recorded once.
`Batcher.checkpoint(stage)` marks each stage (a debug log line); the crash tests replace it, in a test-only
launcher (tests/oracle/crashing_oracle.py), with one that kills the process there.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from web3.exceptions import Web3Exception

from blackgold.redact import redact_text

from .chain import GWEI, Chain, ChainUnavailable, TransactionReverted
from .config import Settings
from .estimate import Estimator, Hold
from .finality import FinalityVerifier, resolve_confirmations
from .gas_model import BatchGas
from .lease import Lease
from .metrics import Metrics
from .models import Batch, MintedFacts, Purchase
from .status import BatchStatus, PurchaseStatus
from .store import Store

Stage = Literal["before_send", "after_send", "after_receipt", "after_record"]
STAGES: tuple[Stage, ...] = ("before_send", "after_send", "after_receipt", "after_record")
__all__ = ["STAGES", "Batcher", "Hold", "Stage", "Waiting"]

log = logging.getLogger("oracle.batcher")


@dataclass(frozen=True)
class Waiting:
    """Why the batcher holds its queue now (a Hold), and until when it expects to (Unix time)."""

    code: str
    message: str
    until: float


class Batcher:
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
        # reject, halve, set aside, hold) until one goes through whole; otherwise the gas model signs them.
        self.careful = False
        if settings.confirmations <= 0:  # the network's default (the oracle resolves it at start already)
            resolve_confirmations(settings, chain.chain_id())
        self.finality = FinalityVerifier(settings, store, self.metrics)
        self.signer = chain.key.address if chain.key is not None else None
        self.lease = Lease(store, f"batcher:{self.signer.lower()}", settings.lease_seconds) if self.signer else None
        self.role = "starting"  # leader (holds the lease) / standby (another batcher of this key holds it)

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> None:
        self.thread = threading.Thread(target=self.run, name="oracle-batcher", daemon=True)
        self.thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self.stop_event.set()
        if self.thread is not None:
            self.thread.join(timeout)
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
            worked = self.step()
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
            return 0.0 if worked else self.s.poll_interval_seconds
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
        self.last_error = None
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
    def step(self) -> bool:
        """Drive the open batch or make a new one. True when something happened."""
        batch = self.store.open_batch(self.signer)
        if batch is not None:
            self.drive(batch)
            return True
        self.store.promote()
        return self.make_batch()

    # ------------------------------------------------------------------ making a batch
    def make_batch(self) -> bool:
        oldest = self.store.oldest_queued_at()
        if oldest is None:
            return False
        purchases = self.store.queued(self.s.batch_size)
        if len(purchases) < self.s.batch_size and time.time() - oldest < self.s.batch_wait_seconds:
            return False
        gas, purchases = self._gas(purchases)
        if not purchases:
            return True
        nonce = self.chain.nonce("pending")
        head = self.chain.block_number()
        max_fee, priority = self.chain.fees(int(self.s.max_priority_fee_gwei * GWEI), int(self.s.max_fee_gwei * GWEI))
        gas = min(gas, self.s.gas_limit_cap)
        signed = self.chain.sign_batch(purchases, nonce, gas, max_fee, priority)
        if not self._still_leader():  # fenced: only the lease holder writes a batch ahead and sends it
            return True
        batch = self.store.create_batch(
            [p.id for p in purchases],
            nonce=signed.nonce,
            tx_hash=signed.tx_hash,
            raw_tx=signed.raw_tx,
            gas=gas,
            max_fee_per_gas=max_fee,
            max_priority_fee_per_gas=priority,
            sent_block=head,
            signer=self.signer,
        )
        if batch is None:  # a purchase was refunded meanwhile; nothing was sent: start over
            return True
        self.metrics.batch_size.observe(len(purchases))
        log.info("batch %s: %d purchases, nonce %d, tx %s", batch.id, len(purchases), nonce, signed.tx_hash)
        self.checkpoint("before_send")
        self.drive(batch)
        return True

    def _gas(self, purchases: list[Purchase]) -> tuple[int, list[Purchase]]:
        """The gas limit of a batch and the purchases it carries: the gas model (no RPC per batch), or, while
        careful, eth_estimateGas with the estimator's decisions (reject, halve, set aside, hold)."""
        if not self.careful:
            return self.gas.limit(self.chain, purchases), purchases
        wanted = len(purchases)
        gas, purchases = self.estimator.estimate(self.chain, purchases)
        if len(purchases) == wanted:
            self.careful = False  # the whole batch passes: back to the model
        return int(gas * 1.2) + 50_000, purchases

    def _why_failed(self, purchases: Sequence[Purchase], receipt: dict[str, Any], gas: int) -> str:
        """One eth_call of the same batch: the decoded revert, or (it would pass now) out of gas."""
        self.careful = True
        try:
            self.chain.call_batch(purchases)
        except TransactionReverted as exc:
            return f"transaction reverted: {exc.name}{tuple(exc.error_args)}"
        used = int(receipt.get("gasUsed") or 0)
        if used >= gas:
            self.metrics.gas_close_to_limit.inc()
            return f"out of gas (used {used} of its {gas} limit): next batches are sized by eth_estimateGas"
        return "transaction reverted (the same batch passes now)"

    # ------------------------------------------------------------------ driving a batch
    def drive(self, batch: Batch) -> None:
        receipt = self.chain.receipt(batch.tx_hash)
        if receipt is None:
            if batch.status == BatchStatus.SIGNED or self.chain.transaction(batch.tx_hash) is None:
                if self.chain.nonce("latest", batch.signer) > batch.nonce:
                    # The signer's nonce was used by another transaction: this one can never be mined.
                    self._resolve_dropped(batch)
                    return
                self.chain.send_raw(batch.raw_tx)
                if batch.status == BatchStatus.SIGNED:
                    self.store.update_batch(batch.id, status=BatchStatus.SENT, sent_at=time.time())
                    batch.status, batch.sent_at = BatchStatus.SENT, time.time()
                self.checkpoint("after_send")
            receipt = self._wait_receipt(batch.tx_hash)
            if receipt is None:
                return  # next step looks again (and re-broadcasts if the node lost it)
        self.checkpoint("after_receipt")
        if not self._wait_confirmations(receipt):
            return
        self._record(batch, receipt)

    def _wait_receipt(self, tx_hash: str) -> dict[str, Any] | None:
        deadline = time.monotonic() + self.s.receipt_timeout_seconds
        while not self.stop_event.is_set():
            receipt = self.chain.receipt(tx_hash)
            if receipt is not None:
                return receipt
            if time.monotonic() > deadline or not self._still_leader():
                return None
            self.stop_event.wait(self.s.poll_interval_seconds)
        return None

    def _wait_confirmations(self, receipt: dict[str, Any]) -> bool:
        deadline = time.monotonic() + self.s.receipt_timeout_seconds
        while self.chain.confirmations(receipt) < self.s.confirmations:
            if self.stop_event.is_set() or time.monotonic() > deadline or not self._still_leader():
                return False
            self.stop_event.wait(self.s.poll_interval_seconds)
        return True

    def _record(self, batch: Batch, receipt: dict[str, Any]) -> None:
        purchases = self.store.batch_purchases(batch.id)
        refs = [p.ref for p in purchases]
        if int(receipt["status"]) != 1:
            why = self._why_failed(purchases, receipt, batch.gas)
            self.store.close_batch(batch.id, BatchStatus.FAILED, minted={}, requeue=refs, error=why)
            self.metrics.batches.labels("reverted").inc()
            log.warning("batch %s failed on chain (%s); purchases requeued", batch.id, why)
            return
        self.gas.confirmed(purchases, int(receipt["gasUsed"]), batch.gas)
        mined, skipped = self.chain.events(receipt)
        facts: dict[str, MintedFacts] = {}
        requeue: list[str] = []
        for ref in refs:
            if ref in mined:
                facts[ref] = mined[ref]
            else:  # skipped: mined before by another transaction (before this block); record that one
                found = self.chain.find_mined(ref, int(receipt["blockNumber"]))
                if found is not None:
                    facts[ref] = found
                else:
                    requeue.append(ref)
        self.store.close_batch(
            batch.id,
            BatchStatus.CONFIRMED,
            minted=facts,
            requeue=requeue,
            block_number=int(receipt["blockNumber"]),
            gas_used=int(receipt["gasUsed"]),
        )
        self._observe_minted(purchases, facts)
        if batch.sent_at:
            self.metrics.confirmation_latency.observe(max(0.0, time.time() - batch.sent_at))
        self.metrics.batches.labels("confirmed").inc()
        log.info(
            "batch %s confirmed in block %s: %d minted (%d skipped)",
            batch.id,
            receipt["blockNumber"],
            len(facts),
            len(skipped),
        )
        self.checkpoint("after_record")

    def _observe_minted(self, purchases: Sequence[Purchase], facts: dict[str, MintedFacts]) -> None:
        now = time.time()
        for p in purchases:
            if p.ref in facts and p.status != PurchaseStatus.MINTED:
                self.metrics.minted.inc()
                self.metrics.mint_latency.observe(max(0.0, now - p.accepted_at))

    def _resolve_dropped(self, batch: Batch) -> None:
        purchases = self.store.batch_purchases(batch.id)
        facts: dict[str, MintedFacts] = {}
        for p in purchases:
            if self.chain.is_mined(p.ref):
                found = self.chain.find_mined(p.ref, batch.sent_block)
                if found is not None:
                    facts[p.ref] = found
        self.store.close_batch(
            batch.id,
            BatchStatus.DROPPED,
            minted=facts,
            requeue=[p.ref for p in purchases],
            error="nonce used by another transaction",
        )
        self._observe_minted(purchases, facts)
        self.metrics.batches.labels("dropped").inc()
        log.warning("batch %s dropped; %d of %d purchases were mined elsewhere", batch.id, len(facts), len(purchases))

    # ------------------------------------------------------------------ reconciliation
    def reconcile(self, scan_queued: bool = True) -> dict[str, int]:
        """Bring the store in line with the chain: finish open batches; then (scan_queued) check every minted record
        against the chain (the finality verifier over all of them: what the chain forgot is requeued) and record as
        minted every queued purchase the replay guard says is mined (e.g. after restoring an old database; one
        isMined call per queued purchase, so the batcher's own start-up skips both)."""
        finished = 0
        while (batch := self.store.open_batch(self.signer)) is not None:
            self.drive(batch)
            still = self.store.open_batch(self.signer)
            if still is not None and still.id == batch.id:
                break  # still waiting for the chain; the loop continues later
            finished += 1
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

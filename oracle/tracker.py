"""The batcher's side that follows written-ahead batches to the end (a mixin of oracle.batcher.Batcher).

Each look at an open batch (`advance`) is one non-blocking pass, so several batches of one key can be in flight:

    receipt (of the current transaction or of a fee-bumped predecessor: any of them may be the one mined)
        -> wait for `confirmations` -> record every purchase's PurchaseMined facts (ones skipped as already mined
           are looked up in the logs), one commit; a failed receipt requeues the batch, decoded with one eth_call.
    no receipt, never broadcast or unknown to the node
        -> if the key's mined nonce is already past it, it can never be mined: reconcile each purchase with
           isMined/PurchaseMined (`dropped`); else (re-)broadcast the same signed bytes.
    no receipt, pending at the node for longer than `replace_after_seconds`
        -> our own key: sign the same batch again with fees bumped by 12.5% (at least today's market fees; nodes
           require +10% to replace), write it ahead, broadcast; at `max_fee_gwei` it waits, warned in the log.
           A dead batcher's adopted key: only re-broadcast (we do not hold that key).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Sequence
from enum import IntEnum
from typing import Any

from .chain import GWEI, Chain, TransactionReverted
from .config import Settings
from .gas_model import BatchGas
from .metrics import Metrics
from .models import Batch, MintedFacts, Purchase
from .sender import Sender
from .status import BatchStatus, PurchaseStatus
from .store import Store

log = logging.getLogger("oracle.batcher")
BUMP = 1.125  # fee bump of a replacement: above the +10% nodes require
RECHECK_SECONDS = 3.0  # a sent transaction's receipt is asked on every poll, whether the node has it after this


class Step(IntEnum):
    """What one look achieved: nothing to do, waiting for the chain, or progress (look again at once)."""

    IDLE = 0
    PENDING = 1
    PROGRESS = 2


class TrackerSide:
    s: Settings
    store: Store
    chain: Chain
    metrics: Metrics
    gas: BatchGas
    sender: Sender
    signer: str | None
    careful: bool
    checkpoint: Callable[[Any], None]
    _still_leader: Callable[[], bool]

    def advance(self, batch: Batch, own: bool = True) -> Step:
        """One non-blocking look at an open batch (`own`: signed with our key, so we may replace it)."""
        receipt = self._receipt(batch)
        if receipt is None:
            if self.sender.busy(batch.tx_hash) or (batch.status == BatchStatus.SENT and not self._due(batch)):
                return Step.PENDING  # just sent: only its receipt is asked (Ganache answers RPCs one at a time)
            if batch.status == BatchStatus.SIGNED or self.chain.transaction(batch.tx_hash) is None:
                if self.chain.nonce("latest", batch.signer or self.signer) > batch.nonce:
                    self._resolve_dropped(batch)  # its nonce was used by another transaction
                    return Step.PROGRESS
                self.sender.submit(batch)
                return Step.PROGRESS if self.sender.thread is None else Step.PENDING
            if own and self._stuck(batch) and self._replace(batch):
                return Step.PROGRESS
            return Step.PENDING
        if self.chain.confirmations(receipt) < self.s.confirmations:
            if batch.mined_at is None:  # mined: no longer counts against max_inflight while it gathers confirmations
                batch.mined_at, batch.block_number = time.time(), int(receipt["blockNumber"])
                self.store.update_batch(batch.id, mined_at=batch.mined_at, block_number=batch.block_number)
            return Step.PENDING
        self.checkpoint("after_receipt")
        self._record(batch, receipt)
        return Step.PROGRESS

    def _receipt(self, batch: Batch) -> dict[str, Any] | None:
        for tx_hash in [batch.tx_hash, *[h for h in (batch.prior_tx_hashes or "").split(",") if h]]:
            receipt = self.chain.receipt(tx_hash)
            if receipt is not None:
                return receipt
        return None

    # ------------------------------------------------------------------ stuck transactions
    def _due(self, batch: Batch) -> bool:
        """Time to ask whether the node still has a sent transaction (and re-broadcast or replace it): not on every
        poll, a few seconds after it was sent and then on each look."""
        return batch.sent_at is None or time.time() - batch.sent_at >= min(
            RECHECK_SECONDS, self.s.replace_after_seconds
        )

    def _stuck(self, batch: Batch) -> bool:
        return batch.sent_at is not None and time.time() - batch.sent_at >= self.s.replace_after_seconds

    def _replace(self, batch: Batch) -> bool:
        """Replace a stuck transaction by the same batch with bumped EIP-1559 fees. False at the fee cap."""
        cap = int(self.s.max_fee_gwei * GWEI)
        fee, tip = self.chain.fees(int(self.s.max_priority_fee_gwei * GWEI), cap)
        tip = max(tip, math.ceil(int(batch.max_priority_fee_per_gas) * BUMP), 1)
        fee = max(fee, math.ceil(int(batch.max_fee_per_gas) * BUMP), tip)
        if fee > cap:
            log.warning("batch %s (nonce %d) is stuck at the fee cap max_fee_gwei: not replaced", batch.id, batch.nonce)
            self.store.update_batch(batch.id, sent_at=time.time())  # warn again after replace_after_seconds
            return False
        signed = self.chain.sign_batch(self.store.batch_purchases(batch.id), batch.nonce, batch.gas, fee, tip)
        if not self._still_leader():
            return False
        old = batch.tx_hash
        batch = self.store.replace_tx(batch, tx_hash=signed.tx_hash, raw_tx=signed.raw_tx, max_fee=fee, priority=tip)
        self.metrics.batches.labels("replaced").inc()
        log.warning(
            "batch %s stuck: tx %s replaced by %s (max fee %d wei, tip %d wei)", batch.id, old, batch.tx_hash, fee, tip
        )
        self.sender.submit(batch)
        return True

    # ------------------------------------------------------------------ final outcomes
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
            tx_hash="0x" + bytes(receipt["transactionHash"]).hex(),
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

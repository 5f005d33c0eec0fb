"""The store's batcher side (a mixin of oracle.store.Store): promoting purchases to the queue, the write-ahead batch
record, closing batches, recording mints and refusals, and what the finality verifier and the admin actions need.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import fields
from typing import Any

from sqlalchemy import ColumnElement, Table, and_, bindparam, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from .models import Batch, MintedFacts, Purchase
from .status import OPEN_BATCH, BatchStatus, PurchaseStatus

S = PurchaseStatus
#: what a mint records on a purchase (cleared when the chain forgets it): when, and each fact of MintedFacts
MINT_COLUMNS = ("minted_at", *(f.name for f in fields(MintedFacts)))


class _LeftTheQueue(Exception):
    pass


def rowcount(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


_rowcount = rowcount


def batch_row(
    *,
    size: int,
    nonce: int,
    tx_hash: str,
    raw_tx: str,
    gas: int,
    max_fee_per_gas: int,
    max_priority_fee_per_gas: int,
    sent_block: int | None,
    signer: str | None,
    now: float | None = None,
) -> Batch:
    """A new batch row, `signed`: what is written ahead of broadcasting its transaction."""
    return Batch(
        status=BatchStatus.SIGNED,
        nonce=nonce,
        tx_hash=tx_hash,
        raw_tx=raw_tx,
        size=size,
        gas=gas,
        max_fee_per_gas=str(max_fee_per_gas),
        max_priority_fee_per_gas=str(max_priority_fee_per_gas),
        created_at=time.time() if now is None else now,
        sent_block=sent_block,
        signer=signer,
    )


def _open(signer: str | None) -> ColumnElement[bool]:
    """Open batches (of `signer`'s key, and any signed before batches recorded their key; every key when None)."""
    is_open = Batch.status.in_(OPEN_BATCH)
    return is_open if signer is None else and_(is_open, (Batch.signer == signer) | Batch.signer.is_(None))


def _submit(s: Session, purchase_ids: list[int], batch: Batch, now: float) -> int:
    """Move queued purchases into `batch` (status `submitted`); how many moved."""
    res = s.execute(
        update(Purchase)
        .where(Purchase.id.in_(purchase_ids), Purchase.status == S.QUEUED)
        .values(
            status=S.SUBMITTED,
            submitted_at=now,
            updated_at=now,
            batch_id=batch.id,
            tx_hash=batch.tx_hash,
            last_error=None,
        )
    )
    return _rowcount(res)


def _record_minted(s: Session, minted: dict[str, MintedFacts], now: float) -> None:
    """Record each purchase's mint facts: one UPDATE statement executed for all of them (executemany), not one
    statement per purchase (a 100-purchase batch spent about 130 ms in 100 separate UPDATEs)."""
    if not minted:
        return
    table: Table = Purchase.__table__  # type: ignore[assignment]
    names = list(next(iter(minted.values())).values(now))
    stmt = (
        update(table)
        .where(table.c.ref == bindparam("m_ref"), table.c.status != S.MINTED)
        .values({name: bindparam("m_" + name) for name in names})
    )
    rows = [{"m_ref": ref, **{"m_" + k: v for k, v in f.values(now).items()}} for ref, f in minted.items()]
    s.execute(stmt, rows)


class BatchSide:
    sessions: sessionmaker[Session]

    def promote(self, now: float | None = None) -> int:
        """accepted -> settling (window still open) and accepted/settling -> queued (window passed)."""
        now = time.time() if now is None else now
        with self.sessions.begin() as s:
            a = s.execute(
                update(Purchase)
                .where(Purchase.status == S.ACCEPTED, Purchase.mintable_at > now)
                .values(status=S.SETTLING, settling_at=now, updated_at=now)
            )
            b = s.execute(
                update(Purchase)
                .where(Purchase.status.in_((S.ACCEPTED, S.SETTLING)), Purchase.mintable_at <= now)
                .values(status=S.QUEUED, queued_at=now, updated_at=now)
            )
        return _rowcount(a) + _rowcount(b)

    def queued(self, limit: int) -> list[Purchase]:
        with self.sessions() as s:
            q = select(Purchase).where(Purchase.status == S.QUEUED).order_by(Purchase.id).limit(limit)
            return list(s.scalars(q))

    def oldest_due(self) -> float | None:
        """When the longest-waiting purchase still to be minted became mintable (Unix time), or None."""
        due = (S.ACCEPTED, S.SETTLING, S.QUEUED, S.SUBMITTED)
        with self.sessions() as s:
            return s.scalar(select(func.min(Purchase.mintable_at)).where(Purchase.status.in_(due)))

    def count_queued(self, limit: int) -> int:
        """How many purchases are queued, counting no further than `limit` (is a full batch waiting?)."""
        with self.sessions() as s:
            ids = select(Purchase.id).where(Purchase.status == S.QUEUED).limit(limit).subquery()
            return int(s.scalar(select(func.count()).select_from(ids)) or 0)

    def oldest_queued_at(self) -> float | None:
        with self.sessions() as s:
            return s.scalar(select(func.min(Purchase.queued_at)).where(Purchase.status == S.QUEUED))

    def create_batch(
        self,
        purchase_ids: list[int],
        *,
        nonce: int,
        tx_hash: str,
        raw_tx: str,
        gas: int,
        max_fee_per_gas: int,
        max_priority_fee_per_gas: int,
        sent_block: int | None = None,
        signer: str | None = None,
        now: float | None = None,
    ) -> Batch | None:
        """Write-ahead: record the signed transaction and move its purchases to `submitted`, atomically.
        None if any purchase left `queued` meanwhile (e.g. refunded): nothing is recorded then."""
        now = time.time() if now is None else now
        row = batch_row(
            size=len(purchase_ids),
            nonce=nonce,
            tx_hash=tx_hash,
            raw_tx=raw_tx,
            gas=gas,
            max_fee_per_gas=max_fee_per_gas,
            max_priority_fee_per_gas=max_priority_fee_per_gas,
            sent_block=sent_block,
            signer=signer,
            now=now,
        )
        return self.write_batch(row, purchase_ids)

    def write_batch(self, batch: Batch, purchase_ids: list[int]) -> Batch | None:
        """Write a signed batch row ahead with its purchases' move to `submitted`, atomically. None (nothing recorded)
        if any purchase left `queued` meanwhile (refunded, taken by another batcher)."""
        try:
            with self.sessions.begin() as s:
                s.add(batch)
                s.flush()
                if _submit(s, purchase_ids, batch, batch.created_at) != len(purchase_ids):
                    raise _LeftTheQueue  # rolls the whole transaction back
            return batch
        except _LeftTheQueue:
            return None

    def claim_batch(self, limit: int, build: Callable[[list[Purchase]], Batch | None]) -> Batch | None:
        """Work sharing: lock up to `limit` queued purchases no other batcher holds (PostgreSQL: `FOR UPDATE SKIP
        LOCKED`; SQLite has no row locks and runs one batcher), let `build` sign their batch (None: nothing to send),
        and write it ahead in the same transaction. Two batchers never claim the same purchase, so no batch carries
        a purchase a rival batch mints first (no `PurchaseSkipped` between our own keys)."""
        with self.sessions.begin() as s:
            q = select(Purchase).where(Purchase.status == S.QUEUED).order_by(Purchase.id).limit(limit)
            purchases = list(s.scalars(q.with_for_update(skip_locked=True)))
            batch = build(purchases) if purchases else None
            if batch is None:
                return None
            s.add(batch)
            s.flush()
            _submit(s, [p.id for p in purchases], batch, batch.created_at)
        return batch

    def open_batches(self, signer: str | None) -> list[Batch]:
        """Every open batch of `signer`'s key (and, for our own key, any signed before batches recorded their key),
        in nonce order: the batches in flight."""
        with self.sessions() as s:
            return list(s.scalars(select(Batch).where(_open(signer)).order_by(Batch.nonce, Batch.id)))

    def open_signers(self) -> set[str]:
        """The keys that have open batches (a dead batcher's key among them, until someone finishes them)."""
        with self.sessions() as s:
            q = select(Batch.signer).where(Batch.status.in_(OPEN_BATCH), Batch.signer.is_not(None)).distinct()
            return {str(x) for x in s.scalars(q)}

    def mark_sent(self, batch_id: int, tx_hash: str, now: float | None = None) -> bool:
        """The signed transaction `tx_hash` of a batch was broadcast: `signed` -> `sent` (only if it is still the
        batch's current transaction: a fee-bumped replacement is not marked by its predecessor's send)."""
        now = time.time() if now is None else now
        with self.sessions.begin() as s:
            res = s.execute(
                update(Batch)
                .where(Batch.id == batch_id, Batch.tx_hash == tx_hash, Batch.status == BatchStatus.SIGNED)
                .values(status=BatchStatus.SENT, sent_at=now)
            )
            return _rowcount(res) == 1

    def replace_tx(self, batch: Batch, *, tx_hash: str, raw_tx: str, max_fee: int, priority: int) -> Batch:
        """Write ahead a fee-bumped replacement (same nonce, same purchases): the batch's current transaction becomes
        the new one (status `signed` until broadcast) and the old hash joins `prior_tx_hashes`, because either may
        still be mined."""
        prior = [h for h in (batch.prior_tx_hashes or "").split(",") if h] + [batch.tx_hash]
        values: dict[str, Any] = dict(
            tx_hash=tx_hash,
            raw_tx=raw_tx,
            max_fee_per_gas=str(max_fee),
            max_priority_fee_per_gas=str(priority),
            prior_tx_hashes=",".join(prior),
            status=BatchStatus.SIGNED,
        )
        with self.sessions.begin() as s:
            s.execute(update(Batch).where(Batch.id == batch.id).values(**values))
            s.execute(update(Purchase).where(Purchase.batch_id == batch.id).values(tx_hash=tx_hash))
            return s.get_one(Batch, batch.id)

    def open_batch(self, signer: str | None = None) -> Batch | None:
        """The oldest open batch (of `signer`'s key, or signed before batches recorded their key)."""
        with self.sessions() as s:
            return s.scalar(select(Batch).where(_open(signer)).order_by(Batch.id).limit(1))

    def batch_purchases(self, batch_id: int) -> list[Purchase]:
        with self.sessions() as s:
            return list(s.scalars(select(Purchase).where(Purchase.batch_id == batch_id).order_by(Purchase.id)))

    def update_batch(self, batch_id: int, **values: Any) -> None:
        with self.sessions.begin() as s:
            s.execute(update(Batch).where(Batch.id == batch_id).values(**values))

    def get_batch(self, batch_id: int) -> Batch | None:
        with self.sessions() as s:
            return s.get(Batch, batch_id)

    def last_batch(self) -> Batch | None:
        with self.sessions() as s:
            return s.scalar(select(Batch).order_by(Batch.id.desc()).limit(1))

    def close_batch(
        self,
        batch_id: int,
        status: BatchStatus,
        *,
        minted: dict[str, MintedFacts],
        requeue: Iterable[str] = (),
        error: str | None = None,
        block_number: int | None = None,
        gas_used: int | None = None,
        tx_hash: str | None = None,
        now: float | None = None,
    ) -> None:
        """Finish a batch in one transaction: minted purchases get their facts, the rest are requeued. `tx_hash`: the
        transaction that was mined, when a fee-bumped predecessor was mined instead of the current one."""
        now = time.time() if now is None else now
        with self.sessions.begin() as s:
            values: dict[str, Any] = {"status": status, "error": error}
            if tx_hash:
                values["tx_hash"] = tx_hash
            if status == BatchStatus.CONFIRMED:
                values.update(confirmed_at=now, mined_at=now, block_number=block_number, gas_used=gas_used)
            s.execute(update(Batch).where(Batch.id == batch_id).values(**values))
            _record_minted(s, minted, now)
            back = [r for r in requeue if r not in minted]
            if back:
                s.execute(
                    update(Purchase)
                    .where(Purchase.ref.in_(back), Purchase.status == S.SUBMITTED)
                    .values(
                        status=S.QUEUED, queued_at=now, updated_at=now, batch_id=None, tx_hash=None, last_error=error
                    )
                )

    def mark_minted(self, ref: str, facts: MintedFacts, now: float | None = None) -> bool:
        now = time.time() if now is None else now
        with self.sessions.begin() as s:
            res = s.execute(
                update(Purchase).where(Purchase.ref == ref, Purchase.status != S.MINTED).values(**facts.values(now))
            )
            return _rowcount(res) == 1

    def reject_queued(self, reject: dict[str, str], now: float | None = None) -> None:
        """Queued purchases the chain refuses for good (decided by the batcher) become `rejected`."""
        now = time.time() if now is None else now
        with self.sessions.begin() as s:
            for ref, why in reject.items():
                s.execute(
                    update(Purchase)
                    .where(Purchase.ref == ref, Purchase.status == S.QUEUED)
                    .values(status=S.REJECTED, rejected_at=now, updated_at=now, reason=why)
                )

    def set_aside(self, ref: str, reason: str, now: float | None = None) -> bool:
        """A queued purchase that can never be minted as things are (it alone exceeds the daily ceiling's capacity)
        leaves the queue: `set_aside`, with the reason. True if it was queued."""
        now = time.time() if now is None else now
        with self.sessions.begin() as s:
            res = s.execute(
                update(Purchase)
                .where(Purchase.ref == ref, Purchase.status == S.QUEUED)
                .values(status=S.SET_ASIDE, set_aside_at=now, updated_at=now, reason=reason, last_error=reason)
            )
            return _rowcount(res) == 1

    def requeue_set_aside(self, ref: str, now: float | None = None) -> Purchase | None:
        """The admin action for a set-aside purchase (e.g. after governance raised the ceiling): back to the queue.
        The record, or None if there is no such set-aside purchase."""
        now = time.time() if now is None else now
        with self.sessions.begin() as s:
            res = s.execute(
                update(Purchase)
                .where(Purchase.ref == ref, Purchase.status == S.SET_ASIDE)
                .values(status=S.QUEUED, queued_at=now, updated_at=now, reason=None, last_error=None)
            )
            if _rowcount(res) != 1:
                return None
            return s.scalar(select(Purchase).where(Purchase.ref == ref))

    def minted_since(self, block: int | None) -> list[Purchase]:
        """Minted records in block `block` or later (every minted record when None), oldest first."""
        with self.sessions() as s:
            q = select(Purchase).where(Purchase.status == S.MINTED)
            if block is not None:
                q = q.where(Purchase.block_number >= block)
            return list(s.scalars(q.order_by(Purchase.block_number, Purchase.id)))

    def requeue_forgotten(self, refs: list[str], reason: str, now: float | None = None) -> int:
        """Minted records whose mint the chain no longer has go back to the queue (their mint facts cleared; the
        batches that carried them become `reorged`). How many were requeued."""
        now = time.time() if now is None else now
        cleared = dict.fromkeys(MINT_COLUMNS)
        with self.sessions.begin() as s:
            hashes = set(s.scalars(select(Purchase.tx_hash).where(Purchase.ref.in_(refs))))
            res = s.execute(
                update(Purchase)
                .where(Purchase.ref.in_(refs), Purchase.status == S.MINTED)
                .values(status=S.QUEUED, queued_at=now, updated_at=now, batch_id=None, last_error=reason, **cleared)
            )
            s.execute(
                update(Batch)
                .where(Batch.tx_hash.in_([h for h in hashes if h]), Batch.status == BatchStatus.CONFIRMED)
                .values(status=BatchStatus.REORGED, error=reason)
            )
            return _rowcount(res)

    def record_moved(self, facts: dict[str, MintedFacts], now: float | None = None) -> None:
        """Minted records whose PurchaseMined event is now in another transaction or block: record where it is."""
        now = time.time() if now is None else now
        with self.sessions.begin() as s:
            for ref, f in facts.items():
                s.execute(update(Purchase).where(Purchase.ref == ref).values(**f.values(now)))

    def note_waiting(self, ids: list[int], message: str) -> None:
        with self.sessions.begin() as s:
            s.execute(
                update(Purchase).where(Purchase.id.in_(ids), Purchase.status == S.QUEUED).values(last_error=message)
            )

    def unminted(self, statuses: Iterable[PurchaseStatus] = (S.QUEUED, S.SUBMITTED)) -> list[Purchase]:
        with self.sessions() as s:
            q = select(Purchase).where(Purchase.status.in_(tuple(statuses))).order_by(Purchase.id)
            return list(s.scalars(q))

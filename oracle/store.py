"""Durable store: SQLAlchemy 2 models and the repository the API, batcher and CLI share.

SQLite file by default (WAL, synchronous=FULL: a commit is on disk), PostgreSQL by URL
(`postgresql://...` uses psycopg 3). Tables are created on first use.

Purchase statuses:
    accepted  -> settling -> queued -> submitted -> minted
    accepted/settling/queued -> refunded      (signed refund before minting)
    queued/submitted -> rejected              (the chain refuses this purchase for good)
Each status has its own timestamp column; `reason` says why a purchase was refunded or rejected and
`last_error` notes why it is waiting (RPC down, daily ceiling, ...).

Batches (one PurchaseMining.mintBatch transaction each) are written ahead of sending: the signed raw
transaction, its hash and nonce are committed together with the purchases' move to `submitted`
*before* the transaction is broadcast, so after a crash the batcher knows exactly what may be on chain.
Batch statuses: signed -> sent -> confirmed, or failed (reverted; purchases requeued) / dropped (the
nonce was used by another transaction; purchases reconciled one by one).
"""
from __future__ import annotations

import csv
import io
import queue
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Iterable, Iterator, Optional

from sqlalchemy import (BigInteger, Boolean, Float, ForeignKey, Index, Integer, String, Text, create_engine, event,
                        func, select, text, update)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

from .verification import BackendInfo, VerifiedPurchase, VerifiedRefund

ACCEPTED, SETTLING, QUEUED, SUBMITTED, MINTED, REFUNDED, REJECTED = (
    "accepted", "settling", "queued", "submitted", "minted", "refunded", "rejected")
STATUSES = (ACCEPTED, SETTLING, QUEUED, SUBMITTED, MINTED, REFUNDED, REJECTED)
REFUNDABLE = (ACCEPTED, SETTLING, QUEUED)
BACKLOG = (ACCEPTED, SETTLING, QUEUED, SUBMITTED)
B_SIGNED, B_SENT, B_CONFIRMED, B_FAILED, B_DROPPED = "signed", "sent", "confirmed", "failed", "dropped"
OPEN_BATCH = (B_SIGNED, B_SENT)

PK = BigInteger().with_variant(Integer, "sqlite")  # SQLite autoincrement needs INTEGER PRIMARY KEY


class Base(DeclarativeBase):
    pass


class Backend(Base):
    __tablename__ = "backends"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    address: Mapped[str] = mapped_column(String(42))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    note: Mapped[str] = mapped_column(String(256), default="")
    created_at: Mapped[float] = mapped_column(Float)
    disabled_at: Mapped[Optional[float]] = mapped_column(Float, nullable=True)

    def info(self) -> BackendInfo:
        return BackendInfo(id=self.id, address=self.address, active=self.active)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "address": self.address, "active": self.active, "note": self.note,
                "created_at": iso(self.created_at), "disabled_at": iso(self.disabled_at)}


class Batch(Base):
    __tablename__ = "batches"
    id: Mapped[int] = mapped_column(PK, primary_key=True, autoincrement=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    nonce: Mapped[int] = mapped_column(BigInteger)
    tx_hash: Mapped[str] = mapped_column(String(66), index=True)
    raw_tx: Mapped[str] = mapped_column(Text)
    size: Mapped[int] = mapped_column(Integer)
    gas: Mapped[int] = mapped_column(BigInteger)
    max_fee_per_gas: Mapped[str] = mapped_column(String(80))
    max_priority_fee_per_gas: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[float] = mapped_column(Float)
    sent_at: Mapped[Optional[float]] = mapped_column(Float, nullable=True)
    mined_at: Mapped[Optional[float]] = mapped_column(Float, nullable=True)
    confirmed_at: Mapped[Optional[float]] = mapped_column(Float, nullable=True)
    block_number: Mapped[Optional[int]] = mapped_column(BigInteger, nullable=True)
    gas_used: Mapped[Optional[int]] = mapped_column(BigInteger, nullable=True)
    error: Mapped[Optional[str]] = mapped_column(Text, nullable=True)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "status": self.status, "nonce": self.nonce, "tx_hash": self.tx_hash,
                "size": self.size, "gas": self.gas, "gas_used": self.gas_used, "block_number": self.block_number,
                "created_at": iso(self.created_at), "sent_at": iso(self.sent_at),
                "confirmed_at": iso(self.confirmed_at), "error": self.error}


class Purchase(Base):
    __tablename__ = "purchases"
    id: Mapped[int] = mapped_column(PK, primary_key=True, autoincrement=True)
    ref: Mapped[str] = mapped_column(String(66), unique=True)
    backend_id: Mapped[str] = mapped_column(String(64), index=True)
    order_id: Mapped[str] = mapped_column(String(128))
    consumer: Mapped[str] = mapped_column(String(42))
    referrer: Mapped[str] = mapped_column(String(42))
    supplier: Mapped[str] = mapped_column(String(42))
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(16))
    paid_at: Mapped[int] = mapped_column(BigInteger)
    referrer_bps: Mapped[int] = mapped_column(Integer)
    signature: Mapped[str] = mapped_column(String(132))
    digest: Mapped[str] = mapped_column(String(66))
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[Optional[str]] = mapped_column(Text, nullable=True)
    last_error: Mapped[Optional[str]] = mapped_column(Text, nullable=True)
    mintable_at: Mapped[float] = mapped_column(Float)
    accepted_at: Mapped[float] = mapped_column(Float)
    settling_at: Mapped[Optional[float]] = mapped_column(Float, nullable=True)
    queued_at: Mapped[Optional[float]] = mapped_column(Float, nullable=True)
    submitted_at: Mapped[Optional[float]] = mapped_column(Float, nullable=True)
    minted_at: Mapped[Optional[float]] = mapped_column(Float, nullable=True)
    refunded_at: Mapped[Optional[float]] = mapped_column(Float, nullable=True)
    rejected_at: Mapped[Optional[float]] = mapped_column(Float, nullable=True)
    updated_at: Mapped[float] = mapped_column(Float)
    batch_id: Mapped[Optional[int]] = mapped_column(ForeignKey("batches.id"), nullable=True, index=True)
    tx_hash: Mapped[Optional[str]] = mapped_column(String(66), nullable=True)
    block_number: Mapped[Optional[int]] = mapped_column(BigInteger, nullable=True)
    consumer_grams: Mapped[Optional[str]] = mapped_column(String(80), nullable=True)
    referrer_grams: Mapped[Optional[str]] = mapped_column(String(80), nullable=True)
    supplier_grams: Mapped[Optional[str]] = mapped_column(String(80), nullable=True)
    platform_grams: Mapped[Optional[str]] = mapped_column(String(80), nullable=True)
    rate: Mapped[Optional[str]] = mapped_column(String(80), nullable=True)
    refund_signature: Mapped[Optional[str]] = mapped_column(String(132), nullable=True)

    __table_args__ = (Index("ix_purchases_status_id", "status", "id"),)

    def to_dict(self) -> dict[str, Any]:
        grams = None
        if self.consumer_grams is not None:
            grams = {"consumer": self.consumer_grams, "referrer": self.referrer_grams,
                     "supplier": self.supplier_grams, "platform": self.platform_grams}
        return {
            "ref": self.ref, "backend": self.backend_id, "orderId": self.order_id, "status": self.status,
            "consumer": self.consumer, "referrer": self.referrer, "supplier": self.supplier,
            "amount": str(self.amount), "currency": self.currency, "paidAt": self.paid_at,
            "referrerBps": self.referrer_bps, "digest": self.digest,
            "reason": self.reason, "lastError": self.last_error, "mintableAt": iso(self.mintable_at),
            "timestamps": {s: iso(getattr(self, f"{s}_at")) for s in STATUSES},
            "txHash": self.tx_hash, "blockNumber": self.block_number, "batchId": self.batch_id,
            "grams": grams, "rate": self.rate,
        }


def iso(ts: Optional[float]) -> Optional[str]:
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, tz=timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Conflict(Exception):
    """Same order reference, different content (or a refund that is no longer possible)."""

    def __init__(self, message: str, record: Purchase) -> None:
        super().__init__(message)
        self.record = record


class NotFound(Exception):
    pass


@dataclass(frozen=True)
class MintedFacts:
    """What a PurchaseMined event says about one purchase."""
    tx_hash: str
    block_number: int
    consumer_grams: int
    referrer_grams: int
    supplier_grams: int
    platform_grams: int
    rate: int


def normalize_url(url: str) -> str:
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


class Store:
    def __init__(self, url: str, echo: bool = False) -> None:
        self.url = normalize_url(url)
        self.is_sqlite = self.url.startswith("sqlite")
        kwargs: dict[str, Any] = {"echo": echo}
        if self.is_sqlite:
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        else:
            kwargs.update(pool_size=10, max_overflow=20, pool_pre_ping=True)
        self.engine = create_engine(self.url, **kwargs)
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        Base.metadata.create_all(self.engine)
        self._backend_cache: dict[str, BackendInfo] = {}
        self._backend_cache_at = 0.0
        self._cache_lock = threading.Lock()
        self._group: Optional[_GroupCommitter] = None

    def close(self) -> None:
        if self._group is not None:
            self._group.stop()
            self._group = None
        self.engine.dispose()

    def ping(self) -> bool:
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return True

    # ------------------------------------------------------------------ backends
    def add_backend(self, backend_id: str, address: str, note: str = "") -> Backend:
        now = time.time()
        with self.sessions.begin() as s:
            existing = s.get(Backend, backend_id)
            if existing is not None:
                existing.address, existing.active, existing.disabled_at = address, True, None
                if note:
                    existing.note = note
                b = existing
            else:
                b = Backend(id=backend_id, address=address, active=True, note=note, created_at=now)
                s.add(b)
        self.invalidate_backends()
        return b

    def set_backend_active(self, backend_id: str, active: bool) -> Backend:
        with self.sessions.begin() as s:
            b = s.get(Backend, backend_id)
            if b is None:
                raise NotFound(backend_id)
            b.active = active
            b.disabled_at = None if active else time.time()
        self.invalidate_backends()
        return b

    def list_backends(self) -> list[Backend]:
        with self.sessions() as s:
            return list(s.scalars(select(Backend).order_by(Backend.id)))

    def invalidate_backends(self) -> None:
        with self._cache_lock:
            self._backend_cache_at = 0.0

    def backend_lookup(self, ttl: float) -> Any:
        """A cached `backend_id -> BackendInfo | None` function (reloaded every `ttl` seconds)."""
        def lookup(backend_id: str) -> Optional[BackendInfo]:
            now = time.monotonic()
            if now - self._backend_cache_at > ttl:
                with self._cache_lock:
                    if now - self._backend_cache_at > ttl:
                        self._backend_cache = {b.id: b.info() for b in self.list_backends()}
                        self._backend_cache_at = time.monotonic()
            return self._backend_cache.get(backend_id)
        return lookup

    # ------------------------------------------------------------------ accept / read / refund
    def accept(self, vp: VerifiedPurchase, settlement_seconds: float, now: float | None = None) -> tuple[Purchase, bool]:
        """Insert a verified purchase and commit. Returns (record, created). Same digest again: the stored
        record, created=False. Same reference, different content: Conflict.

        Group commit: the row goes to one writer thread that inserts every row waiting at that moment in one
        transaction and one COMMIT (one fsync), then wakes each caller. A caller returns only after the commit
        that holds its row, so "2xx means on disk" is unchanged; under concurrent requests the fsync is shared
        instead of paid (and fought over with SQLite's lock) once per purchase."""
        row = _accept_row(vp, settlement_seconds, now)
        return self._accepted(vp, row, self._writer().insert(row))

    async def accept_async(self, vp: VerifiedPurchase, settlement_seconds: float,
                           now: float | None = None) -> tuple[Purchase, bool]:
        """`accept` for an asyncio caller: waits for the group commit without holding a thread. The rare
        already-exists path (one SELECT) runs in a worker thread."""
        import asyncio

        row = _accept_row(vp, settlement_seconds, now)
        new_id = await self._writer().insert_async(row)
        if new_id is not None:
            return Purchase(id=new_id, **row), True
        return await asyncio.get_running_loop().run_in_executor(None, self._accepted, vp, row, None)

    def _accepted(self, vp: VerifiedPurchase, row: dict[str, Any], new_id: Optional[int]) -> tuple[Purchase, bool]:
        if new_id is not None:
            return Purchase(id=new_id, **row), True
        existing = self.get(vp.ref)
        if existing is None:  # pragma: no cover - the unique index is the only constraint
            raise RuntimeError(f"purchase {vp.ref} neither inserted nor found")
        if existing.digest != vp.digest:
            raise Conflict("this order reference was already accepted with different content", existing)
        return existing, False

    def _writer(self) -> "_GroupCommitter":
        w = self._group
        if w is None:
            with self._cache_lock:
                if self._group is None:
                    self._group = _GroupCommitter(self)
                w = self._group
        return w

    def get(self, ref: str) -> Optional[Purchase]:
        with self.sessions() as s:
            return s.scalar(select(Purchase).where(Purchase.ref == ref))

    def get_many(self, refs: Iterable[str]) -> list[Purchase]:
        refs = list(refs)
        with self.sessions() as s:
            return list(s.scalars(select(Purchase).where(Purchase.ref.in_(refs)).order_by(Purchase.id)))

    def refund(self, vr: VerifiedRefund, now: float | None = None) -> tuple[Purchase, bool]:
        """Cancel a purchase that is not yet submitted. Idempotent; Conflict when too late."""
        now = time.time() if now is None else now
        ref = vr.refund.order_ref
        with self.sessions.begin() as s:
            res = s.execute(
                update(Purchase)
                .where(Purchase.ref == ref, Purchase.backend_id == vr.refund.backend, Purchase.status.in_(REFUNDABLE))
                .values(status=REFUNDED, refunded_at=now, updated_at=now, reason=f"refunded: {vr.refund.reason}",
                        refund_signature=vr.signature)
            )
            changed = res.rowcount == 1
        record = self.get(ref)
        if record is None:
            raise NotFound(ref)
        if changed:
            return record, True
        if record.backend_id != vr.refund.backend:
            raise NotFound(ref)  # do not reveal another backend's purchases
        if record.status == REFUNDED:
            return record, False
        raise Conflict(f"purchase is {record.status}; it can no longer be refunded", record)

    # ------------------------------------------------------------------ batcher side
    def promote(self, now: float | None = None) -> int:
        """accepted -> settling (window still open) and accepted/settling -> queued (window passed)."""
        now = time.time() if now is None else now
        with self.sessions.begin() as s:
            a = s.execute(update(Purchase).where(Purchase.status == ACCEPTED, Purchase.mintable_at > now)
                          .values(status=SETTLING, settling_at=now, updated_at=now)).rowcount
            b = s.execute(update(Purchase).where(Purchase.status.in_((ACCEPTED, SETTLING)), Purchase.mintable_at <= now)
                          .values(status=QUEUED, queued_at=now, updated_at=now)).rowcount
        return (a or 0) + (b or 0)

    def queued(self, limit: int) -> list[Purchase]:
        with self.sessions() as s:
            q = select(Purchase).where(Purchase.status == QUEUED).order_by(Purchase.id).limit(limit)
            return list(s.scalars(q))

    def oldest_queued_at(self) -> Optional[float]:
        with self.sessions() as s:
            return s.scalar(select(func.min(Purchase.queued_at)).where(Purchase.status == QUEUED))

    def create_batch(self, purchase_ids: list[int], *, nonce: int, tx_hash: str, raw_tx: str, gas: int,
                     max_fee_per_gas: int, max_priority_fee_per_gas: int, now: float | None = None) -> Optional[Batch]:
        """Write-ahead: record the signed transaction and move its purchases to `submitted`, atomically.
        None if any purchase left `queued` meanwhile (e.g. refunded): nothing is recorded then."""
        now = time.time() if now is None else now
        s = self.sessions()
        try:
            with s.begin():
                batch = Batch(status=B_SIGNED, nonce=nonce, tx_hash=tx_hash, raw_tx=raw_tx, size=len(purchase_ids),
                              gas=gas, max_fee_per_gas=str(max_fee_per_gas),
                              max_priority_fee_per_gas=str(max_priority_fee_per_gas), created_at=now)
                s.add(batch)
                s.flush()
                res = s.execute(update(Purchase).where(Purchase.id.in_(purchase_ids), Purchase.status == QUEUED)
                                .values(status=SUBMITTED, submitted_at=now, updated_at=now, batch_id=batch.id,
                                        tx_hash=tx_hash, last_error=None))
                if res.rowcount != len(purchase_ids):
                    raise _Abort()
            return batch
        except _Abort:
            return None
        finally:
            s.close()

    def open_batch(self) -> Optional[Batch]:
        with self.sessions() as s:
            return s.scalar(select(Batch).where(Batch.status.in_(OPEN_BATCH)).order_by(Batch.id).limit(1))

    def batch_purchases(self, batch_id: int) -> list[Purchase]:
        with self.sessions() as s:
            return list(s.scalars(select(Purchase).where(Purchase.batch_id == batch_id).order_by(Purchase.id)))

    def update_batch(self, batch_id: int, **values: Any) -> None:
        with self.sessions.begin() as s:
            s.execute(update(Batch).where(Batch.id == batch_id).values(**values))

    def get_batch(self, batch_id: int) -> Optional[Batch]:
        with self.sessions() as s:
            return s.get(Batch, batch_id)

    def close_batch(self, batch_id: int, status: str, *, minted: dict[str, MintedFacts], requeue: Iterable[str] = (),
                    reject: dict[str, str] | None = None, error: str | None = None, block_number: int | None = None,
                    gas_used: int | None = None, now: float | None = None) -> None:
        """Finish a batch in one transaction: minted purchases get their facts, the rest are requeued
        or rejected."""
        now = time.time() if now is None else now
        reject = reject or {}
        with self.sessions.begin() as s:
            values: dict[str, Any] = {"status": status, "error": error}
            if status == B_CONFIRMED:
                values.update(confirmed_at=now, mined_at=now, block_number=block_number, gas_used=gas_used)
            s.execute(update(Batch).where(Batch.id == batch_id).values(**values))
            for ref, f in minted.items():
                s.execute(update(Purchase).where(Purchase.ref == ref, Purchase.status != MINTED).values(**_minted_values(f, now)))
            requeue = [r for r in requeue if r not in minted and r not in reject]
            if requeue:
                s.execute(update(Purchase).where(Purchase.ref.in_(requeue), Purchase.status == SUBMITTED)
                          .values(status=QUEUED, queued_at=now, updated_at=now, batch_id=None, tx_hash=None,
                                  last_error=error))
            for ref, why in reject.items():
                s.execute(update(Purchase).where(Purchase.ref == ref, Purchase.status.in_((QUEUED, SUBMITTED)))
                          .values(status=REJECTED, rejected_at=now, updated_at=now, reason=why, batch_id=None))

    def mark_minted(self, ref: str, facts: MintedFacts, now: float | None = None) -> bool:
        now = time.time() if now is None else now
        with self.sessions.begin() as s:
            res = s.execute(update(Purchase).where(Purchase.ref == ref, Purchase.status != MINTED)
                            .values(**_minted_values(facts, now)))
            return res.rowcount == 1

    def reject_queued(self, reject: dict[str, str], now: float | None = None) -> None:
        """Queued purchases the chain refuses for good (decided by the batcher) become `rejected`."""
        now = time.time() if now is None else now
        with self.sessions.begin() as s:
            for ref, why in reject.items():
                s.execute(update(Purchase).where(Purchase.ref == ref, Purchase.status == QUEUED)
                          .values(status=REJECTED, rejected_at=now, updated_at=now, reason=why))

    def note_waiting(self, ids: list[int], message: str) -> None:
        with self.sessions.begin() as s:
            s.execute(update(Purchase).where(Purchase.id.in_(ids), Purchase.status == QUEUED)
                      .values(last_error=message))

    def unminted(self, statuses: Iterable[str] = (QUEUED, SUBMITTED)) -> list[Purchase]:
        with self.sessions() as s:
            return list(s.scalars(select(Purchase).where(Purchase.status.in_(tuple(statuses))).order_by(Purchase.id)))

    # ------------------------------------------------------------------ reporting
    def counts(self) -> dict[str, int]:
        with self.sessions() as s:
            rows = s.execute(select(Purchase.status, func.count()).group_by(Purchase.status)).all()
        out = {st: 0 for st in STATUSES}
        out.update({st: n for st, n in rows})
        return out

    def last_batch(self) -> Optional[Batch]:
        with self.sessions() as s:
            return s.scalar(select(Batch).order_by(Batch.id.desc()).limit(1))

    def iter_purchases(self, chunk: int = 1000) -> Iterator[Purchase]:
        last = 0
        while True:
            with self.sessions() as s:
                rows = list(s.scalars(select(Purchase).where(Purchase.id > last).order_by(Purchase.id).limit(chunk)))
            if not rows:
                return
            yield from rows
            last = rows[-1].id

    def export_csv(self, out: io.TextIOBase) -> int:
        cols = ["ref", "backend_id", "order_id", "status", "consumer", "referrer", "supplier", "amount", "currency",
                "paid_at", "referrer_bps", "tx_hash", "block_number", "consumer_grams", "referrer_grams",
                "supplier_grams", "platform_grams", "rate", "reason", "accepted_at", "minted_at"]
        w = csv.writer(out)
        w.writerow(cols)
        n = 0
        for p in self.iter_purchases():
            row = []
            for c in cols:
                v = getattr(p, c)
                row.append(iso(v) if c.endswith("_at") and c != "paid_at" else ("" if v is None else v))
            w.writerow(row)
            n += 1
        return n


class _Abort(Exception):
    pass


def _accept_row(vp: VerifiedPurchase, settlement_seconds: float, now: float | None) -> dict[str, Any]:
    now = time.time() if now is None else now
    r = vp.receipt
    return dict(ref=vp.ref, backend_id=r.backend, order_id=r.order_id, consumer=r.consumer, referrer=r.referrer,
                supplier=r.supplier, amount=r.amount, currency=r.currency, paid_at=r.paid_at,
                referrer_bps=r.referrer_bps, signature=vp.signature, digest=vp.digest, status=ACCEPTED,
                mintable_at=float(r.paid_at) + settlement_seconds, accepted_at=now, updated_at=now)


class _Pending:
    __slots__ = ("row", "done", "new_id", "error", "future")

    def __init__(self, row: dict[str, Any], future: Any = None) -> None:
        self.row = row
        self.done = threading.Event()
        self.new_id: Optional[int] = None
        self.error: Optional[BaseException] = None
        self.future = future  # an asyncio future (accept_async), completed on its loop

    def finish(self) -> None:
        self.done.set()
        fut = self.future
        if fut is not None:
            fut.get_loop().call_soon_threadsafe(_complete, fut, self.new_id, self.error)


def _complete(fut: Any, new_id: Optional[int], error: Optional[BaseException]) -> None:
    if fut.done():  # the request was cancelled (client gone); the row is committed all the same
        return
    if error is not None:
        fut.set_exception(error)
    else:
        fut.set_result(new_id)


class _GroupCommitter:
    """The accept path's single writer: INSERT ... ON CONFLICT (ref) DO NOTHING RETURNING id for every row
    waiting, one COMMIT, then wake the callers (new id, or None when the reference already existed). No timer:
    rows that arrive while a COMMIT is on its way to disk form the next group. If the transaction fails,
    nothing of the group is stored and every caller gets the error."""

    MAX_GROUP = 256

    def __init__(self, store: "Store") -> None:
        dialect = sqlite_insert if store.is_sqlite else pg_insert
        self.stmt = dialect(Purchase).on_conflict_do_nothing(index_elements=["ref"]).returning(Purchase.id)
        self.engine = store.engine
        self.queue: "queue.SimpleQueue[Optional[_Pending]]" = queue.SimpleQueue()
        self.thread = threading.Thread(target=self._run, name="oracle-store-writer", daemon=True)
        self.thread.start()

    def insert(self, row: dict[str, Any]) -> Optional[int]:
        if not self.thread.is_alive():
            raise RuntimeError("the store is closed")
        item = _Pending(row)
        self.queue.put(item)
        item.done.wait()
        if item.error is not None:
            raise item.error
        return item.new_id

    async def insert_async(self, row: dict[str, Any]) -> Optional[int]:
        import asyncio

        if not self.thread.is_alive():
            raise RuntimeError("the store is closed")
        fut = asyncio.get_running_loop().create_future()
        self.queue.put(_Pending(row, fut))
        return await asyncio.shield(fut)

    def stop(self) -> None:
        self.queue.put(None)
        self.thread.join(10)

    def _run(self) -> None:
        while True:
            first = self.queue.get()
            if first is None:
                return
            group = [first]
            stop = False
            while len(group) < self.MAX_GROUP:
                try:
                    item = self.queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stop = True
                    break
                group.append(item)
            try:
                with self.engine.begin() as conn:
                    for item in group:
                        item.new_id = conn.execute(self.stmt, item.row).scalar()
            except BaseException as exc:  # noqa: BLE001 - every caller of the group gets it
                for item in group:
                    item.new_id, item.error = None, exc
            for item in group:
                item.finish()
            if stop:
                return


def _minted_values(f: MintedFacts, now: float) -> dict[str, Any]:
    return dict(status=MINTED, minted_at=now, updated_at=now, tx_hash=f.tx_hash, block_number=f.block_number,
                consumer_grams=str(f.consumer_grams), referrer_grams=str(f.referrer_grams),
                supplier_grams=str(f.supplier_grams), platform_grams=str(f.platform_grams), rate=str(f.rate),
                last_error=None)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()

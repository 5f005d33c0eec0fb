"""Durable store: the repository the API, batcher and CLI share (tables in oracle.models).

SQLite file by default (WAL, synchronous=FULL: a commit is on disk), PostgreSQL by URL (`postgresql://...` uses
psycopg 3). Tables are created on first use. Statuses are oracle.status's enums.

Batches are written ahead of sending: the signed raw transaction, its hash and nonce are committed together with
the purchases' move to `submitted` *before* the transaction is broadcast, so after a crash the batcher knows
exactly what may be on chain.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import create_engine, event, func, select, update
from sqlalchemy.orm import sessionmaker

from .batch_store import BatchSide
from .batch_store import rowcount as _rowcount
from .group_commit import GroupCommitter
from .models import Backend, ChainFact, Purchase, create_schema, receipt_columns, record_dict
from .status import REFUNDABLE, PurchaseStatus
from .verification import BackendInfo, VerifiedPurchase, VerifiedRefund

S = PurchaseStatus


class Conflict(Exception):
    """Same order reference, different content (or a refund that is no longer possible)."""

    def __init__(self, message: str, record: Purchase) -> None:
        super().__init__(message)
        self.record = record


class NotFound(Exception):
    pass


def normalize_url(url: str) -> str:
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


class Store(BatchSide):
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
        create_schema(self.engine)
        self._backend_cache: dict[str, BackendInfo] = {}
        self._backend_cache_at = 0.0
        self._lock = threading.Lock()
        self._group: GroupCommitter | None = None

    def close(self) -> None:
        if self._group is not None:
            self._group.stop()
            self._group = None
        self.engine.dispose()

    # ------------------------------------------------------------------ backends
    def add_backend(self, backend_id: str, address: str, note: str = "") -> Backend:
        now = time.time()
        with self.sessions.begin() as s:
            b = s.get(Backend, backend_id)
            if b is not None:
                b.address, b.active, b.disabled_at = address, True, None
                if note:
                    b.note = note
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
        with self._lock:
            self._backend_cache_at = 0.0

    def backend_lookup(self, ttl: float) -> Callable[[str], BackendInfo | None]:
        """A cached `backend_id -> BackendInfo | None` function (reloaded every `ttl` seconds)."""

        def lookup(backend_id: str) -> BackendInfo | None:
            now = time.monotonic()
            if now - self._backend_cache_at > ttl:
                with self._lock:
                    if now - self._backend_cache_at > ttl:
                        self._backend_cache = {b.id: b.info() for b in self.list_backends()}
                        self._backend_cache_at = time.monotonic()
            return self._backend_cache.get(backend_id)

        return lookup

    # ------------------------------------------------------------------ accept / read / refund
    def _row(self, vp: VerifiedPurchase, settlement_seconds: float, now: float | None) -> dict[str, Any]:
        now = time.time() if now is None else now
        return {
            "ref": vp.ref,
            **receipt_columns(vp.receipt),
            "signature": vp.signature,
            "digest": vp.digest,
            "status": S.ACCEPTED,
            "mintable_at": float(vp.receipt.paid_at) + settlement_seconds,
            "accepted_at": now,
            "updated_at": now,
        }

    async def accept_async(
        self, vp: VerifiedPurchase, settlement_seconds: float, now: float | None = None
    ) -> tuple[dict[str, Any], bool]:
        """Insert a verified purchase (group commit, oracle.group_commit) and return its record as JSON
        (`Purchase.to_dict`) and whether it is new, only after the COMMIT that holds it. Awaited on the event loop
        without holding a thread; a new row's record is built from the inserted values (no ORM object). The same
        digest again: the stored record, False. The same reference with different content: Conflict."""
        row = self._row(vp, settlement_seconds, now)
        new_id = await self._writer().insert_async(row)
        if new_id is not None:
            return record_dict({**row, "id": new_id}.get), True
        existing = await asyncio.to_thread(self._existing, vp)  # a resubmission: rare, read off the loop
        return existing.to_dict(), False

    def accept(
        self, vp: VerifiedPurchase, settlement_seconds: float, now: float | None = None
    ) -> tuple[Purchase, bool]:
        """The same for threads (tests, CLI): waits for the commit that holds the row; returns the record."""
        row = self._row(vp, settlement_seconds, now)
        new_id = self._writer().insert(row).result()
        if new_id is not None:
            return Purchase(id=new_id, **row), True
        return self._existing(vp), False

    def _existing(self, vp: VerifiedPurchase) -> Purchase:
        existing = self.get(vp.ref)
        if existing is None:  # pragma: no cover - the unique index is the only constraint
            raise RuntimeError(f"purchase {vp.ref} neither inserted nor found")
        if existing.digest != vp.digest:
            raise Conflict("this order reference was already accepted with different content", existing)
        return existing

    def _writer(self) -> GroupCommitter:
        w = self._group
        if w is None:
            with self._lock:
                if self._group is None:
                    self._group = GroupCommitter(self.engine, self.is_sqlite)
                w = self._group
        return w

    def get(self, ref: str) -> Purchase | None:
        with self.sessions() as s:
            return s.scalar(select(Purchase).where(Purchase.ref == ref))

    def refund(self, vr: VerifiedRefund, now: float | None = None) -> tuple[Purchase, bool]:
        """Cancel a purchase that is not yet submitted. Idempotent; Conflict when too late."""
        now = time.time() if now is None else now
        ref = vr.refund.order_ref
        with self.sessions.begin() as s:
            res = s.execute(
                update(Purchase)
                .where(Purchase.ref == ref, Purchase.backend_id == vr.refund.backend, Purchase.status.in_(REFUNDABLE))
                .values(
                    status=S.REFUNDED,
                    refunded_at=now,
                    updated_at=now,
                    reason=f"refunded: {vr.refund.reason}",
                    refund_signature=vr.signature,
                )
            )
            changed = _rowcount(res) == 1
        record = self.get(ref)
        if record is None:
            raise NotFound(ref)
        if changed:
            return record, True
        if record.backend_id != vr.refund.backend:
            raise NotFound(ref)  # do not reveal another backend's purchases
        if record.status == S.REFUNDED:
            return record, False
        raise Conflict(f"purchase is {record.status}; it can no longer be refunded", record)

    # ------------------------------------------------------------------ chain facts
    def save_fact(self, name: str, value: str, now: float | None = None) -> None:
        """Keep the last value read from the chain of `name` (JSON text)."""
        now = time.time() if now is None else now
        with self.sessions.begin() as s:
            fact = s.get(ChainFact, name)
            if fact is None:
                s.add(ChainFact(name=name, value=value, updated_at=now))
            elif fact.value != value:
                fact.value, fact.updated_at = value, now

    def load_fact(self, name: str) -> str | None:
        with self.sessions() as s:
            fact = s.get(ChainFact, name)
            return None if fact is None else fact.value

    # ------------------------------------------------------------------ reporting
    def counts(self) -> dict[str, int]:
        with self.sessions() as s:
            rows = s.execute(select(Purchase.status, func.count()).group_by(Purchase.status)).all()
        out = {st.value: 0 for st in PurchaseStatus}
        out.update({str(st): int(n) for st, n in rows})
        return out

    def iter_purchases(self, chunk: int = 1000) -> Iterator[Purchase]:
        last = 0
        while True:
            with self.sessions() as s:
                rows = list(s.scalars(select(Purchase).where(Purchase.id > last).order_by(Purchase.id).limit(chunk)))
            if not rows:
                return
            yield from rows
            last = rows[-1].id


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()

"""The relay's durable store: SQLite file (WAL, synchronous=FULL) or PostgreSQL by URL, like the oracle's
(oracle.store's URL normalisation and SQLite pragmas). A 2xx from the relay means the request is committed.

`accept` dedupes and rate-limits inside the inserting transaction; the partial unique index on
(contract, holder, nonce) of every request that has not failed is the last word when two processes race.
`write_ahead` commits the signed transaction before the worker broadcasts it.
"""

from __future__ import annotations

import json
import time
from typing import Any

from sqlalchemy import create_engine, event, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from ..chain import SignedBatch
from ..store import _sqlite_pragmas, normalize_url
from .models import OPEN_TX, PENDING, Base, RelayRequest, RelayStatus
from .typed import RelayCall

S = RelayStatus
HOUR = 3600.0


class NonceInUse(Exception):
    """Another live request already carries this holder's signature nonce."""

    def __init__(self, existing: RelayRequest) -> None:
        super().__init__(f"request {existing.id} already carries this nonce ({existing.status})")
        self.existing = existing


class RateLimited(Exception):
    pass


class RelayStore:
    def __init__(self, url: str) -> None:
        self.url = normalize_url(url)
        is_sqlite = self.url.startswith("sqlite")
        kwargs: dict[str, Any] = {}
        if is_sqlite:
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        else:
            kwargs.update(pool_size=5, max_overflow=10, pool_pre_ping=True)
        self.engine = create_engine(self.url, **kwargs)
        if is_sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        Base.metadata.create_all(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    # ------------------------------------------------------------------ accept
    def same(self, digest: str) -> RelayRequest | None:
        """The request for this exact signed message that has not failed (idempotent resubmission)."""
        with self.sessions() as s:
            q = select(RelayRequest).where(RelayRequest.digest == digest, RelayRequest.status != S.FAILED)
            return s.scalar(q.order_by(RelayRequest.id.desc()).limit(1))

    def recent(self, holder: str, now: float | None = None) -> int:
        """Requests accepted for `holder` in the last hour (what the rate limit counts)."""
        now = time.time() if now is None else now
        with self.sessions() as s:
            q = select(func.count()).where(RelayRequest.holder == holder, RelayRequest.accepted_at > now - HOUR)
            return int(s.scalar(q) or 0)

    def accept(
        self, call: RelayCall, digest: str, function: str, calldata: str, limit: int, now: float | None = None
    ) -> tuple[RelayRequest, bool]:
        """Insert (record, True); the same message again: (its record, False). NonceInUse when another live
        request holds the nonce; RateLimited when `holder` reached `limit` requests this hour."""
        now = time.time() if now is None else now
        try:
            with self.sessions.begin() as s:
                q = select(RelayRequest).where(RelayRequest.digest == digest, RelayRequest.status != S.FAILED)
                existing = s.scalar(q)
                if existing is not None:
                    return existing, False
                live = s.scalar(
                    select(RelayRequest).where(
                        RelayRequest.contract == call.contract,
                        RelayRequest.holder == call.holder,
                        RelayRequest.nonce == str(call.nonce),
                        RelayRequest.status != S.FAILED,
                    )
                )
                if live is not None:
                    raise NonceInUse(live)
                count = s.scalar(
                    select(func.count()).where(
                        RelayRequest.holder == call.holder, RelayRequest.accepted_at > now - HOUR
                    )
                )
                if int(count or 0) >= limit:
                    raise RateLimited
                row = RelayRequest(
                    kind=call.kind,
                    holder=call.holder,
                    contract=call.contract,
                    nonce=str(call.nonce),
                    digest=digest,
                    typed_data=json.dumps(call.typed_data(), sort_keys=True),
                    signature=call.signature,
                    function=function,
                    calldata=calldata,
                    status=S.ACCEPTED,
                    attempts=0,
                    accepted_at=now,
                    updated_at=now,
                )
                s.add(row)
            return row, True
        except IntegrityError:  # another process inserted the same nonce between our check and our insert
            again = self.same(digest)
            if again is not None:
                return again, False
            live = self.live(call)
            if live is None:  # pragma: no cover - the unique index is the only constraint
                raise
            raise NonceInUse(live) from None

    def live(self, call: RelayCall) -> RelayRequest | None:
        """The request that has not failed and carries `call`'s (contract, holder, nonce), if any."""
        with self.sessions() as s:
            row = s.scalar(
                select(RelayRequest).where(
                    RelayRequest.contract == call.contract,
                    RelayRequest.holder == call.holder,
                    RelayRequest.nonce == str(call.nonce),
                    RelayRequest.status != S.FAILED,
                )
            )
        return row

    def get(self, request_id: int) -> RelayRequest | None:
        with self.sessions() as s:
            return s.get(RelayRequest, request_id)

    # ------------------------------------------------------------------ worker side
    def open_tx(self) -> RelayRequest | None:
        """The oldest request whose transaction may be on chain (signed or sent)."""
        with self.sessions() as s:
            q = select(RelayRequest).where(RelayRequest.status.in_(OPEN_TX)).order_by(RelayRequest.id).limit(1)
            return s.scalar(q)

    def next_accepted(self) -> RelayRequest | None:
        with self.sessions() as s:
            q = select(RelayRequest).where(RelayRequest.status == S.ACCEPTED).order_by(RelayRequest.id).limit(1)
            return s.scalar(q)

    def write_ahead(self, request_id: int, signed: SignedBatch, now: float | None = None) -> bool:
        """accepted -> signed with the signed transaction, one commit, BEFORE it is broadcast."""
        now = time.time() if now is None else now
        return self._move(
            request_id,
            (S.ACCEPTED,),
            status=S.SIGNED,
            tx_hash=signed.tx_hash,
            tx_nonce=signed.nonce,
            raw_tx=signed.raw_tx,
            gas=signed.gas,
            max_fee_per_gas=str(signed.max_fee_per_gas),
            signed_at=now,
            updated_at=now,
            attempts=RelayRequest.attempts + 1,
        )

    def mark_sent(self, request_id: int, now: float | None = None) -> bool:
        now = time.time() if now is None else now
        return self._move(request_id, (S.SIGNED,), status=S.SENT, sent_at=now, updated_at=now)

    def confirm(self, request_id: int, block_number: int, gas_used: int, now: float | None = None) -> bool:
        now = time.time() if now is None else now
        values = {"block_number": block_number, "gas_used": gas_used, "error": None}
        return self._move(request_id, OPEN_TX, status=S.CONFIRMED, confirmed_at=now, updated_at=now, **values)

    def fail(self, request_id: int, error: str, now: float | None = None) -> bool:
        now = time.time() if now is None else now
        return self._move(request_id, PENDING, status=S.FAILED, error=error, failed_at=now, updated_at=now)

    def requeue(self, request_id: int, error: str, now: float | None = None) -> bool:
        """A dropped transaction whose signature is still good: back to accepted, to be signed again."""
        now = time.time() if now is None else now
        return self._move(
            request_id, OPEN_TX, status=S.ACCEPTED, error=error, tx_hash=None, raw_tx=None, updated_at=now
        )

    def note(self, request_id: int, error: str) -> None:
        """Why a request is waiting (RPC down, ...); its status does not change."""
        with self.sessions.begin() as s:
            s.execute(update(RelayRequest).where(RelayRequest.id == request_id).values(error=error))

    def _move(self, request_id: int, from_: tuple[RelayStatus, ...], **values: Any) -> bool:
        with self.sessions.begin() as s:
            res = s.execute(
                update(RelayRequest)
                .where(RelayRequest.id == request_id, RelayRequest.status.in_(from_))
                .values(**values)
            )
            return int(getattr(res, "rowcount", 0) or 0) == 1

    # ------------------------------------------------------------------ reporting
    def counts(self) -> dict[str, int]:
        with self.sessions() as s:
            rows = s.execute(select(RelayRequest.status, func.count()).group_by(RelayRequest.status)).all()
        out = {st.value: 0 for st in RelayStatus}
        out.update({str(st): int(n) for st, n in rows})
        return out

    def all(self) -> list[RelayRequest]:
        with self.sessions() as s:
            return list(s.scalars(select(RelayRequest).order_by(RelayRequest.id)))

"""The relay's table (SQLAlchemy 2, its own metadata: it may share the oracle's database or have its own).

One row per accepted request; one request is one transaction from the relay key. The signed transaction (raw
bytes, hash, relay nonce, fees) is written into the row BEFORE it is broadcast (status `signed`), so after a
crash the worker knows exactly what may be on chain and re-sends those same bytes.

    accepted -> signed -> sent -> confirmed
    accepted/signed/sent -> failed      (refused by the chain at send time, reverted, or its signature was used
                                         by another transaction; the holder's nonce is then free again)
    signed/sent -> accepted             (our transaction was dropped, its relay nonce used by another one, and the
                                         holder's signature is still good: it is signed again)
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, Float, Index, Integer, String, Text, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

PK = BigInteger().with_variant(Integer, "sqlite")


class RelayStatus(StrEnum):
    ACCEPTED = "accepted"
    SIGNED = "signed"
    SENT = "sent"
    CONFIRMED = "confirmed"
    FAILED = "failed"


#: Waiting for the worker (the queue depth metric).
PENDING = (RelayStatus.ACCEPTED, RelayStatus.SIGNED, RelayStatus.SENT)
#: A transaction may be on chain.
OPEN_TX = (RelayStatus.SIGNED, RelayStatus.SENT)


class Base(DeclarativeBase):
    pass


class RelayRequest(Base):
    __tablename__ = "relay_requests"
    id: Mapped[int] = mapped_column(PK, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    holder: Mapped[str] = mapped_column(String(42))
    contract: Mapped[str] = mapped_column(String(42))
    nonce: Mapped[str] = mapped_column(String(80))  # the holder's signature nonce (a uint256)
    digest: Mapped[str] = mapped_column(String(66), index=True)  # the EIP-712 hash the holder signed
    typed_data: Mapped[str] = mapped_column(Text)  # JSON
    signature: Mapped[str] = mapped_column(String(132))
    function: Mapped[str] = mapped_column(String(64))
    calldata: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # the relay's transaction (write-ahead)
    tx_hash: Mapped[str | None] = mapped_column(String(66), nullable=True)
    tx_nonce: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    raw_tx: Mapped[str | None] = mapped_column(Text, nullable=True)
    gas: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    max_fee_per_gas: Mapped[str | None] = mapped_column(String(80), nullable=True)
    block_number: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    gas_used: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    # timestamps (wall clock of the relay host)
    accepted_at: Mapped[float] = mapped_column(Float)
    signed_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    sent_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    confirmed_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    failed_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    updated_at: Mapped[float] = mapped_column(Float)

    __table_args__ = (
        # one live (or confirmed) request per holder signature nonce: nothing is sent twice
        Index(
            "uq_relay_live_nonce",
            "contract",
            "holder",
            "nonce",
            unique=True,
            sqlite_where=text("status != 'failed'"),
            postgresql_where=text("status != 'failed'"),
        ),
        Index("ix_relay_holder_accepted", "holder", "accepted_at"),
        Index("ix_relay_status_id", "status", "id"),
    )

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "holder": self.holder,
            "contract": self.contract,
            "function": self.function,
            "nonce": self.nonce,
            "status": self.status,
            "error": self.error,
            "txHash": self.tx_hash if self.status != RelayStatus.ACCEPTED else None,
            "blockNumber": self.block_number,
            "gasUsed": self.gas_used,
            "timestamps": {s.value: _iso(getattr(self, f"{s.value}_at")) for s in RelayStatus},
        }


def _iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, tz=UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")

"""The store's tables (SQLAlchemy 2) and how a row is shown: JSON record, CSV export columns.

Each purchase status has its own timestamp column (`<status>_at`); `reason` says why a purchase was refunded or
rejected and `last_error` notes why it is waiting (RPC down, daily ceiling, ...). A batch row is written ahead
of sending its transaction (raw signed bytes, hash and nonce), so after a crash the batcher knows exactly what
may be on chain.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, Engine, Float, ForeignKey, Index, Integer, String, Text, inspect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from .receipts import RECEIPT_MEMBERS, Receipt
from .status import PurchaseStatus
from .verification import BackendInfo

PK = BigInteger().with_variant(Integer, "sqlite")  # SQLite autoincrement needs INTEGER PRIMARY KEY


def iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, tz=UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Base(DeclarativeBase):
    pass


def create_schema(engine: Engine) -> None:
    """Create missing tables, then add the nullable columns later versions introduced to existing tables (a store
    written by an older oracle keeps working; nothing is dropped or rewritten)."""
    Base.metadata.create_all(engine)
    existing = inspect(engine)
    with engine.begin() as conn:
        for table in Base.metadata.sorted_tables:
            have = {c["name"] for c in existing.get_columns(table.name)}
            for column in table.columns:
                if column.name not in have and column.nullable:
                    kind = column.type.compile(dialect=engine.dialect)
                    conn.exec_driver_sql(f'ALTER TABLE {table.name} ADD COLUMN "{column.name}" {kind}')


class Backend(Base):
    __tablename__ = "backends"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    address: Mapped[str] = mapped_column(String(42))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    note: Mapped[str] = mapped_column(String(256), default="")
    created_at: Mapped[float] = mapped_column(Float)
    disabled_at: Mapped[float | None] = mapped_column(Float, nullable=True)

    def info(self) -> BackendInfo:
        return BackendInfo(id=self.id, address=self.address, active=self.active)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "address": self.address,
            "active": self.active,
            "note": self.note,
            "created_at": iso(self.created_at),
            "disabled_at": iso(self.disabled_at),
        }


class ChainFact(Base):
    """The last value read from the chain of something the accept path needs (e.g. the referrer bound), kept so an
    oracle restarted while the RPC is down can use it."""

    __tablename__ = "chain_facts"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[float] = mapped_column(Float)


class LeaseRow(Base):
    """A lease (oracle.lease): who holds `name` until when."""

    __tablename__ = "leases"
    name: Mapped[str] = mapped_column(String(96), primary_key=True)
    holder: Mapped[str] = mapped_column(String(160))
    acquired_at: Mapped[float] = mapped_column(Float)
    expires_at: Mapped[float] = mapped_column(Float)


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
    sent_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    mined_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    confirmed_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    block_number: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    gas_used: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    sent_block: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # chain head when it was signed
    signer: Mapped[str | None] = mapped_column(String(42), nullable=True, index=True)  # the key that signed it
    # fee-bumped predecessors of tx_hash (comma separated): same nonce and purchases, any of them may be mined
    prior_tx_hashes: Mapped[str | None] = mapped_column(Text, nullable=True)


class Purchase(Base):
    __tablename__ = "purchases"
    id: Mapped[int] = mapped_column(PK, primary_key=True, autoincrement=True)
    ref: Mapped[str] = mapped_column(String(66), unique=True)
    # the receipt's members (oracle.receipts.Receipt), one column each
    backend_id: Mapped[str] = mapped_column(String(64), index=True)
    order_id: Mapped[str] = mapped_column(String(128))
    consumer: Mapped[str] = mapped_column(String(42))
    referrer: Mapped[str] = mapped_column(String(42))
    supplier: Mapped[str] = mapped_column(String(42))
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(16))
    paid_at: Mapped[int] = mapped_column(BigInteger)
    referrer_bps: Mapped[int] = mapped_column(Integer)
    # the submission and its life
    signature: Mapped[str] = mapped_column(String(132))
    digest: Mapped[str] = mapped_column(String(66))
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    mintable_at: Mapped[float] = mapped_column(Float)
    accepted_at: Mapped[float] = mapped_column(Float)
    settling_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    queued_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    submitted_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    minted_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    refunded_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    rejected_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    set_aside_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    updated_at: Mapped[float] = mapped_column(Float)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("batches.id"), nullable=True, index=True)
    tx_hash: Mapped[str | None] = mapped_column(String(66), nullable=True)
    block_number: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    consumer_grams: Mapped[str | None] = mapped_column(String(80), nullable=True)
    referrer_grams: Mapped[str | None] = mapped_column(String(80), nullable=True)
    supplier_grams: Mapped[str | None] = mapped_column(String(80), nullable=True)
    platform_grams: Mapped[str | None] = mapped_column(String(80), nullable=True)
    rate: Mapped[str | None] = mapped_column(String(80), nullable=True)
    refund_signature: Mapped[str | None] = mapped_column(String(132), nullable=True)

    __table_args__ = (Index("ix_purchases_status_id", "status", "id"),)

    def receipt_fields(self) -> dict[str, Any]:
        """The receipt's members by their JSON names; uint256 values as decimal strings (safe in JavaScript)."""
        return receipt_fields(self.__getattribute__)

    def grams(self) -> dict[str, str | None] | None:
        return grams(self.__getattribute__)

    def public_dict(self) -> dict[str, Any] | None:
        """What anyone can read on chain about this purchase (its PurchaseMined event); None until minted."""
        if self.status != PurchaseStatus.MINTED:
            return None
        return {
            "ref": self.ref,
            "status": self.status,
            "consumer": self.consumer,
            "referrer": self.referrer,
            "supplier": self.supplier,
            "amount": str(self.amount),
            "txHash": self.tx_hash,
            "blockNumber": self.block_number,
            "grams": self.grams(),
            "rate": self.rate,
        }

    def to_dict(self) -> dict[str, Any]:
        """The full record: for its backend (signed read, or the submission's answer), the admin and the CLI."""
        return record_dict(self.__getattribute__)


Column = Callable[[str], Any]  # a column's value by its name


def record_dict(col: Column) -> dict[str, Any]:
    """`Purchase.to_dict` from column values: a loaded row's attributes, or the values a new row was inserted with
    (`{**row, "id": new_id}.get`; what was not inserted is NULL), so the accept path answers without building an
    ORM object (~25 us to build and ~40 us to read through SQLAlchemy's instrumentation)."""
    return {
        "ref": col("ref"),
        "status": col("status"),
        **receipt_fields(col),
        "digest": col("digest"),
        "reason": col("reason"),
        "lastError": col("last_error"),
        "mintableAt": iso(col("mintable_at")),
        "timestamps": {status: iso(col(column)) for status, column in _TIMESTAMP_COLUMNS},
        "txHash": col("tx_hash"),
        "blockNumber": col("block_number"),
        "batchId": col("batch_id"),
        "grams": grams(col),
        "rate": col("rate"),
    }


_TIMESTAMP_COLUMNS = tuple((s.value, f"{s.value}_at") for s in PurchaseStatus)


def receipt_fields(col: Column) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for m in RECEIPT_MEMBERS:
        value = col(m.column)
        out[m.name] = str(value) if m.type == "uint256" else value
    return out


def grams(col: Column) -> dict[str, str | None] | None:
    if col("consumer_grams") is None:
        return None
    return {
        "consumer": col("consumer_grams"),
        "referrer": col("referrer_grams"),
        "supplier": col("supplier_grams"),
        "platform": col("platform_grams"),
    }


def receipt_columns(receipt: Receipt) -> dict[str, Any]:
    """A receipt as Purchase column values."""
    return {m.column: getattr(receipt, m.attr) for m in RECEIPT_MEMBERS}


#: The CSV export: the reference, the receipt (order identity first, then the status), the chain's facts.
EXPORT_COLUMNS: tuple[str, ...] = (
    "ref",
    *(m.column for m in RECEIPT_MEMBERS if m.part_of_ref),
    "status",
    *(m.column for m in RECEIPT_MEMBERS if not m.part_of_ref),
    "tx_hash",
    "block_number",
    "consumer_grams",
    "referrer_grams",
    "supplier_grams",
    "platform_grams",
    "rate",
    "reason",
    "accepted_at",
    "minted_at",
)
TIME_COLUMNS = frozenset({"accepted_at", "minted_at"})


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

    def values(self, now: float) -> dict[str, Any]:
        """Purchase column values recording these facts (status minted)."""
        return {
            "status": PurchaseStatus.MINTED,
            "minted_at": now,
            "updated_at": now,
            "tx_hash": self.tx_hash,
            "block_number": self.block_number,
            "consumer_grams": str(self.consumer_grams),
            "referrer_grams": str(self.referrer_grams),
            "supplier_grams": str(self.supplier_grams),
            "platform_grams": str(self.platform_grams),
            "rate": str(self.rate),
            "last_error": None,
        }

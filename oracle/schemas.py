"""The HTTP API's request and response models (pydantic), for validation where FastAPI parses a body and for the
OpenAPI document. The receipt and refund models are built from oracle.receipts' one definition of each message;
the purchase statuses come from oracle.status.

POST /purchases and /purchases/{ref}/refund read their bodies themselves (size limit, then oracle.verification,
which names the field of every problem); their models document the body and the answers.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, create_model

from .receipts import RECEIPT_MEMBERS, REFUND_MEMBERS, Member
from .status import PurchaseStatus


def _request_field(m: Member) -> tuple[Any, Any]:
    kind: Any = (int | str if m.decimal_string else int) if m.is_uint else str
    examples = [m.example] if m.example is not None else None
    if m.optional:
        default = 0 if m.is_uint else None
        return kind | None, Field(default, description=m.description, examples=examples)
    return kind, Field(description=m.description, examples=examples)


def _view_field(m: Member) -> tuple[Any, Any]:
    kind: Any = (str if m.type == "uint256" else int) if m.is_uint else str
    return kind, Field(description=m.description)


ReceiptModel = create_model(  # type: ignore[call-overload]
    "ReceiptModel",
    __doc__="The signed purchase receipt (EIP-712 `Receipt`).",
    **{m.name: _request_field(m) for m in RECEIPT_MEMBERS},
)
RefundModel = create_model(  # type: ignore[call-overload]
    "RefundModel",
    __doc__="The signed refund (EIP-712 `Refund`).",
    **{m.name: _request_field(m) for m in REFUND_MEMBERS},
)
SIGNATURE = Field(description="0x + 65-byte EIP-712 signature of the message by the backend's registered key")
PurchaseSubmission = create_model("PurchaseSubmission", receipt=(ReceiptModel, ...), signature=(str, SIGNATURE))
RefundSubmission = create_model("RefundSubmission", refund=(RefundModel, ...), signature=(str, SIGNATURE))


class FieldErrorModel(BaseModel):
    field: str
    code: str
    message: str


class ErrorBody(BaseModel):
    error: str
    reason: str
    errors: list[FieldErrorModel] = []
    message: str | None = None


class _PurchaseRecord(BaseModel):
    ref: str
    status: PurchaseStatus = Field(description=" | ".join(s.value for s in PurchaseStatus))
    digest: str
    reason: str | None
    lastError: str | None
    mintableAt: str | None
    timestamps: dict[str, str | None] = Field(description="one ISO time per status reached")
    txHash: str | None
    blockNumber: int | None
    batchId: int | None
    grams: dict[str, str] | None = Field(description="grams-wei per role from the PurchaseMined event")
    rate: str | None


PurchaseView = create_model(  # type: ignore[call-overload]
    "PurchaseView", __base__=_PurchaseRecord, **{m.name: _view_field(m) for m in RECEIPT_MEMBERS}
)


class BackendIn(BaseModel):
    id: str
    address: str
    note: str = ""


class BackendView(BackendIn):
    active: bool
    created_at: str | None
    disabled_at: str | None


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody} for code in (400, 401, 403, 409, 413, 422, 503)
}
BODY_SCHEMAS = (PurchaseSubmission, RefundSubmission)

"""Verification of submitted receipts and refunds: schema, limits, freshness, signature.

Pure functions over parsed JSON; no HTTP and no database (the backend registry and the on-chain
referrer bound are passed in), so every rejection reason is unit-testable. Errors name the field:

    {"field": "receipt.amount", "code": "amount_too_large", "message": "..."}

Codes (also the `reason` label of the rejected-purchases metric):
    body_too_large, invalid_json, not_an_object, unknown_field, missing, wrong_type, too_long, empty,
    invalid_characters, invalid_address, address_not_checksummed, zero_address, amount_not_positive,
    amount_too_large, unsupported_currency, paid_at_in_future, paid_at_too_old, referrer_bps_too_large,
    referrer_bps_bound_unavailable, bad_signature, unknown_backend, backend_disabled, wrong_signer,
    order_ref_mismatch, system_contract

Input policy: every text field refuses control characters and invisible ones (format characters such as
zero-width spaces and bidi overrides, line/paragraph separators, private use); uint fields are JSON integers,
and only `amount` may also be a decimal string; signatures must be canonical (low s, EIP-2); the system's own
contracts are never a consumer, referrer or supplier.
"""

from __future__ import annotations

import re
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from .receipts import (
    RECEIPT_MEMBERS,
    REFUND_MEMBERS,
    ZERO_ADDRESS,
    BadSignatureError,
    Domain,
    Receipt,
    Refund,
    recover_signer,
)

try:  # the fast path: Rust/C implementation that eth-utils itself prefers when present
    from cchecksum import to_checksum_address as _to_checksum
except ImportError:  # pragma: no cover
    from eth_utils.address import to_checksum_address as _to_checksum

T = TypeVar("T")
JsonObject = dict[str, Any]


def to_checksum(address: str) -> str:
    """EIP-55 checksummed form of a 0x + 40 hex address."""
    return str(_to_checksum(address))


def _known(value: T | None) -> T:
    """A field value checked earlier (its absence was reported as an error, so it is here now)."""
    if value is None:  # pragma: no cover - errors are raised before
        raise AssertionError("field checked before use")
    return value


BACKEND_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
HEX_ADDRESS_RE = re.compile(r"^0x[0-9a-fA-F]{40}$")
SIGNATURE_RE = re.compile(r"^0x[0-9a-fA-F]{130}$")
BYTES32_RE = re.compile(r"^0x[0-9a-f]{64}$")
MAX_ORDER_ID = 128
MAX_REASON = 256
MAX_BPS = 10_000
RECEIPT_KEYS = frozenset(m.name for m in RECEIPT_MEMBERS)
#: Which uint members may come as decimal strings (the receipt definition says: only `amount`).
DECIMAL_STRINGS = {m.name: m.decimal_string for m in RECEIPT_MEMBERS}
#: Unicode categories refused in every text field: format characters (zero-width, bidi overrides and isolates,
#: BOM), line and paragraph separators, private use. They make one order id look like another.
INVISIBLE_CATEGORIES = frozenset({"Cf", "Zl", "Zp", "Co"})
REFUND_KEYS = frozenset(m.name for m in REFUND_MEMBERS)
UINT64_MAX = 2**64 - 1


@dataclass(frozen=True)
class FieldError:
    field: str
    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "code": self.code, "message": self.message}


class VerificationError(Exception):
    """The request is rejected; `status` is the HTTP status to answer with."""

    def __init__(self, errors: list[FieldError], status: int = 422) -> None:
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))
        self.errors = errors
        self.status = status

    @property
    def reason(self) -> str:
        return self.errors[0].code if self.errors else "invalid"

    def as_dict(self) -> dict[str, Any]:
        return {"error": "rejected", "reason": self.reason, "errors": [e.as_dict() for e in self.errors]}


@dataclass(frozen=True)
class BackendInfo:
    id: str
    address: str
    active: bool


@dataclass(frozen=True)
class Limits:
    currencies: frozenset[str]
    max_amount: int
    max_age_seconds: int
    clock_skew_seconds: int
    max_body_bytes: int = 4096


@dataclass(frozen=True)
class VerifiedPurchase:
    receipt: Receipt
    signature: str
    digest: str  # 0x-hex EIP-712 digest: the content identity used for idempotency
    ref: str  # 0x-hex bytes32 order reference


@dataclass(frozen=True)
class VerifiedRefund:
    refund: Refund
    signature: str


@dataclass
class Verifier:
    limits: Limits
    domain: Domain
    backend_lookup: Callable[[str], BackendInfo | None]
    referrer_bps_bound: Callable[[], int | None] = lambda: MAX_BPS  # None: unknown right now
    clock: Callable[[], float] = time.time
    #: the system's own contracts (token, PurchaseMining, governor, timelock, ...): never a participant
    system_addresses: frozenset[str] = frozenset()

    # ------------------------------------------------------------------ purchases
    def verify_purchase(self, body: Any) -> VerifiedPurchase:
        errors: list[FieldError] = []
        receipt_obj, signature = self._envelope(body, "receipt", errors)
        if receipt_obj is None:
            raise VerificationError(errors)
        r = receipt_obj
        _unknown(r, RECEIPT_KEYS, "receipt", errors)
        backend = _string(r, "backend", "receipt", errors, max_len=64, pattern=BACKEND_ID_RE)
        order_id = _string(r, "orderId", "receipt", errors, max_len=MAX_ORDER_ID)
        consumer = _address(r, "consumer", "receipt", errors)
        supplier = _address(r, "supplier", "receipt", errors)
        referrer = _address(r, "referrer", "receipt", errors, optional=True)
        amount = _uint(r, "amount", "receipt", errors, decimal_string=DECIMAL_STRINGS["amount"])
        currency = _string(r, "currency", "receipt", errors, max_len=16)
        paid_at = _uint(r, "paidAt", "receipt", errors, maximum=UINT64_MAX)
        bps = _uint(r, "referrerBps", "receipt", errors, optional=True, maximum=2**16 - 1)
        self._check_limits(amount, currency, paid_at, bps, errors)
        self._check_participants({"consumer": consumer, "referrer": referrer, "supplier": supplier}, errors)
        if errors:
            status = 503 if all(e.code == "referrer_bps_bound_unavailable" for e in errors) else 422
            raise VerificationError(errors, status)
        receipt = Receipt(
            backend=_known(backend),
            order_id=_known(order_id),
            consumer=_known(consumer),
            referrer=referrer or ZERO_ADDRESS,
            supplier=_known(supplier),
            amount=_known(amount),
            currency=_known(currency),
            paid_at=_known(paid_at),
            referrer_bps=bps or 0,
        )
        digest = receipt.digest(self.domain)
        self._check_signer(digest, signature, receipt.backend, "receipt")
        return VerifiedPurchase(
            receipt=receipt, signature=signature.lower(), digest="0x" + digest.hex(), ref=receipt.order_ref
        )

    def _check_participants(self, roles: dict[str, str | None], errors: list[FieldError]) -> None:
        """Grams sent to one of the system's own contracts would be locked for good: refuse them."""
        for role, address in roles.items():
            if address is not None and address in self.system_addresses:
                message = f"{role} is one of the system's own contracts: grams sent there would be locked for good"
                errors.append(FieldError(f"receipt.{role}", "system_contract", message))

    def _check_limits(
        self, amount: int | None, currency: str | None, paid_at: int | None, bps: int | None, errors: list[FieldError]
    ) -> None:
        """The configured limits and the on-chain referrer bound (fields that parsed)."""
        if amount is not None:
            if amount <= 0:
                errors.append(FieldError("receipt.amount", "amount_not_positive", "amount must be greater than 0"))
            elif amount > self.limits.max_amount:
                errors.append(
                    FieldError(
                        "receipt.amount",
                        "amount_too_large",
                        f"amount must be at most {self.limits.max_amount} minor units",
                    )
                )
        if currency is not None and currency not in self.limits.currencies:
            errors.append(
                FieldError(
                    "receipt.currency",
                    "unsupported_currency",
                    f"currency must be one of {', '.join(sorted(self.limits.currencies))}",
                )
            )
        if paid_at is not None:
            self._check_time(paid_at, "receipt.paidAt", "paid_at", errors)
        if bps:
            bound = self.referrer_bps_bound()
            if bound is None:
                errors.append(
                    FieldError(
                        "receipt.referrerBps",
                        "referrer_bps_bound_unavailable",
                        "the on-chain referrer bound cannot be read right now; retry later",
                    )
                )
            elif bps > bound:
                errors.append(
                    FieldError(
                        "receipt.referrerBps",
                        "referrer_bps_too_large",
                        f"referrerBps must be at most {bound} (the on-chain bound)",
                    )
                )

    # ------------------------------------------------------------------ refunds
    def verify_refund(self, body: Any, path_ref: str) -> VerifiedRefund:
        errors: list[FieldError] = []
        obj, signature = self._envelope(body, "refund", errors)
        if obj is None:
            raise VerificationError(errors)
        _unknown(obj, REFUND_KEYS, "refund", errors)
        backend = _string(obj, "backend", "refund", errors, max_len=64, pattern=BACKEND_ID_RE)
        ref = _string(obj, "orderRef", "refund", errors, max_len=66, pattern=BYTES32_RE)
        reason = _string(obj, "reason", "refund", errors, max_len=MAX_REASON, allow_empty=True)
        refunded_at = _uint(obj, "refundedAt", "refund", errors, maximum=UINT64_MAX)
        if ref is not None and ref != path_ref:
            errors.append(
                FieldError("refund.orderRef", "order_ref_mismatch", "orderRef must equal the reference in the URL")
            )
        if refunded_at is not None:
            self._check_time(refunded_at, "refund.refundedAt", "refunded_at", errors)
        if errors:
            raise VerificationError(errors)
        refund = Refund(
            backend=_known(backend), order_ref=_known(ref), reason=_known(reason), refunded_at=_known(refunded_at)
        )
        self._check_signer(refund.digest(self.domain), signature, refund.backend, "refund")
        return VerifiedRefund(refund=refund, signature=signature.lower())

    # ------------------------------------------------------------------ helpers
    def _envelope(self, body: Any, key: str, errors: list[FieldError]) -> tuple[JsonObject | None, str]:
        if not isinstance(body, dict):
            errors.append(FieldError("body", "not_an_object", "the body must be a JSON object"))
            return None, ""
        _unknown(body, {key, "signature"}, "", errors)
        inner = body.get(key)
        if inner is None:
            errors.append(FieldError(key, "missing", f"{key} is required"))
        elif not isinstance(inner, dict):
            errors.append(FieldError(key, "wrong_type", f"{key} must be an object"))
            inner = None
        signature = body.get("signature")
        if signature is None:
            errors.append(FieldError("signature", "missing", "signature is required"))
        elif not isinstance(signature, str) or not SIGNATURE_RE.match(signature):
            errors.append(FieldError("signature", "bad_signature", "signature must be 0x + 65 bytes hex"))
        if errors or not isinstance(signature, str):
            return None, ""
        return inner, signature

    def _check_time(self, value: int, name: str, prefix: str, errors: list[FieldError]) -> None:
        now = self.clock()
        if value > now + self.limits.clock_skew_seconds:
            errors.append(FieldError(name, f"{prefix}_in_future", f"{name.split('.')[-1]} is in the future"))
        elif value < now - self.limits.max_age_seconds:
            errors.append(
                FieldError(
                    name,
                    f"{prefix}_too_old",
                    f"{name.split('.')[-1]} is older than {self.limits.max_age_seconds} seconds",
                )
            )

    def _check_signer(self, digest: bytes, signature: str, backend_id: str, prefix: str) -> None:
        try:
            signer = recover_signer(digest, signature)
        except BadSignatureError as exc:
            raise VerificationError([FieldError("signature", "bad_signature", str(exc))], 401) from None
        info = self.backend_lookup(backend_id)
        if info is None:
            raise VerificationError(
                [FieldError(f"{prefix}.backend", "unknown_backend", f"backend {backend_id!r} is not registered")], 401
            )
        if not info.active:
            raise VerificationError(
                [FieldError(f"{prefix}.backend", "backend_disabled", f"backend {backend_id!r} is disabled")], 403
            )
        if signer != info.address:
            raise VerificationError(
                [FieldError("signature", "wrong_signer", f"not signed by backend {backend_id!r}'s registered key")], 401
            )


# ---------------------------------------------------------------------- field parsers
def _unknown(obj: JsonObject, allowed: frozenset[str] | set[str], prefix: str, errors: list[FieldError]) -> None:
    for key in obj:
        if key not in allowed:
            name = f"{prefix}.{key}" if prefix else str(key)
            errors.append(FieldError(_printable(name), "unknown_field", "unknown field"))


def _printable(text: str) -> str:
    return text.encode("utf-8", "backslashreplace").decode("ascii", "backslashreplace")[:80]


def _string(
    obj: JsonObject,
    key: str,
    prefix: str,
    errors: list[FieldError],
    *,
    max_len: int,
    pattern: re.Pattern[str] | None = None,
    allow_empty: bool = False,
) -> str | None:
    name = f"{prefix}.{key}"
    if key not in obj or obj[key] is None:
        errors.append(FieldError(name, "missing", f"{key} is required"))
        return None
    value = obj[key]
    if not isinstance(value, str):
        errors.append(FieldError(name, "wrong_type", f"{key} must be a string"))
        return None
    if not value and not allow_empty:
        errors.append(FieldError(name, "empty", f"{key} must not be empty"))
        return None
    if len(value) > max_len:
        errors.append(FieldError(name, "too_long", f"{key} must be at most {max_len} characters"))
        return None
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        errors.append(FieldError(name, "invalid_characters", f"{key} is not valid UTF-8 text"))
        return None
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        errors.append(FieldError(name, "invalid_characters", f"{key} must not contain control characters"))
        return None
    if any(unicodedata.category(c) in INVISIBLE_CATEGORIES for c in value):
        errors.append(
            FieldError(
                name,
                "invalid_characters",
                f"{key} must not contain invisible format, bidirectional-override or line-separator characters",
            )
        )
        return None
    if pattern is not None and not pattern.match(value):
        errors.append(FieldError(name, "invalid_characters", f"{key} has an invalid format"))
        return None
    return value


def _address(obj: JsonObject, key: str, prefix: str, errors: list[FieldError], optional: bool = False) -> str | None:
    name = f"{prefix}.{key}"
    value = obj.get(key)
    if value is None:
        if optional:
            return ZERO_ADDRESS
        errors.append(FieldError(name, "missing", f"{key} is required"))
        return None
    if not isinstance(value, str) or not HEX_ADDRESS_RE.match(value):
        errors.append(FieldError(name, "invalid_address", f"{key} must be a 0x-prefixed 20-byte hex address"))
        return None
    if value == ZERO_ADDRESS:
        if optional:
            return ZERO_ADDRESS
        errors.append(FieldError(name, "zero_address", f"{key} must not be the zero address"))
        return None
    if to_checksum(value) != value:
        errors.append(FieldError(name, "address_not_checksummed", f"{key} must be an EIP-55 checksummed address"))
        return None
    return value


def _uint(
    obj: JsonObject,
    key: str,
    prefix: str,
    errors: list[FieldError],
    *,
    optional: bool = False,
    maximum: int = 2**256 - 1,
    decimal_string: bool = False,
) -> int | None:
    name = f"{prefix}.{key}"
    value = obj.get(key)
    if value is None:
        if optional:
            return 0
        errors.append(FieldError(name, "missing", f"{key} is required"))
        return None
    if isinstance(value, bool):
        errors.append(FieldError(name, "wrong_type", f"{key} must be an integer"))
        return None
    if isinstance(value, str) and decimal_string:  # for JavaScript clients and big values
        if not value.isascii() or not value.isdigit() or len(value) > 78:
            errors.append(FieldError(name, "wrong_type", f"{key} must be an integer or a decimal string"))
            return None
        value = int(value)
    if not isinstance(value, int):
        errors.append(FieldError(name, "wrong_type", f"{key} must be an integer"))
        return None
    if value < 0:
        if key == "amount":
            errors.append(FieldError(name, "amount_not_positive", "amount must be greater than 0"))
        else:
            errors.append(FieldError(name, "wrong_type", f"{key} must not be negative"))
        return None
    if value > maximum:
        if key == "referrerBps":
            errors.append(FieldError(name, "referrer_bps_too_large", f"referrerBps must be at most {MAX_BPS}"))
        elif key == "amount":
            errors.append(FieldError(name, "amount_too_large", "amount is too large"))
        else:
            errors.append(FieldError(name, "wrong_type", f"{key} is out of range"))
        return None
    return value

"""Verification of submitted receipts and refunds: schema, limits, freshness, signature.

Pure functions over parsed JSON; no HTTP and no database (the backend registry and the on-chain
referrer bound are passed in), so every rejection reason is unit-testable. Errors name the field:

    {"field": "receipt.amount", "code": "amount_too_large", "message": "..."}

Codes (also the `reason` label of the rejected-purchases metric):
    body_too_large, invalid_json, not_an_object, unknown_field, missing, wrong_type, too_long, empty,
    invalid_characters, invalid_address, address_not_checksummed, zero_address, amount_not_positive,
    amount_too_large, amount_exceeds_daily_ceiling, unsupported_currency, paid_at_in_future, paid_at_too_old, referrer_bps_too_large,
    referrer_bps_bound_unavailable, bad_signature, unknown_backend, backend_disabled, wrong_signer,
    order_ref_mismatch, system_contract

Input policy: every text field refuses control characters and invisible ones (format characters such as
zero-width spaces and bidi overrides, line/paragraph separators, private use); uint fields are JSON integers,
and only `amount` may also be a decimal string; signatures must be canonical (low s, EIP-2); the system's own
contracts are never a consumer, referrer or supplier.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from .fields import (
    BACKEND_ID_RE,
    BYTES32_RE,
    MAX_BPS,
    MAX_ORDER_ID,
    MAX_REASON,
    SIGNATURE_RE,
    UINT64_MAX,
    FieldError,
    JsonObject,
    check_unknown,
    parse_address,
    parse_string,
    parse_uint,
)
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

T = TypeVar("T")


def _known(value: T | None) -> T:
    """A field value checked earlier (its absence was reported as an error, so it is here now)."""
    if value is None:  # pragma: no cover - errors are raised before
        raise AssertionError("field checked before use")
    return value


RECEIPT_KEYS = frozenset(m.name for m in RECEIPT_MEMBERS)
#: Which uint members may come as decimal strings (the receipt definition says: only `amount`).
DECIMAL_STRINGS = {m.name: m.decimal_string for m in RECEIPT_MEMBERS}
REFUND_KEYS = frozenset(m.name for m in REFUND_MEMBERS)


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
class CeilingFacts:
    """PurchaseMining's daily ceiling (bucket capacity, grams-wei), current rate (grams-wei per minor unit at full
    share) and default referrer share (bps): enough to tell whether a purchase could ever fit the ceiling."""

    ceiling: int
    rate: int
    referrer_bps: int
    BPS = 10_000

    def grams(self, amount: int, has_referrer: bool, override_bps: int) -> int:
        """Grams-wei the purchase mines at the current rate (rates only fall: later it can only be fewer)."""
        ref_bps = override_bps or self.referrer_bps
        mint_bps = self.BPS if has_referrer else self.BPS - ref_bps
        return amount * self.rate * mint_bps // self.BPS

    def max_amount(self, has_referrer: bool, override_bps: int) -> int:
        per_unit = self.grams(1, has_referrer, override_bps) or 1
        return self.ceiling // per_unit


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
    #: the daily ceiling and rate (None: unknown, the check is skipped and the batcher sets such a purchase aside)
    ceiling_facts: Callable[[], CeilingFacts | None] = lambda: None

    # ------------------------------------------------------------------ purchases
    def verify_purchase(self, body: Any) -> VerifiedPurchase:
        errors: list[FieldError] = []
        receipt_obj, signature = self._envelope(body, "receipt", errors)
        if receipt_obj is None:
            raise VerificationError(errors)
        r = receipt_obj
        check_unknown(r, RECEIPT_KEYS, "receipt", errors)
        backend = parse_string(r, "backend", "receipt", errors, max_len=64, pattern=BACKEND_ID_RE)
        order_id = parse_string(r, "orderId", "receipt", errors, max_len=MAX_ORDER_ID)
        consumer = parse_address(r, "consumer", "receipt", errors)
        supplier = parse_address(r, "supplier", "receipt", errors)
        referrer = parse_address(r, "referrer", "receipt", errors, optional=True)
        amount = parse_uint(r, "amount", "receipt", errors, decimal_string=DECIMAL_STRINGS["amount"])
        currency = parse_string(r, "currency", "receipt", errors, max_len=16)
        paid_at = parse_uint(r, "paidAt", "receipt", errors, maximum=UINT64_MAX)
        bps = parse_uint(r, "referrerBps", "receipt", errors, optional=True, maximum=2**16 - 1)
        self._check_limits(amount, currency, paid_at, bps, errors)
        self._check_participants({"consumer": consumer, "referrer": referrer, "supplier": supplier}, errors)
        if not errors:
            self._check_ceiling(_known(amount), referrer not in (None, ZERO_ADDRESS), bps or 0, errors)
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

    def _check_ceiling(self, amount: int, has_referrer: bool, bps: int, errors: list[FieldError]) -> None:
        """A purchase whose grams exceed what the daily ceiling can ever hold would never be minted: refuse it."""
        facts = self.ceiling_facts()
        if facts is None:
            return
        grams = facts.grams(amount, has_referrer, bps)
        if grams > facts.ceiling:
            message = (
                f"amount would mine {grams} grams-wei, more than PurchaseMining's daily ceiling ({facts.ceiling}) "
                f"can ever hold: at most {facts.max_amount(has_referrer, bps)} minor units for this purchase"
            )
            errors.append(FieldError("receipt.amount", "amount_exceeds_daily_ceiling", message))

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
        check_unknown(obj, REFUND_KEYS, "refund", errors)
        backend = parse_string(obj, "backend", "refund", errors, max_len=64, pattern=BACKEND_ID_RE)
        ref = parse_string(obj, "orderRef", "refund", errors, max_len=66, pattern=BYTES32_RE)
        reason = parse_string(obj, "reason", "refund", errors, max_len=MAX_REASON, allow_empty=True)
        refunded_at = parse_uint(obj, "refundedAt", "refund", errors, maximum=UINT64_MAX)
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
        check_unknown(body, {key, "signature"}, "", errors)
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

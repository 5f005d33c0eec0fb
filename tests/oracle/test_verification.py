"""Verification: one test per rejection reason, each naming the field."""

from __future__ import annotations

import copy

import pytest
from eth_account import Account

from oracle.receipts import ZERO_ADDRESS, Domain, Receipt, Refund, sign_receipt, sign_refund
from oracle.verification import BackendInfo, Limits, VerificationError, Verifier

NOW = 1_700_000_000
DOMAIN = Domain(chain_id=1337, verifying_contract="0x" + "42" * 20)
KEY = Account.create()
OTHER = Account.create()
CONSUMER = Account.create().address
SUPPLIER = Account.create().address
REFERRER = Account.create().address


def make_verifier(bound=4000, backends=None) -> Verifier:
    backends = (
        backends
        if backends is not None
        else {
            "shop-1": BackendInfo("shop-1", KEY.address, True),
            "off": BackendInfo("off", KEY.address, False),
        }
    )
    return Verifier(
        limits=Limits(
            currencies=frozenset({"CNY", "USD"}), max_amount=1_000_000, max_age_seconds=86_400, clock_skew_seconds=60
        ),
        domain=DOMAIN,
        backend_lookup=backends.get,
        referrer_bps_bound=lambda: bound,
        clock=lambda: NOW,
    )


def body(signer=KEY, **overrides):
    msg = {
        "backend": "shop-1",
        "orderId": "A-1",
        "consumer": CONSUMER,
        "referrer": REFERRER,
        "supplier": SUPPLIER,
        "amount": 12_345,
        "currency": "CNY",
        "paidAt": NOW - 10,
        "referrerBps": 0,
    }
    msg.update(overrides)
    r = Receipt(
        backend=msg["backend"],
        order_id=msg["orderId"],
        consumer=msg["consumer"],
        referrer=msg["referrer"] or ZERO_ADDRESS,
        supplier=msg["supplier"],
        amount=int(msg["amount"]),
        currency=msg["currency"],
        paid_at=int(msg["paidAt"]),
        referrer_bps=int(msg["referrerBps"] or 0),
    )
    return {"receipt": msg, "signature": sign_receipt(r, DOMAIN, signer.key)}


def rejected(b, verifier=None):
    with pytest.raises(VerificationError) as info:
        (verifier or make_verifier()).verify_purchase(b)
    return info.value


def test_valid_receipt_is_verified():
    vp = make_verifier().verify_purchase(body())
    assert vp.receipt.amount == 12_345 and vp.ref == vp.receipt.order_ref and vp.digest.startswith("0x")
    # optional fields may be absent or zero
    b = body(referrer=ZERO_ADDRESS)
    del b["receipt"]["referrerBps"]
    assert make_verifier().verify_purchase(b).receipt.referrer == ZERO_ADDRESS
    b = body(referrer=ZERO_ADDRESS)
    b["receipt"]["referrer"] = None
    assert make_verifier().verify_purchase(b).receipt.referrer_bps == 0
    # amount as a decimal string (JavaScript clients)
    assert make_verifier().verify_purchase(body(amount="999")).receipt.amount == 999


def _mutate(b, path, value):
    b = copy.deepcopy(b)
    target = b
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return b


FIELD_CASES = [
    # (description, mutation path, value, field, code)
    ("not an object", None, [1, 2], "body", "not_an_object"),
    ("no receipt", ("receipt",), KeyError, "receipt", "missing"),
    ("receipt not an object", ("receipt",), "x", "receipt", "wrong_type"),
    ("no signature", ("signature",), KeyError, "signature", "missing"),
    ("signature not hex", ("signature",), "0x" + "zz" * 65, "signature", "bad_signature"),
    ("unknown top-level field", ("extra",), 1, "extra", "unknown_field"),
    ("unknown receipt field", ("receipt", "tip"), 1, "receipt.tip", "unknown_field"),
    ("backend missing", ("receipt", "backend"), KeyError, "receipt.backend", "missing"),
    ("backend bad characters", ("receipt", "backend"), "shop 1", "receipt.backend", "invalid_characters"),
    ("orderId empty", ("receipt", "orderId"), "", "receipt.orderId", "empty"),
    ("orderId too long", ("receipt", "orderId"), "x" * 129, "receipt.orderId", "too_long"),
    ("orderId control char", ("receipt", "orderId"), "a\nb", "receipt.orderId", "invalid_characters"),
    ("orderId lone surrogate", ("receipt", "orderId"), "a\ud800", "receipt.orderId", "invalid_characters"),
    ("orderId not a string", ("receipt", "orderId"), 7, "receipt.orderId", "wrong_type"),
    ("consumer missing", ("receipt", "consumer"), KeyError, "receipt.consumer", "missing"),
    ("consumer not hex", ("receipt", "consumer"), "0x1234", "receipt.consumer", "invalid_address"),
    ("consumer lower case", ("receipt", "consumer"), CONSUMER.lower(), "receipt.consumer", "address_not_checksummed"),
    ("supplier zero", ("receipt", "supplier"), ZERO_ADDRESS, "receipt.supplier", "zero_address"),
    (
        "referrer bad checksum",
        ("receipt", "referrer"),
        REFERRER.upper().replace("0X", "0x"),
        "receipt.referrer",
        "address_not_checksummed",
    ),
    ("amount zero", ("receipt", "amount"), 0, "receipt.amount", "amount_not_positive"),
    ("amount negative", ("receipt", "amount"), -5, "receipt.amount", "amount_not_positive"),
    ("amount over max", ("receipt", "amount"), 1_000_001, "receipt.amount", "amount_too_large"),
    ("amount float", ("receipt", "amount"), 1.5, "receipt.amount", "wrong_type"),
    ("amount bool", ("receipt", "amount"), True, "receipt.amount", "wrong_type"),
    ("amount bad string", ("receipt", "amount"), "12e3", "receipt.amount", "wrong_type"),
    ("currency unknown", ("receipt", "currency"), "EUR", "receipt.currency", "unsupported_currency"),
    ("currency missing", ("receipt", "currency"), KeyError, "receipt.currency", "missing"),
    ("paidAt future", ("receipt", "paidAt"), NOW + 61, "receipt.paidAt", "paid_at_in_future"),
    ("paidAt too old", ("receipt", "paidAt"), NOW - 86_401, "receipt.paidAt", "paid_at_too_old"),
    ("paidAt not int", ("receipt", "paidAt"), "yesterday", "receipt.paidAt", "wrong_type"),
    ("paidAt over uint64", ("receipt", "paidAt"), 2**64, "receipt.paidAt", "wrong_type"),
    ("override above bound", ("receipt", "referrerBps"), 4001, "receipt.referrerBps", "referrer_bps_too_large"),
    ("override above uint16", ("receipt", "referrerBps"), 70_000, "receipt.referrerBps", "referrer_bps_too_large"),
]


@pytest.mark.parametrize("desc,path,value,field,code", FIELD_CASES, ids=[c[0] for c in FIELD_CASES])
def test_field_rejections(desc, path, value, field, code):
    b = value if path is None else _mutate(body(), path, value)
    err = rejected(b)
    assert err.status == 422
    assert (field, code) in [(e.field, e.code) for e in err.errors], err.as_dict()


def test_all_field_errors_are_reported_together():
    b = body()
    b["receipt"].update(amount=0, currency="EUR", consumer="0x12")
    codes = {e.code for e in rejected(b).errors}
    assert {"amount_not_positive", "unsupported_currency", "invalid_address"} <= codes


def test_clock_skew_is_tolerated():
    assert make_verifier().verify_purchase(body(paidAt=NOW + 60)).receipt.paid_at == NOW + 60


def test_override_within_bound_and_bound_unavailable():
    assert make_verifier().verify_purchase(body(referrerBps=4000)).receipt.referrer_bps == 4000
    err = rejected(body(referrerBps=100), make_verifier(bound=None))
    assert err.status == 503 and err.reason == "referrer_bps_bound_unavailable"
    # without an override the bound is not needed
    assert make_verifier(bound=None).verify_purchase(body()).receipt.referrer_bps == 0


def test_signature_by_another_key():
    err = rejected(body(signer=OTHER))
    assert (err.status, err.reason, err.errors[0].field) == (401, "wrong_signer", "signature")


def test_signature_over_other_content():
    b = body()
    b["receipt"]["amount"] = 12_346  # tampered after signing
    assert rejected(b).reason == "wrong_signer"


def test_unrecoverable_signature():
    b = body()
    b["signature"] = "0x" + "00" * 64 + "1f"
    assert rejected(b).reason == "bad_signature"


def test_unknown_backend():
    err = rejected(body(backend="nobody"))
    assert (err.status, err.reason, err.errors[0].field) == (401, "unknown_backend", "receipt.backend")


def test_disabled_backend():
    err = rejected(body(backend="off"))
    assert (err.status, err.reason) == (403, "backend_disabled")


def test_refund_verification():
    v = make_verifier()
    ref = v.verify_purchase(body()).ref
    refund = Refund(backend="shop-1", order_ref=ref, reason="returned", refunded_at=NOW)
    good = {"refund": refund.message(), "signature": sign_refund(refund, DOMAIN, KEY.key)}
    assert v.verify_refund(good, ref).refund.reason == "returned"
    with pytest.raises(VerificationError) as info:
        v.verify_refund(good, "0x" + "11" * 32)
    assert info.value.reason == "order_ref_mismatch"
    bad = {"refund": refund.message(), "signature": sign_refund(refund, DOMAIN, OTHER.key)}
    with pytest.raises(VerificationError) as info:
        v.verify_refund(bad, ref)
    assert info.value.reason == "wrong_signer"
    late = Refund(backend="shop-1", order_ref=ref, reason="", refunded_at=NOW + 3600)
    with pytest.raises(VerificationError) as info:
        v.verify_refund({"refund": late.message(), "signature": sign_refund(late, DOMAIN, KEY.key)}, ref)
    assert info.value.reason == "refunded_at_in_future"

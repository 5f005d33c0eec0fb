"""The EIP-712 receipt: our direct digest equals eth-account's, signatures recover, refs are stable."""

from __future__ import annotations

import dataclasses

import pytest
from eth_abi import encode
from eth_account import Account
from eth_hash.auto import keccak
from eth_keys.datatypes import Signature

from oracle.receipts import (
    BadSignatureError,
    Domain,
    Receipt,
    Refund,
    eth_account_digest,
    order_ref,
    recover_signer,
    sign_receipt,
    sign_refund,
)

DOMAIN = Domain(chain_id=1337, verifying_contract="0x" + "42" * 20)


def receipt(**kw) -> Receipt:
    values = dict(
        backend="shop-1",
        order_id="A-1",
        consumer="0x" + "aa" * 20,
        referrer="0x" + "00" * 20,
        supplier="0x" + "bb" * 20,
        amount=12_345,
        currency="CNY",
        paid_at=1_700_000_000,
        referrer_bps=0,
    )
    values.update(kw)
    return Receipt(**values)


def test_digest_matches_eth_account():
    for r in (receipt(), receipt(referrer="0x" + "cc" * 20, referrer_bps=3000, order_id="订单-7", amount=2**200)):
        assert r.digest(DOMAIN) == eth_account_digest(DOMAIN, "Receipt", r.message())
    refund = Refund(backend="shop-1", order_ref=receipt().order_ref, reason="returned", refunded_at=1_700_000_100)
    assert refund.digest(DOMAIN) == eth_account_digest(DOMAIN, "Refund", refund.message())


def test_every_field_and_the_domain_change_the_digest():
    base = receipt()
    digests = {base.digest(DOMAIN)}
    changes = dict(
        backend="shop-2",
        order_id="A-2",
        consumer="0x" + "ab" * 20,
        referrer="0x" + "cd" * 20,
        supplier="0x" + "ef" * 20,
        amount=12_346,
        currency="USD",
        paid_at=1_700_000_001,
        referrer_bps=1,
    )
    for name, value in changes.items():
        digests.add(dataclasses.replace(base, **{name: value}).digest(DOMAIN))
    digests.add(base.digest(Domain(chain_id=1, verifying_contract=DOMAIN.verifying_contract)))
    digests.add(base.digest(Domain(chain_id=1337, verifying_contract="0x" + "43" * 20)))
    assert len(digests) == len(changes) + 3


def test_sign_and_recover():
    acct = Account.create()
    r = receipt()
    sig = sign_receipt(r, DOMAIN, acct.key)
    assert recover_signer(r.digest(DOMAIN), sig) == acct.address
    other = dataclasses.replace(r, amount=r.amount + 1)
    assert recover_signer(other.digest(DOMAIN), sig) != acct.address
    refund = Refund(backend="shop-1", order_ref=r.order_ref, reason="", refunded_at=5)
    assert recover_signer(refund.digest(DOMAIN), sign_refund(refund, DOMAIN, acct.key)) == acct.address


def test_recovery_agrees_with_eth_keys():
    """recover_signer calls libsecp256k1 directly; eth-keys is the reference, also for corrupted signatures."""
    acct = Account.create()
    for i in range(64):
        digest = keccak(i.to_bytes(4, "big"))
        raw = bytearray(acct.unsafe_sign_hash(digest).signature)
        assert recover_signer(digest, "0x" + raw.hex()) == acct.address
        raw[i % 32] ^= 0x5A  # another r: another signer, or no point on the curve
        try:
            expected = Signature(vrs=(raw[64] - 27, int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:64], "big")))
            want = expected.recover_public_key_from_msg_hash(digest).to_checksum_address()
        except Exception:
            want = None
        try:
            got = recover_signer(digest, "0x" + raw.hex())
        except BadSignatureError:
            got = None
        assert got == want


@pytest.mark.parametrize(
    "sig",
    [
        "0x",
        "0x1234",
        "zz" * 65,
        "0x" + "00" * 64 + "1f",
        "0x" + "00" * 65,
        "0x" + "00" * 32 + "01" * 32 + "1b",  # r = 0
        "0x" + "ff" * 32 + "01" * 32 + "1b",  # r >= n
        "0x" + "01" * 32 + "00" * 32 + "1c",  # s = 0
    ],
)
def test_bad_signatures(sig):
    with pytest.raises(BadSignatureError):
        recover_signer(receipt().digest(DOMAIN), sig)


@pytest.mark.parametrize(
    "backend,order_id",
    [
        ("shop-1", "A-1"),
        ("", ""),
        ("s" * 32, "o" * 32),
        ("s" * 33, "o" * 31),
        ("é", "订单-" * 20),
        ("a" * 64, "b" * 128),
    ],
)
def test_order_ref_is_keccak_of_abi_encoded_backend_and_order(backend, order_id):
    # order_ref encodes by hand: it must match eth-abi for every length (word boundaries) and for UTF-8
    assert order_ref(backend, order_id) == "0x" + keccak(encode(["string", "string"], [backend, order_id])).hex()


def test_order_ref_is_unambiguous():
    # no ambiguity between (backend, order) splits
    assert order_ref("shop-1", "2-3") != order_ref("shop-12", "-3")


def test_recovery_without_releasing_the_gil_matches_coincurve():
    """oracle.ecrecover calls libsecp256k1 through ctypes.PyDLL; coincurve (cffi) is the reference."""
    from oracle import ecrecover

    assert ecrecover._RECOVER is not ecrecover._coincurve  # the direct path loaded on this build
    acct = Account.create()
    for i in range(64):
        digest = keccak(b"gil" + i.to_bytes(4, "big"))
        raw = bytearray(acct.unsafe_sign_hash(digest).signature)
        if i % 2:
            raw[i % 32] ^= 0x33
        outcomes = []
        for recover in (ecrecover._RECOVER, ecrecover._coincurve):
            try:
                outcomes.append(recover(bytes(raw[:64]), raw[64] - 27, digest))
            except ValueError:
                outcomes.append(None)
        assert outcomes[0] == outcomes[1]

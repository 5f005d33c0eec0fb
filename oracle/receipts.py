"""The EIP-712 typed receipt a shop backend signs for each paid order, and the refund it signs to cancel one
before minting. The `Receipt` and `Refund` dataclasses are the one definition of both: each field carries its
EIP-712 name and type, its description and its store column, and everything else derives from them: the
EIP-712 type strings and type hashes, the digest, the JSON message, the API's request model (oracle.schemas),
the verifier's allowed keys and the CSV export's columns.

Domain   EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)
         name "BlackGold Oracle", version "1", the chain id and the PurchaseMining address
         (GET /receipt-domain returns it).
Receipt  Receipt(string backend,string orderId,address consumer,address referrer,address supplier,
                 uint256 amount,string currency,uint64 paidAt,uint16 referrerBps)
Refund   Refund(string backend,bytes32 orderRef,string reason,uint64 refundedAt)
Read     Read(string backend,bytes32 orderRef,uint64 at)     (a backend reading its own purchase's full record)

The on-chain order reference is `keccak256(abi.encode(string backend, string orderId))`: unique per
platform, and one backend cannot claim another backend's references.

Signing goes through eth-account (`encode_typed_data` + `Account.sign_message`); verification computes
the same digest directly (cheaper on the accept path) and recovers the signer with libsecp256k1 directly
(oracle.ecrecover). The two are checked against each other in the tests. Keccak is safe-pysha3's C
implementation when it is installed (it is in the lock, through eth-brownie and cchecksum): about 6x cheaper per
hash than eth-hash's pycryptodome backend, and the accept path hashes about eight times per request.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from eth_account import Account
from eth_account.messages import SignableMessage, encode_typed_data

from .ecrecover import recover_public_key


def _keccak256() -> Callable[[bytes], bytes]:
    """C keccak (safe-pysha3), ~1 us a hash, else eth-hash's choice (pycryptodome here, ~7 us)."""
    try:
        from sha3 import keccak_256
    except ImportError:  # pragma: no cover
        from eth_hash.auto import keccak as fallback

        return fallback
    return lambda data: bytes(keccak_256(data).digest())


keccak = _keccak256()

DOMAIN_NAME = "BlackGold Oracle"
DOMAIN_VERSION = "1"
ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"


@dataclass(frozen=True)
class Member:
    """One field of a typed message: EIP-712 member name and type, Python attribute, store column, docs."""

    name: str
    type: str
    description: str
    attr: str = ""
    column: str = ""
    example: object = None
    optional: bool = False  # may be absent from the JSON (then its default / the zero address)
    part_of_ref: bool = False  # the order reference is computed from these
    decimal_string: bool = False  # a uint that may also be sent as a decimal string (JavaScript's big numbers)

    @property
    def is_uint(self) -> bool:
        return self.type.startswith("uint")


def member(name: str, type_: str, description: str, **kw: Any) -> dict[str, Member]:
    """Dataclass field metadata declaring a typed-message member (attr and column are filled in by `members`)."""
    return {"eip712": Member(name, type_, description, **kw)}


def members(cls: type) -> tuple[Member, ...]:
    """The members of a typed-message dataclass, in declaration order (= EIP-712 encoding order)."""
    out = []
    for f in dataclasses.fields(cls):
        m: Member = f.metadata["eip712"]
        out.append(dataclasses.replace(m, attr=f.name, column=m.column or f.name))
    return tuple(out)


def eip712_fields(cls: type) -> list[dict[str, str]]:
    """`[{"name": ..., "type": ...}, ...]` as eth_signTypedData_v4 wants it."""
    return [{"name": m.name, "type": m.type} for m in members(cls)]


def _type_string(name: str, fields: list[dict[str, str]]) -> bytes:
    return f"{name}({','.join(f['type'] + ' ' + f['name'] for f in fields)})".encode()


def _encode(type_: str, value: Any) -> bytes:
    """One member's 32-byte word in the struct hash (the types these messages use)."""
    if type_ == "string":
        return keccak(str(value).encode())
    if type_ == "address":
        return bytes(12) + bytes.fromhex(str(value)[2:])
    if type_ == "bytes32":
        return bytes.fromhex(str(value)[2:])
    if type_.startswith("uint"):
        return int(value).to_bytes(32, "big")
    raise ValueError(f"unsupported EIP-712 type {type_}")  # pragma: no cover - a new member type needs a line here


HEX_ADDRESS_RE = re.compile(r"^0x[0-9a-fA-F]{40}$")


def to_checksum(address: str) -> str:
    """EIP-55 checksummed form of a 0x + 40 hex address (ValueError otherwise).

    Python over the C keccak rather than cchecksum: cchecksum releases the GIL twice per call (~1 us of work), and
    on the event loop every release means waiting to take the GIL back from the store's writer thread; measured
    on POST /purchases (four checksums per request) that wait, not the checksum, was the cost."""
    if not HEX_ADDRESS_RE.match(address):
        raise ValueError(f"not a 0x + 40 hex address: {address!r}")
    lower = address[2:].lower()
    nibbles = keccak(lower.encode()).hex()
    return "0x" + "".join([c.upper() if n > "7" else c for c, n in zip(lower, nibbles, strict=False)])


def order_ref(backend: str, order_id: str) -> str:
    """The bytes32 order reference (0x-hex) the chain and the API use for (backend, orderId):
    keccak256(abi.encode(string, string)), encoded by hand (eth-abi's encoder costs ~15 us a call; the tests
    check both agree)."""
    a, b = backend.encode(), order_id.encode()
    head = (64).to_bytes(32, "big") + (64 + _abi_len(a)).to_bytes(32, "big")
    return "0x" + keccak(head + _abi_bytes(a) + _abi_bytes(b)).hex()


def _abi_len(data: bytes) -> int:
    return 32 + -(-len(data) // 32) * 32


def _abi_bytes(data: bytes) -> bytes:
    """A dynamic `bytes`/`string` tail: its length word, then the data right-padded to whole words."""
    return len(data).to_bytes(32, "big") + data + bytes(-len(data) % 32)


@dataclass(frozen=True)
class Domain:
    chain_id: int
    verifying_contract: str
    name: str = DOMAIN_NAME
    version: str = DOMAIN_VERSION

    FIELDS: ClassVar[list[dict[str, str]]] = [
        {"name": "name", "type": "string"},
        {"name": "version", "type": "string"},
        {"name": "chainId", "type": "uint256"},
        {"name": "verifyingContract", "type": "address"},
    ]

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "chainId": self.chain_id,
            "verifyingContract": self.verifying_contract,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Domain:
        return cls(
            chain_id=int(data["chainId"]),
            verifying_contract=str(data["verifyingContract"]),
            name=str(data.get("name", DOMAIN_NAME)),
            version=str(data.get("version", DOMAIN_VERSION)),
        )

    def separator(self) -> bytes:
        cached: bytes | None = self.__dict__.get("_separator")  # frozen dataclass: computed once per domain
        if cached is None:
            cached = keccak(
                DOMAIN_TYPEHASH
                + b"".join(_encode(f["type"], v) for f, v in zip(self.FIELDS, self.as_dict().values(), strict=True))
            )
            object.__setattr__(self, "_separator", cached)
        return cached


class _Typed:
    """Struct hash, digest and JSON message of a typed-message dataclass, from its members."""

    PRIMARY: ClassVar[str]
    MEMBERS: ClassVar[tuple[Member, ...]]
    TYPEHASH: ClassVar[bytes]

    def message(self) -> dict[str, Any]:
        """The EIP-712 message (also the JSON body's inner object)."""
        return {m.name: getattr(self, m.attr) for m in self.MEMBERS}

    def struct_hash(self) -> bytes:
        return keccak(self.TYPEHASH + b"".join(_encode(m.type, getattr(self, m.attr)) for m in self.MEMBERS))

    def digest(self, domain: Domain) -> bytes:
        return keccak(b"\x19\x01" + domain.separator() + self.struct_hash())


@dataclass(frozen=True)
class Receipt(_Typed):
    backend: str = field(
        metadata=member(
            "backend", "string", "the backend's registered id", column="backend_id", example="shop-1", part_of_ref=True
        )
    )
    order_id: str = field(
        metadata=member(
            "orderId",
            "string",
            "the backend's order number (unique per backend)",
            example="2024-000123",
            part_of_ref=True,
        )
    )
    consumer: str = field(metadata=member("consumer", "address", "EIP-55 checksummed address of who paid"))
    referrer: str = field(
        metadata=member(
            "referrer", "address", "checksummed address of the referrer; zero address/absent = none", optional=True
        )
    )
    supplier: str = field(metadata=member("supplier", "address", "checksummed address of the merchant"))
    amount: int = field(
        metadata=member(
            "amount",
            "uint256",
            "amount paid in minor units (e.g. fen), > 0 and at most max_amount; an integer or a decimal string",
            decimal_string=True,
        )
    )
    currency: str = field(metadata=member("currency", "string", "one of the configured currencies", example="CNY"))
    paid_at: int = field(
        metadata=member(
            "paidAt", "uint64", "payment time, unix seconds; not in the future, not older than max_age_seconds"
        )
    )
    referrer_bps: int = field(
        default=0,
        metadata=member(
            "referrerBps",
            "uint16",
            "merchant referrer-share override in bps; 0 = none; <= the on-chain bound",
            optional=True,
        ),
    )

    PRIMARY: ClassVar[str] = "Receipt"

    @property
    def order_ref(self) -> str:
        return order_ref(self.backend, self.order_id)


@dataclass(frozen=True)
class Refund(_Typed):
    backend: str = field(metadata=member("backend", "string", "the backend's registered id (the purchase's)"))
    order_ref: str = field(
        metadata=member("orderRef", "bytes32", "the purchase's 0x bytes32 reference (same as in the URL)")
    )
    reason: str = field(metadata=member("reason", "string", "why, shown in the record (may be empty)"))
    refunded_at: int = field(metadata=member("refundedAt", "uint64", "unix seconds"))

    PRIMARY: ClassVar[str] = "Refund"


@dataclass(frozen=True)
class Read(_Typed):
    """A backend's signed request to read one of its purchases (GET /purchases/{ref} with X-Backend-Auth)."""

    backend: str = field(metadata=member("backend", "string", "the backend reading"))
    order_ref: str = field(metadata=member("orderRef", "bytes32", "the purchase it reads (as in the URL)"))
    at: int = field(metadata=member("at", "uint64", "unix seconds when signed (valid for a few minutes)"))

    PRIMARY: ClassVar[str] = "Read"


DOMAIN_FIELDS = Domain.FIELDS
RECEIPT_FIELDS = eip712_fields(Receipt)
REFUND_FIELDS = eip712_fields(Refund)
READ_FIELDS = eip712_fields(Read)
DOMAIN_TYPEHASH = keccak(_type_string("EIP712Domain", DOMAIN_FIELDS))
for _cls in (Receipt, Refund, Read):
    _cls.MEMBERS = members(_cls)
    _cls.TYPEHASH = keccak(_type_string(_cls.PRIMARY, eip712_fields(_cls)))
RECEIPT_MEMBERS = Receipt.MEMBERS
REFUND_MEMBERS = Refund.MEMBERS


# ---------------------------------------------------------------------- signing (eth-account)
TYPES: dict[str, type[_Typed]] = {"Receipt": Receipt, "Refund": Refund, "Read": Read}


def _signable(domain: Domain, primary: str, message: dict[str, Any]) -> SignableMessage:
    return encode_typed_data(
        domain_data=domain.as_dict(),
        message_types={primary: eip712_fields(TYPES[primary])},
        message_data=message,
    )


def _sign(typed: _Typed, domain: Domain, private_key: bytes | str) -> str:
    signed = Account.sign_message(_signable(domain, typed.PRIMARY, typed.message()), private_key)
    return "0x" + bytes(signed.signature).hex()


def sign_receipt(receipt: Receipt, domain: Domain, private_key: bytes | str) -> str:
    """0x-hex 65-byte signature of the receipt by `private_key`."""
    return _sign(receipt, domain, private_key)


def sign_refund(refund: Refund, domain: Domain, private_key: bytes | str) -> str:
    return _sign(refund, domain, private_key)


def sign_read(read: Read, domain: Domain, private_key: bytes | str) -> str:
    return _sign(read, domain, private_key)


def eth_account_digest(domain: Domain, primary: str, message: dict[str, Any]) -> bytes:
    """The digest as eth-account computes it (the tests check `digest` against it)."""
    signable = _signable(domain, primary, message)
    return bytes(keccak(b"\x19" + bytes(signable.version) + bytes(signable.header) + bytes(signable.body)))


# ---------------------------------------------------------------------- recovery
SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


class BadSignatureError(ValueError):
    pass


def recover_signer(digest: bytes, signature: str) -> str:
    """Checksummed address that produced `signature` (0x-hex, 65 bytes) over `digest`."""
    try:
        raw = bytes.fromhex(signature[2:] if signature[:2] in ("0x", "0X") else signature)
    except ValueError:
        raise BadSignatureError("signature is not hex") from None
    if len(raw) != 65:
        raise BadSignatureError("signature must be 65 bytes")
    if int.from_bytes(raw[32:64], "big") > SECP256K1_N // 2:
        raise BadSignatureError("signature is not canonical: s is in the upper half (EIP-2)")
    v = raw[64]
    if v >= 27:
        v -= 27
    if v not in (0, 1):
        raise BadSignatureError("signature has an invalid v")
    if not 0 < int.from_bytes(raw[:32], "big") < SECP256K1_N or int.from_bytes(raw[32:64], "big") == 0:
        raise BadSignatureError("signature cannot be recovered")
    try:
        public = recover_public_key(raw[:64], v, digest)
    except ValueError:
        raise BadSignatureError("signature cannot be recovered") from None
    return to_checksum("0x" + keccak(public[1:])[-20:].hex())

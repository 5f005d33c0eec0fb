"""The EIP-712 typed receipt a shop backend signs for each paid order, and the refund it signs to
cancel one before minting.

Domain   EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)
         name "BlackGold Oracle", version "1", the chain id and the PurchaseMining address
         (GET /receipt-domain returns it).
Receipt  Receipt(string backend,string orderId,address consumer,address referrer,address supplier,
                 uint256 amount,string currency,uint64 paidAt,uint16 referrerBps)
Refund   Refund(string backend,bytes32 orderRef,string reason,uint64 refundedAt)

The on-chain order reference is `keccak256(abi.encode(string backend, string orderId))`: unique per
platform, and one backend cannot claim another backend's references.

Signing goes through eth-account (`encode_typed_data` + `Account.sign_message`); verification computes
the same digest directly (cheaper on the accept path) and recovers the signer with eth-keys. The two
are checked against each other in the tests.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_abi import encode as abi_encode
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_hash.auto import keccak
from eth_keys import keys
from eth_keys.exceptions import BadSignature, ValidationError as KeysValidationError

DOMAIN_NAME = "BlackGold Oracle"
DOMAIN_VERSION = "1"
ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"

DOMAIN_FIELDS = [
    {"name": "name", "type": "string"},
    {"name": "version", "type": "string"},
    {"name": "chainId", "type": "uint256"},
    {"name": "verifyingContract", "type": "address"},
]
RECEIPT_FIELDS = [
    {"name": "backend", "type": "string"},
    {"name": "orderId", "type": "string"},
    {"name": "consumer", "type": "address"},
    {"name": "referrer", "type": "address"},
    {"name": "supplier", "type": "address"},
    {"name": "amount", "type": "uint256"},
    {"name": "currency", "type": "string"},
    {"name": "paidAt", "type": "uint64"},
    {"name": "referrerBps", "type": "uint16"},
]
REFUND_FIELDS = [
    {"name": "backend", "type": "string"},
    {"name": "orderRef", "type": "bytes32"},
    {"name": "reason", "type": "string"},
    {"name": "refundedAt", "type": "uint64"},
]


def _type_string(name: str, fields: list[dict[str, str]]) -> bytes:
    return f"{name}({','.join(f['type'] + ' ' + f['name'] for f in fields)})".encode()


DOMAIN_TYPEHASH = keccak(_type_string("EIP712Domain", DOMAIN_FIELDS))
RECEIPT_TYPEHASH = keccak(_type_string("Receipt", RECEIPT_FIELDS))
REFUND_TYPEHASH = keccak(_type_string("Refund", REFUND_FIELDS))


def order_ref(backend: str, order_id: str) -> str:
    """The bytes32 order reference (0x-hex) the chain and the API use for (backend, orderId)."""
    return "0x" + keccak(abi_encode(["string", "string"], [backend, order_id])).hex()


@dataclass(frozen=True)
class Domain:
    chain_id: int
    verifying_contract: str
    name: str = DOMAIN_NAME
    version: str = DOMAIN_VERSION

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "version": self.version, "chainId": self.chain_id,
                "verifyingContract": self.verifying_contract}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Domain":
        return cls(chain_id=int(data["chainId"]), verifying_contract=data["verifyingContract"],
                   name=data.get("name", DOMAIN_NAME), version=data.get("version", DOMAIN_VERSION))

    def separator(self) -> bytes:
        cached = self.__dict__.get("_separator")  # frozen dataclass: computed once per domain
        if cached is None:
            cached = self._compute_separator()
            object.__setattr__(self, "_separator", cached)
        return cached

    def _compute_separator(self) -> bytes:
        return keccak(
            DOMAIN_TYPEHASH + keccak(self.name.encode()) + keccak(self.version.encode())
            + self.chain_id.to_bytes(32, "big") + _address_word(self.verifying_contract)
        )


@dataclass(frozen=True)
class Receipt:
    backend: str
    order_id: str
    consumer: str
    referrer: str
    supplier: str
    amount: int
    currency: str
    paid_at: int
    referrer_bps: int = 0

    @property
    def order_ref(self) -> str:
        return order_ref(self.backend, self.order_id)

    def message(self) -> dict[str, Any]:
        """The EIP-712 message (also the JSON body's `receipt` object)."""
        return {"backend": self.backend, "orderId": self.order_id, "consumer": self.consumer,
                "referrer": self.referrer, "supplier": self.supplier, "amount": self.amount,
                "currency": self.currency, "paidAt": self.paid_at, "referrerBps": self.referrer_bps}

    def struct_hash(self) -> bytes:
        return keccak(
            RECEIPT_TYPEHASH + keccak(self.backend.encode()) + keccak(self.order_id.encode())
            + _address_word(self.consumer) + _address_word(self.referrer) + _address_word(self.supplier)
            + self.amount.to_bytes(32, "big") + keccak(self.currency.encode())
            + self.paid_at.to_bytes(32, "big") + self.referrer_bps.to_bytes(32, "big")
        )

    def digest(self, domain: Domain) -> bytes:
        return keccak(b"\x19\x01" + domain.separator() + self.struct_hash())


@dataclass(frozen=True)
class Refund:
    backend: str
    order_ref: str
    reason: str
    refunded_at: int

    def message(self) -> dict[str, Any]:
        return {"backend": self.backend, "orderRef": self.order_ref, "reason": self.reason,
                "refundedAt": self.refunded_at}

    def struct_hash(self) -> bytes:
        return keccak(
            REFUND_TYPEHASH + keccak(self.backend.encode()) + bytes.fromhex(self.order_ref[2:])
            + keccak(self.reason.encode()) + self.refunded_at.to_bytes(32, "big")
        )

    def digest(self, domain: Domain) -> bytes:
        return keccak(b"\x19\x01" + domain.separator() + self.struct_hash())


def _address_word(address: str) -> bytes:
    return bytes(12) + bytes.fromhex(address[2:])


# ---------------------------------------------------------------------- signing (eth-account)
def typed_data(domain: Domain, primary: str, message: dict[str, Any]) -> dict[str, Any]:
    """The full EIP-712 JSON (as `eth_signTypedData_v4` wants it)."""
    fields = {"Receipt": RECEIPT_FIELDS, "Refund": REFUND_FIELDS}[primary]
    return {"types": {"EIP712Domain": DOMAIN_FIELDS, primary: fields}, "primaryType": primary,
            "domain": domain.as_dict(), "message": message}


def _signable(domain: Domain, primary: str, message: dict[str, Any]):
    fields = {"Receipt": RECEIPT_FIELDS, "Refund": REFUND_FIELDS}[primary]
    return encode_typed_data(domain_data=domain.as_dict(), message_types={primary: fields},
                             message_data=message)


def sign_receipt(receipt: Receipt, domain: Domain, private_key: Any) -> str:
    """0x-hex 65-byte signature of the receipt by `private_key`."""
    signed = Account.sign_message(_signable(domain, "Receipt", receipt.message()), private_key)
    return "0x" + bytes(signed.signature).hex()


def sign_refund(refund: Refund, domain: Domain, private_key: Any) -> str:
    signed = Account.sign_message(_signable(domain, "Refund", refund.message()), private_key)
    return "0x" + bytes(signed.signature).hex()


def eth_account_digest(domain: Domain, primary: str, message: dict[str, Any]) -> bytes:
    """The digest as eth-account computes it (used by tests to check `Receipt.digest`)."""
    signable = _signable(domain, primary, message)
    return keccak(b"\x19" + bytes(signable.version) + bytes(signable.header) + bytes(signable.body))


# ---------------------------------------------------------------------- recovery
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
    v = raw[64]
    if v >= 27:
        v -= 27
    if v not in (0, 1):
        raise BadSignatureError("signature has an invalid v")
    try:
        sig = keys.Signature(vrs=(v, int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:64], "big")))
        return sig.recover_public_key_from_msg_hash(digest).to_checksum_address()
    except (BadSignature, KeysValidationError, ValueError) as exc:
        raise BadSignatureError("signature cannot be recovered") from None

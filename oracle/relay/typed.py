"""The three relayed calls as EIP-712 typed data: what the holder signs, how the relay checks it, what it sends.

    delegate  BlackGold.delegateBySig(delegatee, nonce, expiry, v, r, s)          Delegation, token's domain
    vote      IssuanceGovernor.castVoteBySig(proposalId, support, voter, sig)     Ballot, governor's domain
              (with a reason: castVoteWithReasonAndParamsBySig(..., reason, "", sig), ExtendedBallot)
    claim     BlackGold.claimBySig(holder, asset, recipient, deadline, v, r, s)   Claim, token's domain

The token's nonces (`nonces(holder)`) are shared by delegation, claims and permits; the governor has its own.
Typed data goes to wallets with uint256 values as decimal strings (safe in JavaScript).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_account import Account
from eth_account.messages import encode_typed_data
from hexbytes import HexBytes
from web3.contract import Contract

KINDS = ("delegate", "vote", "claim")
SECP256K1_HALF_N = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0

DOMAIN_TYPE = [
    {"name": "name", "type": "string"},
    {"name": "version", "type": "string"},
    {"name": "chainId", "type": "uint256"},
    {"name": "verifyingContract", "type": "address"},
]
TYPES: dict[str, list[tuple[str, str]]] = {
    "Delegation": [("delegatee", "address"), ("nonce", "uint256"), ("expiry", "uint256")],
    "Ballot": [("proposalId", "uint256"), ("support", "uint8"), ("voter", "address"), ("nonce", "uint256")],
    "ExtendedBallot": [
        ("proposalId", "uint256"),
        ("support", "uint8"),
        ("voter", "address"),
        ("nonce", "uint256"),
        ("reason", "string"),
        ("params", "bytes"),
    ],
    "Claim": [
        ("holder", "address"),
        ("asset", "address"),
        ("recipient", "address"),
        ("nonce", "uint256"),
        ("deadline", "uint256"),
    ],
}


@dataclass(frozen=True)
class Domain:
    name: str
    version: str
    chain_id: int
    verifying_contract: str

    @classmethod
    def of(cls, contract: Contract) -> Domain:
        """The contract's own EIP-712 domain (ERC-5267 `eip712Domain()`)."""
        _fields, name, version, chain_id, verifying, _salt, _ext = contract.functions.eip712Domain().call()
        return cls(str(name), str(version), int(chain_id), str(verifying))

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "chainId": self.chain_id,
            "verifyingContract": self.verifying_contract,
        }


@dataclass(frozen=True)
class RelayCall:
    """One holder's signed call, checked field by field (oracle.relay.checks) and ready to encode."""

    kind: str
    holder: str
    domain: Domain
    primary_type: str
    message: dict[str, Any]  # the typed-data message, ints as ints
    signature: str  # 0x + 65 bytes, v in {27, 28}

    @property
    def contract(self) -> str:
        return self.domain.verifying_contract

    @property
    def nonce(self) -> int:
        return int(self.message["nonce"])

    def typed_data(self) -> dict[str, Any]:
        return typed_data(self.domain, self.primary_type, self.message)

    def function(self) -> tuple[str, list[Any]]:
        """(function name, arguments) of the contract call that carries this signature."""
        m, sig = self.message, HexBytes(self.signature)
        v, r, s = sig[64], sig[:32], sig[32:64]
        if self.primary_type == "Delegation":
            return "delegateBySig", [m["delegatee"], m["nonce"], m["expiry"], v, r, s]
        if self.primary_type == "Ballot":
            return "castVoteBySig", [m["proposalId"], m["support"], m["voter"], bytes(sig)]
        if self.primary_type == "ExtendedBallot":
            args = [m["proposalId"], m["support"], m["voter"], m["reason"], b"", bytes(sig)]
            return "castVoteWithReasonAndParamsBySig", args
        return "claimBySig", [m["holder"], m["asset"], m["recipient"], m["deadline"], v, r, s]

    def calldata(self, contract: Contract) -> str:
        name, args = self.function()
        return str(contract.encode_abi(name, args=args))


def typed_data(domain: Domain, primary_type: str, message: dict[str, Any]) -> dict[str, Any]:
    """EIP-712 typed data (the eth_signTypedData_v4 shape); uint values as decimal strings."""
    fields = TYPES[primary_type]
    out = {name: (str(message[name]) if t.startswith("uint") else message[name]) for name, t in fields}
    return {
        "types": {"EIP712Domain": DOMAIN_TYPE, primary_type: [{"name": n, "type": t} for n, t in fields]},
        "primaryType": primary_type,
        "domain": {**domain.as_dict(), "chainId": str(domain.chain_id)},
        "message": out,
    }


def normalize_signature(signature: str) -> tuple[str | None, str]:
    """(0x signature with v in {27, 28}, "") or (None, why it cannot be an Ethereum signature)."""
    sig = bytes.fromhex(signature[2:])
    v = sig[64] + 27 if sig[64] < 27 else sig[64]
    if v not in (27, 28):
        return None, "v must be 27 or 28 (or 0 or 1)"
    if int.from_bytes(sig[32:64], "big") > SECP256K1_HALF_N:
        return None, "high-s signature (EIP-2): the contracts refuse it"
    return "0x" + (sig[:64] + bytes([v])).hex(), ""


def signer_of(call: RelayCall) -> str | None:
    """The address that signed `call`'s typed data, or None when nothing can be recovered."""
    try:
        return str(Account.recover_message(encode_typed_data(full_message=call.typed_data()), signature=call.signature))
    except (ValueError, TypeError):
        return None

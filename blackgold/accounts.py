"""Who signs: a private key from the environment, an encrypted keystore file, or a node's unlocked account.

`resolve_signer(spec, w3)` turns what a person types after `--account` into a `Signer`:

    3                 index into the node's unlocked accounts (local Ganache: 0-19)
    0xAbC...          an unlocked account of the node, by address
    env:VAR           a hex private key in environment variable VAR (e.g. env:BG_PRIVATE_KEY)
    path/to/key.json  an encrypted Ethereum keystore; password from $BG_ACCOUNT_PASSWORD or asked for

Signers send transactions (`send`) and sign EIP-712 typed data (`sign_typed_data`, for signatures a relay
submits). A private key never appears in a repr, a log line or an error message.
"""

from __future__ import annotations

import getpass
import json
import os
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any

from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress
from hexbytes import HexBytes
from web3 import Web3
from web3.types import RPCEndpoint, TxParams

from .errors import BlackGoldError

PASSWORD_ENV = "BG_ACCOUNT_PASSWORD"


class Signer(ABC):
    """Something that can send a transaction and sign typed data as `address`."""

    address: ChecksumAddress

    @abstractmethod
    def send(self, w3: Web3, tx: TxParams) -> HexBytes:
        """Send a built transaction (gas and fees filled in); returns its hash."""

    @abstractmethod
    def sign_typed_data(self, w3: Web3, typed_data: dict[str, Any]) -> HexBytes:
        """An EIP-712 signature (65 bytes r||s||v) over `typed_data` (domain, types, primaryType, message)."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.address})"


class KeySigner(Signer):
    """Signs locally with a private key (from the environment or a decrypted keystore)."""

    def __init__(self, account: LocalAccount) -> None:
        self._account = account
        self.address = account.address

    @classmethod
    def from_key(cls, key: str | bytes) -> KeySigner:
        try:
            return cls(Account.from_key(key))
        except (ValueError, TypeError):
            raise BlackGoldError("the private key is not a valid 32-byte hex key") from None

    def send(self, w3: Web3, tx: TxParams) -> HexBytes:
        tx = dict(tx)  # type: ignore[assignment]
        tx.setdefault("nonce", w3.eth.get_transaction_count(self.address, "pending"))
        tx.setdefault("chainId", w3.eth.chain_id)
        signed = self._account.sign_transaction(tx)  # type: ignore[arg-type]
        return w3.eth.send_raw_transaction(signed.raw_transaction)

    def sign_typed_data(self, w3: Web3, typed_data: dict[str, Any]) -> HexBytes:
        signed = self._account.sign_message(encode_typed_data(full_message=typed_data))
        return HexBytes(signed.signature)


class NodeSigner(Signer):
    """An account the node unlocks (Ganache/anvil dev accounts): the node signs."""

    def __init__(self, address: str) -> None:
        self.address = Web3.to_checksum_address(address)

    def send(self, w3: Web3, tx: TxParams) -> HexBytes:
        return w3.eth.send_transaction(tx)

    def sign_typed_data(self, w3: Web3, typed_data: dict[str, Any]) -> HexBytes:
        result = w3.provider.make_request(RPCEndpoint("eth_signTypedData_v4"), [self.address, json.dumps(typed_data)])
        if "error" in result:
            raise BlackGoldError(f"the node refused to sign typed data for {self.address}: {result['error']}")
        return HexBytes(result["result"])


def resolve_signer(spec: str | None, w3: Web3) -> Signer:
    """--account SPEC -> Signer (see the module docstring for the forms)."""
    if spec is None or not str(spec).strip():
        raise BlackGoldError(
            "choose an account with --account (index, address, env:VAR or keystore file) or $BG_ACCOUNT"
        )
    spec = str(spec).strip()
    if spec.isdigit():
        unlocked = w3.eth.accounts
        index = int(spec)
        if index >= len(unlocked):
            raise BlackGoldError(
                f"account index {index} is out of range: this node unlocks {len(unlocked)} accounts"
                + (f" (0-{len(unlocked) - 1})" if unlocked else "; use env:VAR or a keystore file")
            )
        return NodeSigner(unlocked[index])
    if spec.startswith("env:"):
        name = spec[4:]
        value = os.environ.get(name, "").strip()
        if not value:
            raise BlackGoldError(f"environment variable {name} is empty: put the hex private key there")
        return KeySigner.from_key(value)
    if spec.startswith("0x") and len(spec) == 42:
        if not Web3.is_address(spec):
            raise BlackGoldError(f"{spec!r} is not an address")
        if spec.lower() not in {a.lower() for a in w3.eth.accounts}:
            raise BlackGoldError(f"address {spec} is not unlocked on this node: use env:VAR or a keystore file")
        return NodeSigner(spec)
    return _keystore_signer(Path(spec))


def _keystore_signer(path: Path) -> KeySigner:
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise BlackGoldError(
            f"--account {path}: no such keystore file (or give an index, an address or env:VAR)"
        ) from None
    except (OSError, ValueError) as exc:
        raise BlackGoldError(f"keystore {path} is not readable JSON ({exc})") from None
    password = os.environ.get(PASSWORD_ENV)
    if password is None:
        password = getpass.getpass(f"password for {path}: ")
    try:
        return KeySigner.from_key(Account.decrypt(data, password))
    except ValueError:
        raise BlackGoldError(f"cannot decrypt keystore {path}: wrong password (${PASSWORD_ENV})") from None

"""The exceptions a user can act on, and decoding of reverts into the contracts' custom errors.

Every failure a person can fix derives from `BlackGoldError`: the CLI prints it as one line starting with
"error:", a service maps it to a 4xx. Anything else is a bug and keeps its traceback.

`RevertDecoder` turns the revert data of a failed call, gas estimate or transaction into the custom error it
encodes (`CapExceeded(requested, remaining)`), from the ABIs of the deployment: the contracts revert with
contract-prefixed custom errors, so the name alone usually says what happened.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from eth_abi.abi import decode as abi_decode
from eth_abi.exceptions import DecodingError
from eth_hash.auto import keccak


class BlackGoldError(Exception):
    """A failure the user can fix; its message says what was wrong and what to do."""


class DeploymentError(BlackGoldError):
    """The deployment file is missing, unreadable, or does not match the connected chain."""


class ChainUnavailable(BlackGoldError):
    """The RPC endpoint cannot be reached or did not answer."""


class TransactionReverted(BlackGoldError):
    """A call, gas estimate or transaction reverted; `name` and `args` are the decoded custom error."""

    def __init__(self, name: str, args: tuple[Any, ...] = (), raw: str = "", hint: str = "") -> None:
        text = f"transaction reverted ({name}{_format_args(args)})"
        super().__init__(f"{text}: {hint}" if hint else text)
        self.name = name
        self.error_args = args
        self.raw = raw


def _format_args(args: tuple[Any, ...]) -> str:
    return "(" + ", ".join(str(a) for a in args) + ")" if args else ""


def _abi_type(inp: Mapping[str, Any]) -> str:
    kind = str(inp["type"])
    if kind.startswith("tuple"):
        return "(" + ",".join(_abi_type(c) for c in inp["components"]) + ")" + kind[5:]
    return kind


def _revert_data(value: object) -> str | None:
    """Find revert data (0x + selector...) in what web3.py or a node put into an exception."""
    if isinstance(value, (bytes, bytearray)):
        return "0x" + bytes(value).hex()
    if isinstance(value, str):
        return value if value.startswith("0x") and len(value) >= 10 else None
    if isinstance(value, Mapping):
        for key in ("data", "result"):
            found = _revert_data(value.get(key))
            if found:
                return found
        for inner in value.values():  # Ganache: {"0xtxhash": {"return": "0x..."}}
            if isinstance(inner, Mapping):
                found = _revert_data(inner.get("return")) or _revert_data(inner.get("data"))
                if found:
                    return found
    return None


class RevertDecoder:
    """Selector -> (name, argument types) for every custom error in the given ABIs, plus Error and Panic."""

    def __init__(self, abis: Iterable[Sequence[Mapping[str, Any]]] = ()) -> None:
        self._errors: dict[bytes, tuple[str, list[str]]] = {
            keccak(b"Error(string)")[:4]: ("Error", ["string"]),
            keccak(b"Panic(uint256)")[:4]: ("Panic", ["uint256"]),
        }
        for abi in abis:
            for item in abi:
                if item.get("type") == "error":
                    types = [_abi_type(i) for i in item.get("inputs", [])]
                    signature = f"{item['name']}({','.join(types)})"
                    self._errors[keccak(signature.encode())[:4]] = (str(item["name"]), types)

    def decode_data(self, data: str) -> TransactionReverted:
        """Revert data (0x...) -> TransactionReverted with the error's name and decoded arguments."""
        try:
            raw = bytes.fromhex(data[2:])
        except ValueError:
            return TransactionReverted("UnknownError", (data,), data)
        entry = self._errors.get(raw[:4])
        if entry is None:
            return TransactionReverted("UnknownError", (data,), data)
        name, types = entry
        try:
            args = tuple(abi_decode(types, raw[4:]))
        except (DecodingError, ValueError, OverflowError):  # malformed arguments: the name is still worth reporting
            args = ()
        return TransactionReverted(name, args, data)

    def decode(self, exc: BaseException) -> TransactionReverted:
        """The revert an exception from web3.py (or the node) carries; `Revert(message)` if it has no data."""
        data = _revert_data(getattr(exc, "data", None))
        for arg in () if data else exc.args:
            data = _revert_data(arg)
            if data:
                break
        if data:
            return self.decode_data(data)
        message = str(getattr(exc, "message", "") or exc).splitlines()[0] if str(exc) else type(exc).__name__
        return TransactionReverted("Revert", (message,), "")

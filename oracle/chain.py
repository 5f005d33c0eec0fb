"""The chain side, through web3.py: PurchaseMining's ABI from Brownie's build artifacts (or the
deployment file), EIP-1559 fees, nonces, signing, sending, receipts, confirmations, events and revert
decoding. No policy here: the batcher decides what to do with the answers.

Every RPC failure (connection refused, timeout, HTTP error) surfaces as `ChainUnavailable`; a revert
as `Reverted(name, args)` decoded from the contract's custom errors.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Optional

import requests
from eth_abi import decode as abi_decode
from eth_account import Account
from eth_hash.auto import keccak
from hexbytes import HexBytes
from web3 import Web3
from web3.exceptions import (ContractCustomError, ContractLogicError, ContractPanicError, TransactionNotFound,
                             Web3Exception, Web3RPCError)
from web3.logs import DISCARD

from .config import ConfigError, Settings, SigningKey
from .store import MintedFacts

GWEI = 10**9


class ChainUnavailable(Exception):
    """The RPC endpoint cannot be reached or did not answer."""


class Reverted(Exception):
    """A call or gas estimate reverted with a (decoded) custom error."""

    def __init__(self, name: str, args: tuple, raw: str = "") -> None:
        super().__init__(f"{name}{args}")
        self.name = name
        self.args_ = args
        self.raw = raw


@dataclass(frozen=True)
class SignedBatch:
    raw_tx: str
    tx_hash: str
    nonce: int
    gas: int
    max_fee_per_gas: int
    max_priority_fee_per_gas: int


def load_abi(settings: Settings) -> list[dict[str, Any]]:
    """PurchaseMining's ABI: the deployment file's `abi.PurchaseMining` if present, else Brownie's build
    artifact build/contracts/PurchaseMining.json, else the interface IPurchaseMining.json."""
    dep = settings.deployment()
    abi = (dep.get("abi") or {}).get("PurchaseMining") if isinstance(dep.get("abi"), dict) else None
    if abi:
        return abi
    build = Path(settings.build_dir)
    for name in ("contracts/PurchaseMining.json", "interfaces/IPurchaseMining.json", "contracts/IPurchaseMining.json"):
        path = build / name
        if path.exists():
            return json.loads(path.read_text())["abi"]
    raise ConfigError(f"no PurchaseMining ABI: run `brownie compile` (looked in {build})")


def _error_selectors(abi: list[dict[str, Any]]) -> dict[bytes, tuple[str, list[str]]]:
    out: dict[bytes, tuple[str, list[str]]] = {}
    for item in abi:
        if item.get("type") == "error":
            types = [_abi_type(i) for i in item.get("inputs", [])]
            sig = f"{item['name']}({','.join(types)})"
            out[keccak(sig.encode())[:4]] = (item["name"], types)
    out[keccak(b"Error(string)")[:4]] = ("Error", ["string"])
    out[keccak(b"Panic(uint256)")[:4]] = ("Panic", ["uint256"])
    return out


def _abi_type(inp: dict[str, Any]) -> str:
    t = inp["type"]
    if t.startswith("tuple"):
        return "(" + ",".join(_abi_type(c) for c in inp["components"]) + ")" + t[5:]
    return t


class Chain:
    def __init__(self, rpc_url: str, mining_address: str, abi: list[dict[str, Any]], key: Optional[SigningKey] = None,
                 timeout: float = 10.0, from_block: int = 0) -> None:
        provider = Web3.HTTPProvider(rpc_url, request_kwargs={"timeout": timeout}, exception_retry_configuration=None)
        self.w3 = Web3(provider)
        self.rpc_url = rpc_url
        self.address = Web3.to_checksum_address(mining_address)
        self.contract = self.w3.eth.contract(address=self.address, abi=abi)
        self.key = key
        self.from_block = from_block
        self._errors = _error_selectors(abi)
        self._chain_id: Optional[int] = None

    @classmethod
    def from_settings(cls, settings: Settings, key: Optional[SigningKey]) -> "Chain":
        from_block = settings.from_block
        if from_block < 0:
            dep = settings.deployment()
            blocks = dep.get("blocks") if isinstance(dep.get("blocks"), dict) else {}
            from_block = int(blocks.get("PurchaseMining") or dep.get("deployed_at_block") or 0)
        return cls(settings.rpc_url, settings.resolved_mining_address(), load_abi(settings), key,
                   settings.rpc_timeout_seconds, from_block)

    # ------------------------------------------------------------------ plumbing
    def _call(self, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (requests.exceptions.RequestException, ConnectionError, OSError) as exc:
            raise ChainUnavailable(f"{type(exc).__name__}: RPC {self.rpc_url} unreachable") from None
        except (ContractCustomError, ContractLogicError, ContractPanicError) as exc:
            raise self._decode(exc) from None

    def _decode(self, exc: Exception) -> Reverted:
        data = _revert_data(getattr(exc, "data", None))
        if data is None:  # Ganache puts it in the error's data: {"result": "0x...", "reason": ...}
            for arg in exc.args:
                data = _revert_data(arg)
                if data is not None:
                    break
        if isinstance(data, (bytes, bytearray)):
            data = "0x" + bytes(data).hex()
        if isinstance(data, str) and data.startswith("0x") and len(data) >= 10:
            try:
                raw = bytes.fromhex(data[2:])
            except ValueError:
                raw = b""
            entry = self._errors.get(raw[:4])
            if entry:
                name, types = entry
                try:
                    args = tuple(abi_decode(types, raw[4:]))
                except Exception:
                    args = ()
                return Reverted(name, args, data)
            return Reverted("UnknownError", (data,), data)
        return Reverted("Revert", (str(exc),), "")

    # ------------------------------------------------------------------ reads
    def chain_id(self) -> int:
        if self._chain_id is None:
            self._chain_id = self._call(lambda: self.w3.eth.chain_id)
        return self._chain_id

    def block_number(self) -> int:
        return self._call(lambda: self.w3.eth.block_number)

    def balance(self, address: str) -> int:
        return self._call(self.w3.eth.get_balance, address)

    def is_mined(self, ref: str) -> bool:
        return self._call(self.contract.functions.isMined(HexBytes(ref)).call)

    def quote(self, amount: int, has_referrer: bool, referrer_bps: int) -> tuple[int, int, int, int]:
        return tuple(self._call(self.contract.functions.quote(amount, has_referrer, referrer_bps).call))

    def daily_remaining(self) -> int:
        return self._call(self.contract.functions.dailyRemaining().call)

    def max_referrer_bps(self) -> int:
        return self._call(self.contract.functions.maxReferrerBps().call)

    def nonce(self, block: str = "pending") -> int:
        if self.key is None:
            raise ConfigError("no oracle signing key configured")
        return self._call(self.w3.eth.get_transaction_count, self.key.address, block)

    def fees(self, max_priority_wei: int, max_fee_cap_wei: int) -> tuple[int, int]:
        """(maxFeePerGas, maxPriorityFeePerGas): twice the latest base fee plus the tip, capped."""
        block = self._call(self.w3.eth.get_block, "latest")
        base = int(block.get("baseFeePerGas") or 0)
        priority = min(max_priority_wei, max_fee_cap_wei)
        return min(2 * base + priority, max_fee_cap_wei), priority

    # ------------------------------------------------------------------ batches
    @staticmethod
    def purchase_tuple(p: Any) -> tuple:
        return (HexBytes(p.ref), p.consumer, p.referrer, p.supplier, int(p.amount), int(p.referrer_bps))

    def estimate_batch(self, purchases: list[Any]) -> int:
        """Gas for mintBatch(purchases); raises Reverted with the decoded error if it would revert."""
        fn = self.contract.functions.mintBatch([self.purchase_tuple(p) for p in purchases])
        return self._call(fn.estimate_gas, {"from": self.key.address})

    def sign_batch(self, purchases: list[Any], nonce: int, gas: int, max_fee: int, priority: int) -> SignedBatch:
        fn = self.contract.functions.mintBatch([self.purchase_tuple(p) for p in purchases])
        tx = fn.build_transaction({"from": self.key.address, "nonce": nonce, "gas": gas, "maxFeePerGas": max_fee,
                                   "maxPriorityFeePerGas": priority, "chainId": self.chain_id(), "type": 2})
        signed = Account.sign_transaction(tx, self.key.key)
        return SignedBatch(raw_tx="0x" + bytes(signed.raw_transaction).hex(), tx_hash="0x" + bytes(signed.hash).hex(),
                           nonce=nonce, gas=gas, max_fee_per_gas=max_fee, max_priority_fee_per_gas=priority)

    def send_raw(self, raw_tx: str) -> None:
        """Broadcast; a node that already has this exact transaction is fine."""
        try:
            self._call(self.w3.eth.send_raw_transaction, HexBytes(raw_tx))
        except Web3RPCError as exc:
            msg = str(exc).lower()
            if "already known" in msg or "known transaction" in msg or "already imported" in msg:
                return
            raise

    def receipt(self, tx_hash: str) -> Optional[dict[str, Any]]:
        try:
            return self._call(self.w3.eth.get_transaction_receipt, tx_hash)
        except TransactionNotFound:
            return None

    def transaction(self, tx_hash: str) -> Optional[dict[str, Any]]:
        try:
            return self._call(self.w3.eth.get_transaction, tx_hash)
        except TransactionNotFound:
            return None

    def confirmations(self, receipt: dict[str, Any]) -> int:
        return self.block_number() - int(receipt["blockNumber"]) + 1

    def events(self, receipt: dict[str, Any]) -> tuple[dict[str, MintedFacts], set[str]]:
        """(PurchaseMined facts by ref, refs skipped as already mined) in a receipt."""
        tx_hash = "0x" + bytes(receipt["transactionHash"]).hex()
        mined: dict[str, MintedFacts] = {}
        for ev in self.contract.events.PurchaseMined().process_receipt(receipt, errors=DISCARD):
            mined["0x" + bytes(ev["args"]["orderRef"]).hex()] = _facts(ev, tx_hash)
        skipped = {"0x" + bytes(ev["args"]["orderRef"]).hex()
                   for ev in self.contract.events.PurchaseSkipped().process_receipt(receipt, errors=DISCARD)}
        return mined, skipped

    def find_mined(self, ref: str) -> Optional[MintedFacts]:
        """The PurchaseMined event of `ref`, wherever it is (reconciliation)."""
        logs = self._call(self.contract.events.PurchaseMined.get_logs, from_block=self.from_block,
                          to_block="latest", argument_filters={"orderRef": HexBytes(ref)})
        for ev in logs:
            return _facts(ev, "0x" + bytes(ev["transactionHash"]).hex())
        return None

    def count_mined_events(self, refs: Optional[Iterable[str]] = None) -> dict[str, int]:
        """How many PurchaseMined events each ref has (tests and audits: exactly once means 1)."""
        logs = self._call(self.contract.events.PurchaseMined.get_logs, from_block=self.from_block, to_block="latest")
        counts: dict[str, int] = {}
        for ev in logs:
            r = "0x" + bytes(ev["args"]["orderRef"]).hex()
            counts[r] = counts.get(r, 0) + 1
        if refs is not None:
            return {r: counts.get(r, 0) for r in refs}
        return counts


def _revert_data(value: Any, depth: int = 0) -> Any:
    if isinstance(value, (bytes, bytearray)):
        return "0x" + bytes(value).hex()
    if isinstance(value, str):
        return value if value.startswith("0x") and len(value) >= 10 else None
    if isinstance(value, dict) and depth < 4:
        for key in ("data", "result"):
            found = _revert_data(value.get(key), depth + 1)
            if found is not None:
                return found
    return None


def _facts(ev: Any, tx_hash: str) -> MintedFacts:
    a = ev["args"]
    return MintedFacts(tx_hash=tx_hash, block_number=int(ev["blockNumber"]), consumer_grams=int(a["consumerGrams"]),
                       referrer_grams=int(a["referrerGrams"]), supplier_grams=int(a["supplierGrams"]),
                       platform_grams=int(a["platformGrams"]), rate=int(a["rate"]))


__all__ = ["Chain", "ChainUnavailable", "Reverted", "SignedBatch", "load_abi", "GWEI", "Web3Exception"]

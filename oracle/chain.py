"""The chain side, through web3.py: PurchaseMining's ABI (from the deployment file, else the build artifact),
EIP-1559 fees, nonces, signing, sending, receipts, confirmations and events. No policy here: the batcher decides
what to do with the answers.

Every RPC failure (connection refused, timeout, HTTP error) surfaces as blackgold's `ChainUnavailable`; a revert
as blackgold's `TransactionReverted(name, args)`, decoded by `RevertDecoder` from the contract's custom errors.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

import requests
from eth_account import Account
from eth_typing import ABI
from hexbytes import HexBytes
from web3 import Web3
from web3.exceptions import (
    ContractCustomError,
    ContractLogicError,
    ContractPanicError,
    TransactionNotFound,
    Web3Exception,
    Web3RPCError,
)
from web3.types import Nonce, RPCEndpoint, TxParams, Wei

from blackgold.deployment import artifact_abi
from blackgold.errors import ChainUnavailable, DeploymentError, RevertDecoder, TransactionReverted
from blackgold.redact import redact_url

from .codec import BatchCodec
from .config import ConfigError, Settings, SigningKey
from .models import MintedFacts
from .verification import CeilingFacts

GWEI = 10**9
T = TypeVar("T")

__all__ = ["GWEI", "Chain", "ChainUnavailable", "SignedBatch", "TransactionReverted", "load_abi"]


#: What nodes answer to a resend of a transaction they already have.
RECEIPT_INTS = (
    "status",
    "blockNumber",
    "gasUsed",
    "cumulativeGasUsed",
    "effectiveGasPrice",
    "transactionIndex",
    "type",
)
KNOWN_TX_MESSAGES = ("already known", "known transaction", "already imported")


class PurchaseLike(Protocol):
    """What a batch needs of a purchase (a store row)."""

    ref: str
    consumer: str
    referrer: str
    supplier: str
    amount: int
    referrer_bps: int


@dataclass(frozen=True)
class SignedBatch:
    raw_tx: str
    tx_hash: str
    nonce: int
    gas: int
    max_fee_per_gas: int
    max_priority_fee_per_gas: int


def load_abi(settings: Settings) -> ABI:
    """PurchaseMining's ABI: the deployment file's `abi.PurchaseMining`, else the build artifact in build_dir."""
    deployment = settings.deployment()
    abi = deployment.abis.get("PurchaseMining") if deployment is not None else None
    if abi:
        return abi
    try:
        return artifact_abi("PurchaseMining", Path(settings.build_dir))
    except DeploymentError as exc:
        raise ConfigError(
            f"no PurchaseMining ABI in {settings.deployment_path()} nor the build folder: {exc}; "
            "redeploy (scripts/deploy.py embeds ABIs) or run `brownie compile`"
        ) from None


class Chain:
    def __init__(
        self,
        rpc_url: str,
        mining_address: str,
        abi: ABI,
        key: SigningKey | None = None,
        timeout: float = 10.0,
        from_block: int = 0,
        log_window: int = 2000,
    ) -> None:
        provider = Web3.HTTPProvider(rpc_url, request_kwargs={"timeout": timeout}, exception_retry_configuration=None)
        self.w3 = Web3(provider)
        self.rpc_url = rpc_url
        self.address = Web3.to_checksum_address(mining_address)
        self.contract = self.w3.eth.contract(address=self.address, abi=abi)
        self.key = key
        self.from_block = from_block
        self.log_window = max(1, log_window)  # the widest eth_getLogs block range ever asked
        self._decoder = RevertDecoder([abi])
        self._chain_id: int | None = None
        self.codec = BatchCodec(abi, self.address)  # the hot path's ABI work (oracle/codec.py)

    @classmethod
    def from_settings(cls, settings: Settings, key: SigningKey | None) -> Chain:
        from_block = settings.from_block
        if from_block < 0:
            deployment = settings.deployment()
            from_block = deployment.block("PurchaseMining") if deployment is not None else 0
        return cls(
            settings.rpc_url,
            settings.resolved_mining_address(),
            load_abi(settings),
            key,
            settings.rpc_timeout_seconds,
            from_block,
            settings.log_window_blocks,
        )

    def with_timeout(self, timeout: float) -> Chain:
        """The same endpoint and contract with another timeout (for /health: answer quickly)."""
        return Chain(self.rpc_url, self.address, self.contract.abi, None, timeout, self.from_block, self.log_window)

    # ------------------------------------------------------------------ plumbing
    def _call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        try:
            return fn(*args, **kwargs)
        except (requests.exceptions.RequestException, ConnectionError, OSError) as exc:
            raise ChainUnavailable(f"{type(exc).__name__}: RPC {redact_url(self.rpc_url)} unreachable") from None
        except (ContractCustomError, ContractLogicError, ContractPanicError) as exc:
            raise self._decoder.decode(exc) from None

    # ------------------------------------------------------------------ reads
    def chain_id(self) -> int:
        if self._chain_id is None:
            self._chain_id = int(self._call(lambda: self.w3.eth.chain_id))
        return self._chain_id

    def block_number(self) -> int:
        return int(self._call(lambda: self.w3.eth.block_number))

    def balance(self, address: str) -> int:
        return int(self._call(self.w3.eth.get_balance, Web3.to_checksum_address(address)))

    def is_mined(self, ref: str) -> bool:
        return bool(self._call(self.contract.functions.isMined(HexBytes(ref)).call))

    def max_referrer_bps(self) -> int:
        return int(self._call(self.contract.functions.maxReferrerBps().call))

    def daily_ceiling(self) -> int:
        """The daily ceiling bucket's capacity (grams-wei); it refills at this amount per day."""
        return int(self._call(self.contract.functions.dailyCeiling().call))

    def ceiling_facts(self) -> CeilingFacts:
        """What the accept path needs to refuse a purchase that can never fit the daily ceiling."""
        split = self._call(self.contract.functions.split().call)
        rate = int(self._call(self.contract.functions.currentRate().call))
        return CeilingFacts(ceiling=self.daily_ceiling(), rate=rate, referrer_bps=int(split[1]))

    def _signer(self) -> SigningKey:
        if self.key is None:
            raise ConfigError("no oracle signing key configured")
        return self.key

    def nonce(self, block: str = "pending", address: str | None = None) -> int:
        """The transaction count of `address` (default: our key's) at `block` ("pending" / "latest")."""
        who = Web3.to_checksum_address(address or self._signer().address)
        return int(self._call(self.w3.eth.get_transaction_count, who, block))  # type: ignore[arg-type]

    def fees(self, max_priority_wei: int, max_fee_cap_wei: int) -> tuple[int, int]:
        """(maxFeePerGas, maxPriorityFeePerGas): twice the latest base fee plus the tip, capped."""
        block = self._call(self.w3.eth.get_block, "latest")
        base = int(block.get("baseFeePerGas") or 0)
        priority = min(max_priority_wei, max_fee_cap_wei)
        return min(2 * base + priority, max_fee_cap_wei), priority

    # ------------------------------------------------------------------ batches
    @staticmethod
    def purchase_tuple(p: PurchaseLike) -> tuple[HexBytes, str, str, str, int, int]:
        return (HexBytes(p.ref), p.consumer, p.referrer, p.supplier, int(p.amount), int(p.referrer_bps))

    def estimate_batch(self, purchases: Sequence[PurchaseLike]) -> int:
        """Gas for mintBatch(purchases); raises TransactionReverted with the decoded error if it would revert."""
        fn = self.contract.functions.mintBatch([self.purchase_tuple(p) for p in purchases])
        return int(self._call(fn.estimate_gas, {"from": self._signer().address}))

    def call_batch(self, purchases: Sequence[PurchaseLike], block: int | str = "latest") -> None:
        """eth_call of mintBatch(purchases) from the signing key: returns if it would succeed, else raises
        TransactionReverted with the decoded error (after a batch failed on chain: why)."""
        fn = self.contract.functions.mintBatch([self.purchase_tuple(p) for p in purchases])
        self._call(fn.call, {"from": self._signer().address}, block)

    def gas_facts(self) -> tuple[str | None, int]:
        """(PurchaseMining's platform address, how many payout assets the token streams): the gas model's inputs.
        A token without dividends (no `payoutAssets()`) counts 0."""
        platform = str(self._call(self.contract.functions.platform().call))
        token = str(self._call(self.contract.functions.token().call))
        selector = HexBytes(Web3.keccak(text="payoutAssets()")[:4])
        try:
            out = bytes(self._call(self.w3.eth.call, {"to": Web3.to_checksum_address(token), "data": selector}))
        except (TransactionReverted, Web3Exception):
            return platform, 0
        return platform, int.from_bytes(out[32:64], "big") if len(out) >= 64 else 0

    def sign_batch(
        self, purchases: Sequence[PurchaseLike], nonce: int, gas: int, max_fee: int, priority: int
    ) -> SignedBatch:
        """Sign (not send) a mintBatch of `purchases`: the same EIP-1559 signing as every call (`sign_call`)."""
        return self.sign_call(self.address, self.encode_batch(purchases), nonce, gas, max_fee, priority)

    def encode_batch(self, purchases: Sequence[PurchaseLike]) -> str:
        """The calldata of mintBatch(purchases), encoded by eth-abi."""
        return self.codec.encode([self.purchase_tuple(p) for p in purchases])

    def send_raw(self, raw_tx: str) -> None:
        """Broadcast, unless the node already has this exact transaction (pending or mined): Ganache 7 gives no
        error for an identical resend, it executes the same bytes a second time. A node that refuses the resend
        (geth's "already known", ...) while it knows the transaction's hash is a success too."""
        tx_hash = "0x" + bytes(Web3.keccak(HexBytes(raw_tx))).hex()
        if self.transaction(tx_hash) is not None:
            return
        try:
            self._call(self.w3.eth.send_raw_transaction, HexBytes(raw_tx))
        except Web3RPCError as exc:
            msg = str(exc).lower()
            if any(known in msg for known in KNOWN_TX_MESSAGES):
                return
            if self.receipt(tx_hash) is not None or self.transaction(tx_hash) is not None:
                return
            raise

    def receipt(self, tx_hash: str) -> dict[str, Any] | None:
        """The transaction's receipt, or None. Asked without web3's result formatters (they cost about 90 ms on a
        100-purchase batch's 500 logs): the numbers and hashes the oracle reads are converted here (`status`,
        `blockNumber`, `gasUsed`: int; `transactionHash`, `blockHash`: HexBytes); the logs stay as the node sent
        them (hex strings), which `events` reads."""
        answer = self._call(self.w3.provider.make_request, RPCEndpoint("eth_getTransactionReceipt"), [tx_hash])
        if "error" in answer:
            raise Web3RPCError(str(answer["error"]))
        raw = answer.get("result")
        if raw is None:
            return None
        out = dict(raw)
        for key in RECEIPT_INTS:
            if out.get(key) is not None:
                out[key] = _int(out[key])
        for key in ("transactionHash", "blockHash"):
            if out.get(key) is not None:
                out[key] = HexBytes(out[key])
        return out

    def transaction(self, tx_hash: str) -> dict[str, Any] | None:
        try:
            return dict(self._call(self.w3.eth.get_transaction, HexBytes(tx_hash)))
        except TransactionNotFound:
            return None

    def confirmations(self, receipt: dict[str, Any]) -> int:
        return self.block_number() - int(receipt["blockNumber"]) + 1

    def events(self, receipt: dict[str, Any]) -> tuple[dict[str, MintedFacts], set[str]]:
        """(PurchaseMined facts by ref, refs skipped as already mined) in a receipt: only PurchaseMining's logs with
        one of the two topics are decoded (the token's Transfer logs are most of a receipt)."""
        tx_hash = "0x" + bytes(receipt["transactionHash"]).hex()
        mined: dict[str, MintedFacts] = {}
        skipped: set[str] = set()
        for name, args, log in self.codec.logs(receipt):
            ref = "0x" + bytes(args["orderRef"]).hex()
            if name == "PurchaseMined":
                mined[ref] = _facts(args, _int(log["blockNumber"]), tx_hash)
            else:
                skipped.add(ref)
        return mined, skipped

    def _logs_between(self, ref: str | None, first: int, last: int) -> list[Any]:
        """PurchaseMined logs (of `ref`, or all) in blocks first..last, which is at most `log_window` blocks."""
        filters = {"orderRef": HexBytes(ref)} if ref is not None else None
        return list(
            self._call(
                self.contract.events.PurchaseMined.get_logs,
                from_block=first,
                to_block=last,
                argument_filters=filters,
            )
        )

    def _windows(self, start: int, latest: int) -> Iterable[tuple[int, int]]:
        """Block ranges of at most `log_window` blocks: forward from `start` to `latest`, then backward from
        `start - 1` to `from_block` (the purchase is most likely near `start`)."""
        w = self.log_window
        start = min(max(start, self.from_block), latest)
        for first in range(start, latest + 1, w):
            yield first, min(first + w - 1, latest)
        for last in range(start - 1, self.from_block - 1, -w):
            yield max(last - w + 1, self.from_block), last

    def _mined_logs(self, ref: str | None = None) -> list[Any]:
        latest = self.block_number()
        return [
            ev for first, last in self._windows(self.from_block, latest) for ev in self._logs_between(ref, first, last)
        ]

    def find_mined(self, ref: str, near_block: int | None = None) -> MintedFacts | None:
        """The PurchaseMined event of `ref` (reconciliation), scanned in windows of `log_window` blocks outward from
        `near_block` (a batch's send block; default: the latest block) down to the deployment block."""
        latest = self.block_number()
        for first, last in self._windows(latest if near_block is None else near_block, latest):
            for ev in self._logs_between(ref, first, last):
                return _facts(ev["args"], int(ev["blockNumber"]), "0x" + bytes(ev["transactionHash"]).hex())
        return None

    def count_mined_events(self, refs: Iterable[str] | None = None) -> dict[str, int]:
        """How many PurchaseMined events each ref has (tests and audits: exactly once means 1)."""
        counts: dict[str, int] = {}
        for ev in self._mined_logs():
            r = "0x" + bytes(ev["args"]["orderRef"]).hex()
            counts[r] = counts.get(r, 0) + 1
        if refs is not None:
            return {r: counts.get(r, 0) for r in refs}
        return counts

    # ------------------------------------------------------------------ any call (the relay; later the batcher)
    def _guarded(self, decoder: RevertDecoder | None, fn: Callable[..., T], *args: Any) -> T:
        """`_call`, with reverts decoded by `decoder` (other contracts' ABIs) instead of PurchaseMining's."""
        try:
            return self._call(fn, *args)
        except TransactionReverted as exc:
            if decoder is None or not exc.raw:
                raise
            raise decoder.decode_data(exc.raw) from None
        except Web3RPCError as exc:
            if decoder is None or "revert" not in str(exc).lower():
                raise
            raise decoder.decode(exc) from None

    def estimate_call(self, to: str, data: str, decoder: RevertDecoder | None = None) -> int:
        """Gas for calling `to` with `data` from the signing key (a simulation: TransactionReverted if it reverts)."""
        tx: TxParams = {"from": Web3.to_checksum_address(self._signer().address), "to": Web3.to_checksum_address(to)}
        tx["data"] = HexBytes(data)
        return int(self._guarded(decoder, self.w3.eth.estimate_gas, tx))

    def sign_call(self, to: str, data: str, nonce: int, gas: int, max_fee: int, priority: int) -> SignedBatch:
        """Sign (not send) an EIP-1559 transaction from the signing key calling `to` with `data`."""
        key = self._signer()
        tx: TxParams = {
            "from": Web3.to_checksum_address(key.address),
            "to": Web3.to_checksum_address(to),
            "data": HexBytes(data),
            "value": Wei(0),
            "nonce": Nonce(nonce),
            "gas": gas,
            "maxFeePerGas": Wei(max_fee),
            "maxPriorityFeePerGas": Wei(priority),
            "chainId": self.chain_id(),
            "type": 2,
        }
        signed = Account.sign_transaction(tx, key.key)
        return SignedBatch(
            raw_tx="0x" + bytes(signed.raw_transaction).hex(),
            tx_hash="0x" + bytes(signed.hash).hex(),
            nonce=nonce,
            gas=gas,
            max_fee_per_gas=max_fee,
            max_priority_fee_per_gas=priority,
        )


def _int(value: Any) -> int:
    """A JSON-RPC quantity: hex string from a raw answer, int from a formatted one."""
    return int(value, 16) if isinstance(value, str) else int(value)


def _facts(args: Any, block_number: int, tx_hash: str) -> MintedFacts:
    """A PurchaseMined event's arguments as the store records them."""
    return MintedFacts(
        tx_hash=tx_hash,
        block_number=block_number,
        consumer_grams=int(args["consumerGrams"]),
        referrer_grams=int(args["referrerGrams"]),
        supplier_grams=int(args["supplierGrams"]),
        platform_grams=int(args["platformGrams"]),
        rate=int(args["rate"]),
    )

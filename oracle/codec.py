"""PurchaseMining's hot-path ABI work, straight through eth-abi: the mintBatch calldata and the two events of a
receipt's logs.

Why not web3's contract objects: on a 100-purchase batch web3's `encode_abi` normalises and checksums every
address, and `process_receipt` tries every log of the receipt (most are the token's Transfer logs) against the
event; each cost about 170 ms per batch, measured. The bytes and values are the same
(tests/oracle/test_encoding.py compares them with web3's).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from eth_abi.abi import decode as abi_decode
from eth_abi.abi import encode as abi_encode
from eth_typing import ABI
from eth_utils.abi import collapse_if_tuple, event_abi_to_log_topic, function_abi_to_4byte_selector
from hexbytes import HexBytes

EVENTS = ("PurchaseMined", "PurchaseSkipped")


class BatchCodec:
    """Encodes mintBatch and decodes PurchaseMined / PurchaseSkipped for one PurchaseMining address. An ABI without
    them (the relay reaches other contracts through oracle.chain.Chain) encodes nothing and decodes nothing."""

    def __init__(self, abi: ABI, address: str) -> None:
        by_name: dict[tuple[Any, Any], Any] = {(e.get("type"), e.get("name")): e for e in abi}
        mint = by_name.get(("function", "mintBatch"), {"name": "mintBatch", "inputs": []})
        self.selector = bytes(function_abi_to_4byte_selector(mint))
        self.types = [collapse_if_tuple(dict(i)) for i in mint["inputs"]]
        events = [by_name[("event", n)] for n in EVENTS if ("event", n) in by_name]
        self.events: dict[bytes, Any] = {bytes(event_abi_to_log_topic(e)): e for e in events}
        self.address = address.lower()

    def encode(self, purchases: Sequence[tuple[Any, ...]]) -> str:
        """The calldata of mintBatch(purchases) (each a Purchase tuple)."""
        return "0x" + (self.selector + abi_encode(self.types, [list(purchases)])).hex()

    def logs(self, receipt: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any], Any]]:
        """(event name, arguments, the log) of each PurchaseMined / PurchaseSkipped log of this contract in a
        receipt whose logs are raw (hex strings) or formatted by web3."""
        for log in receipt["logs"]:
            topics = log["topics"]
            event = self.events.get(bytes(HexBytes(topics[0]))) if topics else None
            if event is not None and str(log["address"]).lower() == self.address:
                yield event["name"], decode_event(event, log), log


def decode_event(event: Any, log: Any) -> dict[str, Any]:
    """An event's arguments from a log: indexed ones from the topics, the rest from the data."""
    inputs = event["inputs"]
    plain = [i for i in inputs if not i.get("indexed")]
    values = abi_decode([collapse_if_tuple(i) for i in plain], HexBytes(log["data"]))
    args = dict(zip([i["name"] for i in plain], values, strict=True))
    indexed = [i for i in inputs if i.get("indexed")]
    for i, topic in zip(indexed, log["topics"][1:], strict=True):
        args[i["name"]] = abi_decode([i["type"]], HexBytes(topic))[0]
    return args

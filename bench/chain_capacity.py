"""The chain's raw capacity for the oracle's transaction, without the oracle: pre-signed 100-purchase
`PurchaseMining.mintBatch` transactions of returning consumers sent straight to the node with web3.py's
`eth_sendRawTransaction`, one after another (send, wait for the receipt) and back to back (all of them in one
JSON-RPC batch request, then wait for every receipt).

This is the ceiling the oracle's end to end is compared with (bench/pipeline.py): what the node itself can mine
when the client does nothing but hand it signed bytes. Signing happens before the clock starts, with the oracle's
own signer (`oracle.chain.Chain.sign_call`) and an explicit gas limit from the oracle's gas model
(`oracle.gas_model.GasModel.limit`), so no `eth_estimateGas` is timed either.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from bench import harness

AMOUNT = 19_900
SUPPLIERS = 10
GWEI = 10**9
MAX_FEE = 100 * GWEI  # a fee cap no local base fee reaches; only the base fee plus the 1-gwei tip is paid
RECEIPT_TIMEOUT = 600.0


@dataclass(frozen=True)
class Row:
    """A purchase as `Chain.sign_batch` wants it (oracle.chain.PurchaseLike)."""

    ref: str
    consumer: str
    referrer: str
    supplier: str
    amount: int
    referrer_bps: int = 0


class Fleet:
    """The recipients every pipeline measurement uses: `n` consumers, `n` referrers and 10 suppliers, made returning
    (holding grams) by one priming batch, so gas and speed are those of returning consumers throughout."""

    def __init__(self, n: int = 100) -> None:
        self.consumers = harness.addresses("pipeline-consumer", n)
        self.referrers = harness.addresses("pipeline-referrer", n)
        self.suppliers = harness.addresses("supplier", SUPPLIERS)

    def batch(self, label: str, size: int) -> list[Row]:
        from eth_hash.auto import keccak

        n = len(self.consumers)
        return [
            Row(
                "0x" + keccak(f"{label}-{i}".encode()).hex(),
                self.consumers[i % n],
                self.referrers[i % n],
                self.suppliers[i % SUPPLIERS],
                AMOUNT + (i % 97),
            )
            for i in range(size)
        ]


class RawSender:
    """The oracle's key, its nonce and a plain web3 connection to the node, for pre-signed batches."""

    def __init__(self, dep: Any, fleet: Fleet) -> None:
        from eth_account import Account
        from web3 import Web3

        from oracle.chain import Chain
        from oracle.config import SigningKey

        key = SigningKey(bytes.fromhex(str(dep.private_key).removeprefix("0x")))
        self.chain = Chain(dep.rpc_url, dep.mining.address, dep.mining.abi, key=key, timeout=120)
        self.rpc_url = dep.rpc_url
        self.w3 = Web3(Web3.HTTPProvider(dep.rpc_url, request_kwargs={"timeout": 120}))
        self.address = Account.from_key(key.key).address
        self.fleet = fleet
        self.platform = dep.mining.platform()
        self.nonce = self.w3.eth.get_transaction_count(self.address, "pending")
        self.mined_purchases = 0  # purchases this sender got mined on the node (fresh node: the only ones)

    def gas_limit(self, rows: list[Row], returning: bool = True) -> int:
        """The oracle's gas model for this batch: everyone already holds grams once the fleet is primed."""
        from oracle.gas_model import GasModel, batch_shape

        parties = ((r.consumer, r.referrer, r.supplier) for r in rows)
        shape = batch_shape(parties, self.platform, lambda _a: returning)
        return GasModel().limit(shape, assets=0)

    def presign(self, k: int, label: str, size: int = 100, returning: bool = True) -> list[str]:
        """`k` signed batches of `size` purchases with consecutive nonces (fee cap MAX_FEE, tip 1 gwei)."""
        out = []
        for b in range(k):
            rows = self.fleet.batch(f"{label}-{b}-{time.time_ns()}", size)
            signed = self.chain.sign_batch(rows, self.nonce, self.gas_limit(rows, returning), MAX_FEE, GWEI)
            self.nonce += 1
            out.append(signed.raw_tx)
        return out

    def _receipt(self, tx_hash: bytes) -> dict[str, Any]:
        from web3.exceptions import TransactionNotFound

        deadline = time.monotonic() + RECEIPT_TIMEOUT
        while time.monotonic() < deadline:
            try:
                return dict(self.w3.eth.get_transaction_receipt(tx_hash))
            except TransactionNotFound:
                time.sleep(0.002)
        raise TimeoutError(f"no receipt for {tx_hash.hex()} within {RECEIPT_TIMEOUT:.0f} s")

    def prime(self) -> None:
        """Mint once to every consumer, referrer and supplier of the fleet: from now on they are returning."""
        for raw in self.presign(1, "prime", len(self.fleet.consumers), returning=False):
            receipt = self._receipt(self.w3.eth.send_raw_transaction(raw))
            if receipt["status"] != 1:
                raise RuntimeError("the priming batch failed")
            self.mined_purchases += len(self.fleet.consumers)

    def one_after_another(self, raws: list[str]) -> tuple[float, list[dict[str, Any]]]:
        t0 = time.perf_counter()
        receipts = [self._receipt(self.w3.eth.send_raw_transaction(raw)) for raw in raws]
        return time.perf_counter() - t0, receipts

    def _rpc_batch(self, method: str, params: list[list[Any]]) -> list[Any]:
        """One HTTP request carrying a JSON-RPC batch of `method` calls; the results in order (None for an error)."""
        import requests

        body = [{"jsonrpc": "2.0", "id": i, "method": method, "params": p} for i, p in enumerate(params)]
        answers = requests.post(self.rpc_url, json=body, timeout=600).json()
        by_id = {a["id"]: a for a in answers}
        return [by_id[i].get("result") for i in range(len(params))]

    def _mine_leftovers(self) -> None:
        """anvil's automine mines one block when transactions arrive: of a burst, what fits the 30M-gas block (five
        100-purchase batches); the rest stay pending until another transaction arrives. A real chain would mine them
        in its next blocks, so ask for the next block (`evm_mine`) while the pool holds pending transactions.
        Ganache never needs it (it answers a send only once that transaction is mined)."""
        try:
            pending = int(self._rpc_batch("txpool_status", [[]])[0]["pending"], 16)
        except (TypeError, KeyError, ValueError):
            return
        if pending:
            self._rpc_batch("evm_mine", [[]])

    def back_to_back(self, raws: list[str]) -> tuple[float, list[dict[str, Any]]]:
        """Every transaction in one JSON-RPC batch request (the node gets them all at once, the client waits for
        nothing in between), then batched receipt queries until every receipt is there (mining the next block while
        the node's pool still holds some: `_mine_leftovers`)."""
        t0 = time.perf_counter()
        hashes = self._rpc_batch("eth_sendRawTransaction", [[raw] for raw in raws])
        if any(h is None for h in hashes):
            raise RuntimeError(f"the node refused {sum(h is None for h in hashes)} of {len(raws)} transactions")
        deadline = time.monotonic() + RECEIPT_TIMEOUT
        while None in (receipts := self._rpc_batch("eth_getTransactionReceipt", [[h] for h in hashes])):
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"{receipts.count(None)} of {len(raws)} receipts missing after {RECEIPT_TIMEOUT:.0f} s"
                )
            self._mine_leftovers()
            time.sleep(0.002)
        elapsed = time.perf_counter() - t0
        return elapsed, [{"status": int(r["status"], 16), "gasUsed": int(r["gasUsed"], 16)} for r in receipts]


def measure(dep: Any, fleet: Fleet, k: int, size: int = 100) -> dict[str, Any]:
    """Prime the fleet, then `k` batches one after another and `k` more back to back; purchases/s of each."""
    sender = RawSender(dep, fleet)
    sender.prime()
    out: dict[str, Any] = {"batches": k, "batch_size": size, "modes": []}
    for mode in ("one after another", "back to back"):
        raws = sender.presign(k, mode.replace(" ", "-"), size)
        before = sender.mined_purchases
        harness.progress(f"raw capacity: {k} batches of {size}, {mode} ({before:,} purchases mined before)")
        if mode == "one after another":
            elapsed, receipts = sender.one_after_another(raws)
        else:
            elapsed, receipts = sender.back_to_back(raws)
        ok = [r for r in receipts if r["status"] == 1]
        sender.mined_purchases += size * len(ok)
        out["modes"].append(
            {
                "mode": mode,
                "purchases_mined_before": before,
                "seconds": elapsed,
                "purchases_per_second": size * len(ok) / elapsed,
                "failed": len(receipts) - len(ok),
                "gas_per_purchase": sum(int(r["gasUsed"]) for r in ok) / max(1, size * len(ok)),
                "gas_limit": sender.gas_limit(fleet.batch("limit", size)),
            }
        )
    out["capacity"] = max(m["purchases_per_second"] for m in out["modes"])
    out["purchases_mined_after"] = sender.mined_purchases
    return out

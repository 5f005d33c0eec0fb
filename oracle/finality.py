"""Finality: how many confirmations a mint needs before it is recorded (per network), and the verifier that
re-checks recently minted records against the chain and requeues what the chain forgot (a reorg, or a dev chain
reverted to a snapshot).

Default confirmations (`confirmations = 0` in the settings picks them by chain id):

    1 (Ethereum), 11155111 (Sepolia), 17000 (Holesky), 560048 (Hoodi)    64   two epochs: finalized
    137 (Polygon PoS), 80002 (Amoy)                                    128
    56 (BNB Chain), 97 (its testnet)                                     15
    10 (OP Mainnet), 8453 (Base), 42161 (Arbitrum One)                   20   the sequencer's order; L1 later
    1337, 31337 (Ganache, Anvil, Hardhat: local dev chains)               1
    any other chain                                                      64

The verifier (in the batcher's thread, every `verify_interval_seconds`) takes every minted record whose block is
within `verify_window_blocks` of the head (or above it: the head went back), one receipt per transaction: a
receipt still there, successful and in the recorded block confirms every record of it. Otherwise each purchase is
asked `isMined`: mined elsewhere -> its PurchaseMined facts are recorded instead; not mined -> it goes back to the
queue (the replay guard keeps a re-mint exactly once). `reconcile` runs it over every minted record.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict

from .chain import Chain
from .config import Settings
from .metrics import Metrics
from .models import MintedFacts, Purchase
from .store import Store

log = logging.getLogger("oracle.finality")

LOCAL_CHAINS = {1337, 31337}
DEPTHS = {
    **dict.fromkeys((1, 11155111, 17000, 560048), 64),
    **dict.fromkeys((137, 80002), 128),
    **dict.fromkeys((56, 97), 15),
    **dict.fromkeys((10, 8453, 42161), 20),
}
UNKNOWN_CHAIN_DEPTH = 64


def default_confirmations(chain_id: int) -> int:
    if chain_id in LOCAL_CHAINS:
        return 1
    return DEPTHS.get(chain_id, UNKNOWN_CHAIN_DEPTH)


def resolve_confirmations(settings: Settings, chain_id: int) -> int:
    """The configured confirmations, or the network's default (0 = default); written back into `settings`."""
    if settings.confirmations <= 0:
        settings.confirmations = default_confirmations(chain_id)
    return settings.confirmations


class FinalityVerifier:
    def __init__(self, settings: Settings, store: Store, metrics: Metrics) -> None:
        self.s, self.store, self.metrics = settings, store, metrics
        self.started_at = time.time()
        self.verified_at: float | None = None  # the last complete pass (Unix time)
        self.checked_head: int | None = None
        self._next = 0.0  # monotonic time of the next pass

    def due(self) -> bool:
        return time.monotonic() >= self._next

    def lagging_seconds(self, now: float) -> float:
        """How long since the last complete pass (or since the start, before the first)."""
        return max(0.0, now - (self.verified_at or self.started_at))

    def verify(self, chain: Chain, window: int | None = None) -> dict[str, int]:
        """Check minted records within `window` blocks of the head (default `verify_window_blocks`; a negative
        window: every minted record). Returns how many were checked, requeued and moved."""
        window = self.s.verify_window_blocks if window is None else window
        head = chain.block_number()
        records = self.store.minted_since(None if window < 0 else head - window)
        by_tx: dict[str, list[Purchase]] = defaultdict(list)
        for p in records:
            by_tx[p.tx_hash or ""].append(p)
        forgotten: list[str] = []
        moved: dict[str, MintedFacts] = {}
        for tx_hash, recs in by_tx.items():
            receipt = chain.receipt(tx_hash) if tx_hash else None
            if (
                receipt is not None
                and int(receipt["status"]) == 1
                and int(receipt["blockNumber"]) == recs[0].block_number
            ):
                continue
            for p in recs:
                facts = chain.find_mined(p.ref, p.block_number) if chain.is_mined(p.ref) else None
                if facts is None:
                    forgotten.append(p.ref)
                elif facts.tx_hash != p.tx_hash or facts.block_number != p.block_number:
                    moved[p.ref] = facts
        self._apply(forgotten, moved)
        self.verified_at, self.checked_head = time.time(), head
        self._next = time.monotonic() + self.s.verify_interval_seconds
        self.metrics.finality_checked_head.set(head)
        return {"checked": len(records), "requeued": len(forgotten), "moved": len(moved)}

    def _apply(self, forgotten: list[str], moved: dict[str, MintedFacts]) -> None:
        if forgotten:
            reason = "the chain no longer has this mint (reorg or reverted chain): queued again"
            n = self.store.requeue_forgotten(forgotten, reason)
            self.metrics.reorged.inc(n)
            log.error("finality: %d minted purchase(s) no longer on chain, requeued: %s", n, forgotten[:5])
        if moved:
            self.store.record_moved(moved)
            log.warning("finality: %d purchase(s) mined in another block than recorded: updated", len(moved))

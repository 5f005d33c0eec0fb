"""The one definition of the statuses a purchase and a batch go through (stored as their string values).

Purchase:
    accepted -> settling -> queued -> submitted -> minted
    accepted/settling/queued -> refunded      (signed refund before submission)
    queued/submitted -> rejected              (the chain refuses this purchase for good)
    minted -> queued                          (the chain forgot the mint: reorg; the finality verifier)
    queued -> set_aside -> queued             (alone it exceeds the daily ceiling's capacity; admin requeue)

Batch (one PurchaseMining.mintBatch transaction): signed -> sent -> confirmed, or failed (reverted; purchases
requeued) / dropped (its nonce was used by another transaction; purchases reconciled one by one); a confirmed batch
whose transaction the chain later forgets (reorg) becomes reorged (its purchases queued again).
"""

from __future__ import annotations

from enum import StrEnum


class PurchaseStatus(StrEnum):
    ACCEPTED = "accepted"
    SETTLING = "settling"
    QUEUED = "queued"
    SUBMITTED = "submitted"
    MINTED = "minted"
    REFUNDED = "refunded"
    REJECTED = "rejected"
    SET_ASIDE = "set_aside"


class BatchStatus(StrEnum):
    SIGNED = "signed"
    SENT = "sent"
    CONFIRMED = "confirmed"
    FAILED = "failed"
    DROPPED = "dropped"
    REORGED = "reorged"


#: A signed refund still cancels the purchase (nothing was sent yet).
REFUNDABLE = (PurchaseStatus.ACCEPTED, PurchaseStatus.SETTLING, PurchaseStatus.QUEUED, PurchaseStatus.SET_ASIDE)
#: Accepted and not yet final: what /health and the backlog metric count.
BACKLOG = (PurchaseStatus.ACCEPTED, PurchaseStatus.SETTLING, PurchaseStatus.QUEUED, PurchaseStatus.SUBMITTED)
#: No longer changes.
FINAL = (PurchaseStatus.MINTED, PurchaseStatus.REFUNDED, PurchaseStatus.REJECTED)
#: A batch that may still be (or become) on chain.
OPEN_BATCH = (BatchStatus.SIGNED, BatchStatus.SENT)

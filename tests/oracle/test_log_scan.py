"""Bounded log scans (operator issue item 7): PurchaseMined events are looked up in windows of at most
`log_window_blocks` blocks, outward from a batch's send block, never from block 0 to latest in one request."""

from __future__ import annotations

from brownie import chain as brownie_chain
from sqlalchemy import update

from oracle.models import Purchase
from oracle.status import PurchaseStatus
from tests.oracle.conftest import drain, random_address

WINDOW = 5


def record_get_logs(chain) -> list[tuple[int, float]]:
    """Wrap the chain's provider: every eth_getLogs (fromBlock, toBlock) asked from now on."""
    ranges: list[tuple[int, float]] = []
    provider = chain.w3.provider
    inner = provider.make_request

    def make_request(method, params):
        if method == "eth_getLogs":
            f = params[0]
            to = f.get("toBlock")
            last = int(to, 16) if isinstance(to, str) and to.startswith("0x") else float("inf")
            ranges.append((int(f.get("fromBlock", "0x0"), 16), last))
        return inner(method, params)

    provider.make_request = make_request
    provider._request_func_cache = (None, None)  # web3 caches the bound method with its middleware
    return ranges


def test_find_mined_scans_in_windows_from_the_send_block(chain_env, chain_oracle):
    orc, c = chain_oracle(log_window_blocks=WINDOW)
    rec = c["shop-1"].submit_purchase("window-0", random_address(), random_address(), 4321)
    drain(orc)
    minted = c["shop-1"].status(rec["ref"])
    batch = orc.store.get_batch(minted["batchId"])
    assert minted["status"] == PurchaseStatus.MINTED and batch.sent_block is not None
    brownie_chain.mine(3 * WINDOW + 2)  # the head moves well past one window

    ranges = record_get_logs(orc.chain)
    found = orc.chain.find_mined(rec["ref"], batch.sent_block)
    assert found is not None and found.tx_hash == minted["txHash"] and found.block_number == minted["blockNumber"]
    assert ranges and all(last - first + 1 <= WINDOW for first, last in ranges), ranges
    assert ranges[0][0] == batch.sent_block  # the first window starts at the send block

    # no hint: backward from the head, still window by window, down to the deployment block if needed
    ranges.clear()
    assert orc.chain.find_mined(rec["ref"]).tx_hash == minted["txHash"]
    assert len(ranges) > 1 and all(last - first + 1 <= WINDOW for first, last in ranges), ranges
    ranges.clear()
    assert orc.chain.find_mined("0x" + "ab" * 32) is None  # never mined: the whole history, window by window
    assert all(last - first + 1 <= WINDOW for first, last in ranges)
    assert min(first for first, _ in ranges) == orc.chain.from_block


def test_reconcile_of_a_restored_record_uses_bounded_scans(chain_env, chain_oracle):
    orc, c = chain_oracle(log_window_blocks=WINDOW)
    rec = c["shop-2"].submit_purchase("window-1", random_address(), random_address(), 1234)
    drain(orc)
    minted = c["shop-2"].status(rec["ref"])
    brownie_chain.mine(2 * WINDOW)
    with orc.store.sessions.begin() as s:  # as if an old backup were restored: the store forgot the mint
        s.execute(update(Purchase).where(Purchase.ref == rec["ref"]).values(status=PurchaseStatus.QUEUED))
    ranges = record_get_logs(orc.chain)
    assert orc.batcher.reconcile()["found_minted"] == 1
    again = c["shop-2"].status(rec["ref"])
    assert again["status"] == PurchaseStatus.MINTED and again["txHash"] == minted["txHash"]
    assert ranges and all(last - first + 1 <= WINDOW for first, last in ranges), ranges

"""Reorgs (operator issue item 2): the chain forgets minted purchases (Ganache evm_snapshot / evm_revert, as a deep
reorg would); the finality verifier notices, requeues them and every purchase is minted again exactly once; the
metric and /health show it; `reconcile` covers minted records too; confirmations default per network."""

from __future__ import annotations

import time

from brownie import web3

from oracle.finality import default_confirmations
from oracle.status import BatchStatus, PurchaseStatus
from tests.oracle.conftest import drain, random_address


def rpc(method: str, *params):
    return web3.provider.make_request(method, list(params))["result"]


def submit(client, prefix: str, n: int) -> list[str]:
    return [
        client.submit_purchase(f"{prefix}-{i}", random_address(), random_address(), 500 + i)["ref"] for i in range(n)
    ]


def tick_until_minted(orc, client, refs, timeout=60):
    deadline = time.monotonic() + timeout
    while not all(client.status(r)["status"] == PurchaseStatus.MINTED for r in refs):
        assert time.monotonic() < deadline, [client.status(r)["status"] for r in refs]
        orc.batcher.tick()


def test_a_reverted_chain_is_noticed_and_everything_is_minted_again_exactly_once(chain_env, chain_oracle):
    orc, c = chain_oracle(verify_interval_seconds=0)
    assert orc.settings.confirmations == 1 == default_confirmations(chain_env.chain_id)  # a local dev chain
    snapshot = rpc("evm_snapshot")
    refs = submit(c["shop-1"], "reorg", 20)
    tick_until_minted(orc, c["shop-1"], refs)
    before = {r: c["shop-1"].status(r)["txHash"] for r in refs}
    assert all(chain_env.mining.isMined(r) for r in refs)

    assert rpc("evm_revert", snapshot)  # the chain forgets both batches
    assert not any(chain_env.mining.isMined(r) for r in refs)
    assert all(rpc("eth_getTransactionReceipt", h) is None for h in set(before.values()))
    orc.batcher.tick()  # the verifier's pass: all 20 back in the queue
    statuses = {c["shop-1"].status(r)["status"] for r in refs}
    assert statuses <= {PurchaseStatus.QUEUED, PurchaseStatus.SUBMITTED, PurchaseStatus.MINTED}
    assert "oracle_purchases_reorged_total 20.0" in orc.metrics.render().decode()
    assert {orc.store.get_batch(b).status for b in {c["shop-1"].status(r)["batchId"] for r in refs} if b} <= {
        BatchStatus.SIGNED,
        BatchStatus.SENT,
        BatchStatus.CONFIRMED,
    }

    tick_until_minted(orc, c["shop-1"], refs)
    orc.batcher.tick()
    counts = orc.chain.count_mined_events(refs)
    assert set(counts.values()) == {1}, counts
    for r in refs:
        rec = c["shop-1"].status(r)
        receipt = web3.eth.get_transaction_receipt(rec["txHash"])
        assert receipt.status == 1 and receipt.blockNumber == rec["blockNumber"]  # (the same bytes may be re-signed)
    status, health = orc.health()
    assert health["batcher"]["finality"]["checked_head"] == web3.eth.block_number
    assert health["batcher"]["finality"]["confirmations"] == 1


def test_reconcile_requeues_minted_records_the_chain_forgot(chain_env, chain_oracle):
    orc, c = chain_oracle(verify_interval_seconds=3600)  # no automatic pass: reconcile does it
    orc.batcher.finality.due = lambda: False
    snapshot = rpc("evm_snapshot")
    refs = submit(c["shop-2"], "reconcile-reorg", 4)
    drain(orc)
    assert all(c["shop-2"].status(r)["status"] == PurchaseStatus.MINTED for r in refs)
    assert rpc("evm_revert", snapshot)
    result = orc.batcher.reconcile()
    assert result["requeued_forgotten"] == 4 and result["found_minted"] == 0
    assert all(c["shop-2"].status(r)["status"] == PurchaseStatus.QUEUED for r in refs)
    assert "no longer has this mint" in c["shop-2"].status(refs[0])["lastError"]
    drain(orc)
    assert set(orc.chain.count_mined_events(refs).values()) == {1}
    assert orc.batcher.reconcile()["requeued_forgotten"] == 0  # what is on chain stays minted


def test_confirmations_default_per_network():
    assert default_confirmations(1337) == default_confirmations(31337) == 1
    assert default_confirmations(1) == 64 and default_confirmations(137) == 128 and default_confirmations(56) == 15
    assert default_confirmations(99999) == 64  # unknown chains get a safe depth

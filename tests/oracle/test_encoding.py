"""The batcher's own mintBatch encoding (eth-abi, no web3 normalisers) gives the same bytes as web3's encode_abi,
and its event decoding the same facts as web3's process_receipt (the hot path skips web3's per-address work)."""

from __future__ import annotations

from dataclasses import dataclass

from web3.logs import DISCARD

from oracle.chain import Chain, load_abi
from oracle.config import Settings
from tests.oracle.conftest import random_address


@dataclass
class P:
    ref: str
    consumer: str
    referrer: str
    supplier: str
    amount: int
    referrer_bps: int


def _chain(chain_env) -> Chain:
    abi = load_abi(Settings.load(env={}, deployment_file=str(chain_env.deployment_file)))
    return Chain(chain_env.rpc_url, chain_env.mining.address, abi)


def test_batch_encoding_matches_web3(chain_env):
    chain = _chain(chain_env)
    zero = "0x" + "00" * 20
    purchases = [
        P("0x" + f"{i:064x}", random_address(), random_address() if i % 2 else zero, random_address(), 10**i, i * 7)
        for i in range(1, 12)
    ]
    expected = chain.contract.encode_abi("mintBatch", args=[[chain.purchase_tuple(p) for p in purchases]])
    assert chain.encode_batch(purchases) == expected
    assert chain.encode_batch(purchases[:1]) == chain.contract.encode_abi(
        "mintBatch", args=[[chain.purchase_tuple(purchases[0])]]
    )


def test_event_decoding_matches_web3(chain_env):
    chain = _chain(chain_env)
    oracle = chain_env.oracle_account
    refs = ["0x" + f"{0xE0 + i:064x}" for i in range(3)]
    batch = [(r, random_address(), random_address(), random_address(), 5_000, 100) for r in refs]
    chain_env.mining.mintBatch(batch, {"from": oracle})
    tx = chain_env.mining.mintBatch(batch[:1] + [(refs[2][:-2] + "ff", *batch[0][1:])], {"from": oracle})
    for tx_hash in {tx.txid}:
        mined, skipped = chain.events(chain.receipt(tx_hash))  # the node's raw receipt, decoded by eth-abi
        receipt = chain.w3.eth.get_transaction_receipt(tx_hash)  # web3's formatted receipt and decoder
        web3_mined = chain.contract.events.PurchaseMined().process_receipt(receipt, errors=DISCARD)
        web3_skipped = chain.contract.events.PurchaseSkipped().process_receipt(receipt, errors=DISCARD)
        assert set(mined) == {"0x" + bytes(e["args"]["orderRef"]).hex() for e in web3_mined} == {refs[2][:-2] + "ff"}
        assert skipped == {"0x" + bytes(e["args"]["orderRef"]).hex() for e in web3_skipped} == {refs[0]}
        ev = web3_mined[0]["args"]
        facts = mined[refs[2][:-2] + "ff"]
        assert (
            facts.block_number == receipt["blockNumber"]
            and facts.tx_hash == "0x" + bytes(receipt["transactionHash"]).hex()
        )
        assert (facts.consumer_grams, facts.referrer_grams, facts.supplier_grams, facts.platform_grams, facts.rate) == (
            ev["consumerGrams"],
            ev["referrerGrams"],
            ev["supplierGrams"],
            ev["platformGrams"],
            ev["rate"],
        )

"""Durability: the relay stops at each stage of a request's life (its worker dies there, as in a crash: only what
was committed survives), a new relay starts on the same database, and the holder's call has exactly one on-chain
effect from exactly one relay transaction. A transaction whose relay nonce was taken is signed again; a signature
someone else already used fails the request without sending anything."""

from __future__ import annotations

import pytest
from eth_account import Account

from oracle.relay.worker import STAGES
from tests.relay.conftest import sign_and_body


class Crash(BaseException):
    """The worker's process dies here (nothing after this point runs or is committed)."""


def crash_at(relay, stage):
    def checkpoint(reached):
        if reached == stage:
            raise Crash(stage)

    relay.worker.checkpoint = checkpoint


def delegations(sdk, holder):
    return sdk.token.contract.events.DelegateChanged.get_logs(from_block=0, argument_filters={"delegator": holder})


AFTER_CRASH = {"before_send": ("signed", False), "after_send": ("sent", True), "after_receipt": ("sent", True)}


@pytest.mark.parametrize("stage", [s for s in STAGES if s in AFTER_CRASH])
def test_stop_at_each_stage_then_exactly_once(make_relay, holder, sdk, web3, relay_key, stage):
    relay, client = make_relay()
    sent_before = web3.eth.get_transaction_count(relay_key.address)
    body = sign_and_body(client, holder, "delegate")
    request_id = client.post("/delegate", json=body).json()["id"]
    crash_at(relay, stage)
    with pytest.raises(Crash):
        relay.worker.step()
    status, on_chain = AFTER_CRASH[stage]
    row = relay.store.get(request_id)
    assert row.status == status and row.raw_tx is not None  # written ahead before any send
    assert (web3.eth.get_transaction_count(relay_key.address) > sent_before) == on_chain
    relay.store.close()

    relay2, client2 = make_relay()  # the restart: same database, new process state
    assert client2.post("/delegate", json=body).json()["id"] == request_id  # resubmitting changes nothing
    assert relay2.worker.step()
    assert not relay2.worker.step()
    record = client2.get(f"/requests/{request_id}").json()
    assert record["status"] == "confirmed" and record["txHash"] == row.tx_hash
    assert len(delegations(sdk, holder.address)) == 1
    assert web3.eth.get_transaction_count(relay_key.address) == sent_before + 1  # one relay transaction


def test_dropped_transaction_is_signed_again(make_relay, holder, sdk, web3, relay_key):
    relay, client = make_relay()
    request_id = client.post("/delegate", json=sign_and_body(client, holder, "delegate")).json()["id"]
    crash_at(relay, "before_send")
    with pytest.raises(Crash):
        relay.worker.step()
    first = relay.store.get(request_id)
    # the relay key's nonce goes to another transaction meanwhile (an operator's manual transfer, say)
    other = Account.sign_transaction(
        {
            "to": relay_key.address,
            "value": 0,
            "gas": 21_000,
            "maxFeePerGas": 10**11,
            "maxPriorityFeePerGas": 10**9,
            "nonce": first.tx_nonce,
            "chainId": web3.eth.chain_id,
            "type": 2,
        },
        relay_key.key,
    )
    web3.eth.send_raw_transaction(other.raw_transaction)

    relay2, client2 = make_relay()
    assert relay2.worker.step()  # dropped -> back to accepted
    assert relay2.store.get(request_id).status == "accepted"
    assert relay2.worker.step()  # signed again with the next relay nonce, sent, confirmed
    record = client2.get(f"/requests/{request_id}").json()
    assert record["status"] == "confirmed" and record["txHash"] != first.tx_hash
    assert relay2.store.get(request_id).attempts == 2
    assert len(delegations(sdk, holder.address)) == 1
    assert "relay_transactions_dropped_total 1.0" in client2.get("/metrics").text


def test_signature_used_elsewhere_fails_without_sending(make_relay, holder, sdk, web3, relay_key, accounts):
    relay, client = make_relay()
    request_id = client.post("/delegate", json=sign_and_body(client, holder, "delegate")).json()["id"]
    row = relay.store.get(request_id)
    # anyone may submit the holder's signature: someone does, before the relay
    web3.eth.send_transaction({"from": str(accounts[0]), "to": sdk.token.address, "data": row.calldata})
    sent_before = web3.eth.get_transaction_count(relay_key.address)
    assert relay.worker.step()
    record = client.get(f"/requests/{request_id}").json()
    assert record["status"] == "failed" and "InvalidAccountNonce" in record["error"], record
    assert web3.eth.get_transaction_count(relay_key.address) == sent_before  # nothing sent
    assert len(delegations(sdk, holder.address)) == 1
    assert 'relay_requests_failed_total{kind="delegate"} 1.0' in client.get("/metrics").text
    # the holder signs the next nonce; the relay takes it
    again = client.post("/delegate", json=sign_and_body(client, holder, "delegate", delegatee=str(accounts[3])))
    assert again.status_code == 202
    assert relay.worker.step()
    assert sdk.token.delegates(holder.address) == str(accounts[3])


def test_worker_thread_runs_requests_to_confirmation(make_relay, holder, sdk):
    relay, client = make_relay(poll_interval_seconds=0.05)
    relay.start()
    try:
        request_id = client.post("/delegate", json=sign_and_body(client, holder, "delegate")).json()["id"]
        status = None
        for _ in range(400):  # the worker is woken by the accept; this only bounds the wait
            status = client.get(f"/requests/{request_id}").json()["status"]
            if status in ("confirmed", "failed"):
                break
            relay.worker.stop_event.wait(0.05)
        assert status == "confirmed"
        assert sdk.token.delegates(holder.address) == holder.address
    finally:
        relay.worker.stop()

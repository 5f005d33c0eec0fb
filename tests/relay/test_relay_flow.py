"""The three relayed calls end to end on Ganache: a holder with grams and no ETH delegates, votes (with a reason)
and claims dividends through the relay's HTTP API; the relay's key pays; metrics and statuses follow."""

from __future__ import annotations

from brownie import chain

from tests.relay.conftest import GRAM, sign_and_body


def relay_once(relay, client, body, kind):
    resp = client.post(f"/{kind}", json=body)
    assert resp.status_code == 202, resp.text
    request_id = resp.json()["id"]
    assert resp.json()["status"] == "accepted"
    assert relay.worker.step()  # sign, write ahead, send, confirm
    record = client.get(f"/requests/{request_id}").json()
    assert record["status"] == "confirmed", record
    return record


def test_delegate_without_eth(make_relay, holder, sdk, web3, relay_key):
    relay, client = make_relay()
    relay_balance = web3.eth.get_balance(relay_key.address)
    body = sign_and_body(client, holder, "delegate")
    resp = client.post("/delegate", json=body)
    assert resp.status_code == 202
    again = client.post("/delegate", json=body)  # the same signed message: the same request, nothing new
    assert again.status_code == 200 and again.json()["id"] == resp.json()["id"]
    assert relay.worker.step()
    record = client.get(f"/requests/{resp.json()['id']}").json()
    assert record["status"] == "confirmed" and record["function"] == "delegateBySig"
    receipt = web3.eth.get_transaction_receipt(record["txHash"])
    assert receipt["from"] == relay_key.address and receipt["to"] == sdk.token.address
    assert sdk.token.delegates(holder.address) == holder.address
    assert sdk.token.votes(holder.address) == 50_000 * GRAM
    assert web3.eth.get_balance(holder.address) == 0
    assert web3.eth.get_balance(relay_key.address) < relay_balance  # the relay paid
    assert not relay.worker.step()  # nothing left
    metrics = client.get("/metrics").text
    assert 'relay_requests_accepted_total{kind="delegate"} 1.0' in metrics
    assert 'relay_requests_duplicate_total{kind="delegate"} 1.0' in metrics
    assert 'relay_transactions_sent_total{kind="delegate"} 1.0' in metrics
    assert 'relay_requests_confirmed_total{kind="delegate"} 1.0' in metrics
    assert "relay_queue_depth 0.0" in metrics
    assert f"relay_key_balance_wei {float(web3.eth.get_balance(relay_key.address))}" in metrics


def test_vote_with_reason_without_eth(make_relay, holder, sdk, system, accounts, web3):
    relay, client = make_relay()
    relay_once(relay, client, sign_and_body(client, holder, "delegate"), "delegate")
    system.token.delegate(accounts[1], {"from": accounts[1]})
    chain.sleep(1)
    chain.mine()  # the proposer's votes are in the past now
    data = system.token.raiseCap.encode_input(1_000 * GRAM)
    tx = system.governor.propose([system.token], [0], [data], "relay test", {"from": accounts[1]})
    pid = tx.events["ProposalCreated"]["proposalId"]
    chain.sleep(sdk.governor.snapshot(pid) - web3.eth.get_block("latest")["timestamp"] + 1)
    chain.mine()
    body = sign_and_body(client, holder, "vote", proposalId=str(pid), support="0", reason="too early")
    record = relay_once(relay, client, body, "vote")
    assert record["function"] == "castVoteWithReasonAndParamsBySig"
    assert sdk.governor.has_voted(pid, holder.address)
    against, _for, _abstain = sdk.governor.tally(pid)
    assert against == 50_000 * GRAM
    (event,) = sdk.governor.events("VoteCast", web3.eth.get_transaction_receipt(record["txHash"]))
    assert event["voter"] == holder.address and event["reason"] == "too early"


def test_claim_without_eth(make_relay, holder, sdk, system, accounts, web3):
    relay, client = make_relay()
    tusd = system.extra["TestStablecoin"]
    amount = 1_000_000 * 10**6
    tusd.mint(accounts[5], amount, {"from": accounts[5]})
    tusd.approve(system.token, amount, {"from": accounts[5]})
    system.token.deposit(tusd, amount, {"from": accounts[5]})
    chain.sleep(3600)
    chain.mine()
    body = sign_and_body(client, holder, "claim", asset=tusd.address)
    record = relay_once(relay, client, body, "claim")
    assert record["function"] == "claimBySig"
    assert tusd.balanceOf(holder.address) > 0
    assert web3.eth.get_balance(holder.address) == 0
    assert sdk.token.nonce(holder.address) == 1  # the token's nonce is used once

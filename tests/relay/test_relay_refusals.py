"""What the relay refuses before storing anything, each with a 4xx naming the field: bad signature, expired,
wrong nonce, wrong chain or contract, unknown proposal or asset, not Active, no voting power, nothing to claim,
malformed fields, any call but the three; a nonce already in use (409); the per-holder rate limit (429)."""

from __future__ import annotations

import pytest
from brownie import chain
from eth_account import Account

from blackgold.accounts import KeySigner
from tests.relay.conftest import refused, sign_and_body

HALF_N = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0
N = 2 * HALF_N + 1


def signed(client, signer, kind, message=None, domain=None, body=None, by=None, **params):
    """A body signed over the relay's typed data with `message`/`domain` changes, `body` changes after signing."""
    out = client.get(f"/typed-data/{kind}", params={"holder": signer.address, **params}).json()
    typed = out["typedData"]
    typed["message"].update(message or {})
    typed["domain"].update(domain or {})
    fields = {**out["body"], **{k: v for k, v in (message or {}).items() if k in out["body"]}}
    if domain and "chainId" in domain:
        fields["chainId"] = str(domain["chainId"])
    if domain and "verifyingContract" in domain:
        fields["verifyingContract"] = domain["verifyingContract"]
    signature = (by or signer).sign_typed_data(None, typed)
    return {**fields, "signature": "0x" + bytes(signature).hex(), **(body or {})}


def high_s(signature: str) -> str:
    sig = bytes.fromhex(signature[2:])
    s = N - int.from_bytes(sig[32:64], "big")
    return "0x" + (sig[:32] + s.to_bytes(32, "big") + bytes([55 - sig[64]])).hex()


def latest_time(web3):
    return web3.eth.get_block("latest")["timestamp"]


def assert_nothing_stored(relay, client, reason):
    assert relay.store.all() == []
    assert f'relay_requests_refused_total{{reason="{reason}"}} 1.0' in client.get("/metrics").text


def test_delegate_refusals(make_relay, holder, system, web3):
    relay, client = make_relay()
    other = KeySigner(Account.create())
    cases = [
        (signed(client, holder, "delegate", by=other), 400, "bad_signature", "signature"),
        (signed(client, holder, "delegate", message={"expiry": str(latest_time(web3) - 1)}), 400, "expired", "expiry"),
        (signed(client, holder, "delegate", message={"nonce": "1"}), 400, "wrong_nonce", "nonce"),
        (signed(client, holder, "delegate", domain={"chainId": 1}), 400, "wrong_chain", "chainId"),
        (
            signed(client, holder, "delegate", domain={"verifyingContract": system.governor.address}),
            400,
            "wrong_contract",
            "verifyingContract",
        ),
        (
            signed(client, holder, "delegate", body={"holder": holder.address.lower()}),
            400,
            "address_not_checksummed",
            "holder",
        ),
        (signed(client, holder, "delegate", body={"value": "1"}), 400, "unknown_field", "value"),
        (signed(client, holder, "delegate", body={"signature": None}), 400, "missing", "signature"),
    ]
    good = signed(client, holder, "delegate")
    cases.append(({**good, "signature": high_s(good["signature"])}, 400, "bad_signature", "signature"))
    for body, status, reason, field in cases:
        refused(client.post("/delegate", json=body), status, reason, field)
    assert relay.store.all() == []
    metrics = client.get("/metrics").text
    assert 'relay_requests_refused_total{reason="bad_signature"} 2.0' in metrics
    assert 'relay_requests_refused_total{reason="expired"} 1.0' in metrics


def test_only_the_three_calls(make_relay, holder):
    relay, client = make_relay()
    body = sign_and_body(client, holder, "delegate")
    for path in ("/transfer", "/permit", "/execute"):
        assert client.post(path, json=body).json()["reason"] == "unknown_call"
        assert client.post(path, json=body).status_code == 404
    assert client.get("/typed-data/transfer", params={"holder": holder.address}).status_code == 404
    # a delegation signature sent as a vote or a claim is not one
    body = refused(client.post("/vote", json=body), 400, "invalid_fields")
    assert ("body.delegatee", "unknown_field") in {(e["field"], e["code"]) for e in body["errors"]}
    resp = client.post("/delegate", content=b"{not json", headers={"content-type": "application/json"})
    refused(resp, 400, "invalid_json")
    resp = client.post("/delegate", content=b"x" * 5000, headers={"content-type": "application/json"})
    assert resp.status_code == 413
    assert relay.store.all() == []


def make_proposal(system, accounts):
    system.token.delegate(accounts[1], {"from": accounts[1]})
    chain.sleep(1)
    chain.mine()
    data = system.token.raiseCap.encode_input(10**18)
    tx = system.governor.propose([system.token], [0], [data], "refusals", {"from": accounts[1]})
    return int(tx.events["ProposalCreated"]["proposalId"])


def test_vote_refusals(make_relay, holder, system, accounts, sdk, web3):
    relay, client = make_relay()
    pid = make_proposal(system, accounts)
    body = signed(client, holder, "vote", proposalId=str(pid + 1), support="1")
    refused(client.post("/vote", json=body), 400, "unknown_proposal", "proposalId")
    body = signed(client, holder, "vote", proposalId=str(pid), support="1")
    refused(client.post("/vote", json=body), 400, "not_active", "proposalId")
    chain.sleep(sdk.governor.snapshot(pid) - latest_time(web3) + 1)
    chain.mine()
    refused(client.post("/vote", json=body), 400, "no_voting_power", "holder")  # never delegated
    body = signed(client, holder, "vote", proposalId=str(pid), support="1", body={"support": 3})
    refused(client.post("/vote", json=body), 400, "wrong_type", "support")
    body = signed(
        client, holder, "vote", proposalId=str(pid), support="1", domain={"verifyingContract": system.token.address}
    )
    refused(client.post("/vote", json=body), 400, "wrong_contract", "verifyingContract")
    assert relay.store.all() == []


def test_claim_refusals(make_relay, holder, system):
    relay, client = make_relay()
    tusd = system.extra["TestStablecoin"]
    body = signed(client, holder, "claim", asset=tusd.address)
    refused(client.post("/claim", json=body), 400, "nothing_to_claim", "asset")
    stranger = KeySigner(Account.create()).address
    body = signed(client, holder, "claim", asset=stranger)
    refused(client.post("/claim", json=body), 400, "unknown_asset", "asset")
    assert relay.store.all() == []


def test_nonce_in_use_and_rate_limit(make_relay, holder, accounts):
    relay, client = make_relay(rate_limit_per_hour=1)
    first = client.post("/delegate", json=sign_and_body(client, holder, "delegate"))
    assert first.status_code == 202
    # another message with the same nonce while the first is pending: refused, nothing sent twice
    other = sign_and_body(client, holder, "delegate", delegatee=str(accounts[2]))
    body = refused(client.post("/delegate", json=other), 409, "nonce_in_use", "nonce")
    assert f"request {first.json()['id']}" in body["errors"][0]["message"]
    assert relay.worker.step()
    assert client.get(f"/requests/{first.json()['id']}").json()["status"] == "confirmed"
    # the next nonce is fine, but this holder had its one request this hour
    later = sign_and_body(client, holder, "delegate", delegatee=str(accounts[2]))
    refused(client.post("/delegate", json=later), 429, "rate_limited", "holder")
    assert [r.status for r in relay.store.all()] == ["confirmed"]


@pytest.mark.parametrize("kind", ["delegate", "claim"])
def test_typed_data_needs_a_checksummed_holder(make_relay, kind):
    _relay, client = make_relay()
    resp = client.get(f"/typed-data/{kind}", params={"holder": "0xabc"})
    refused(resp, 400, "invalid_address", "holder")

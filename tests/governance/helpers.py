"""Helpers shared by the governance tests."""

from __future__ import annotations

import contextlib

import pytest
from brownie.exceptions import VirtualMachineError

#: Grams each holder gets at setup (all self-delegated; `eve` holds nothing).
HOLDINGS = {"alice": 300_000, "bob": 200_000, "carol": 100_000, "dave": 500, "whale": 400_000}
TOTAL_SUPPLY = sum(HOLDINGS.values())  # 1,000,500 grams -> quorum 4% = 40,020 grams


@contextlib.contextmanager
def reverts_with(error_name: str):
    """Expect a revert whose decoded reason (custom error name or string) starts with `error_name`."""
    with pytest.raises(VirtualMachineError) as info:
        yield info
    message = str(info.value.revert_msg or "")
    assert message.startswith(error_name), f"reverted with {message!r}, expected {error_name}"


# ---- the lifecycle over Brownie contract objects (the SDK in blackgold.governance does the same over web3.py;
# ---- these keep the contract tests close to the chain: Brownie transactions, events and revert messages)

from blackgold.governance import ProposalState, Support, default_description  # noqa: E402

PENDING, ACTIVE, CANCELED, DEFEATED, SUCCEEDED, QUEUED, EXPIRED, EXECUTED = (s.value for s in ProposalState)


def issuance_actions(token, kind: str, amount_wei: int, recipient=None):
    """(targets, values, calldatas) of an issuance proposal: kind "raise" (a) or "grant" (b)."""
    if kind == "raise":
        data = token.raiseCap.encode_input(amount_wei)
    elif kind == "grant":
        data = token.grant.encode_input(recipient, amount_wei)
    else:
        raise ValueError(kind)
    return [token.address], [0], [data]


def propose_actions(governor, targets, values, calldatas, description, sender):
    """Submit a proposal; returns (proposal_id, tx)."""
    tx = governor.propose(targets, values, calldatas, description, {"from": sender})
    return int(tx.events["ProposalCreated"]["proposalId"]), tx


def propose_issuance(governor, token, kind, amount_wei, sender, recipient=None, description=None):
    targets, values, calldatas = issuance_actions(token, kind, amount_wei, recipient)
    text = description or default_description(kind, amount_wei, str(recipient) if recipient else None)
    return propose_actions(governor, targets, values, calldatas, text, sender)


def cast_vote(governor, proposal_id, support, sender, reason=None):
    value = int(Support.parse(support))
    if reason:
        return governor.castVoteWithReason(proposal_id, value, reason, {"from": sender})
    return governor.castVote(proposal_id, value, {"from": sender})


def queue_proposal(governor, proposal_id, sender):
    return governor.queue(proposal_id, {"from": sender})


def execute_proposal(governor, proposal_id, sender):
    return governor.execute(proposal_id, {"from": sender})


def latest_timestamp(chain) -> int:
    """The latest mined block's timestamp: the contracts' clock (never chain.time() or the wall clock)."""
    return int(chain[-1].timestamp)


def wait_until(chain, timestamp: int) -> None:
    """Mine a block whose timestamp is at least `timestamp`."""
    delta = int(timestamp) - latest_timestamp(chain)
    if delta > 0:
        chain.sleep(delta)
    chain.mine()


def wait_for_voting(chain, governor, proposal_id) -> None:
    wait_until(chain, governor.proposalSnapshot(proposal_id) + 1)


def wait_for_deadline(chain, governor, proposal_id) -> None:
    wait_until(chain, governor.proposalDeadline(proposal_id) + 1)


def wait_for_eta(chain, governor, proposal_id) -> None:
    wait_until(chain, governor.proposalEta(proposal_id))

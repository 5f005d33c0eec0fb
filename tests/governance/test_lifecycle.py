"""The issuance vote from proposal to execution, and every way a proposal can fail to get there."""

from __future__ import annotations

import pytest

from scripts.deploy import GRAM
from tests.governance.helpers import (
    ACTIVE,
    CANCELED,
    DEFEATED,
    EXECUTED,
    EXPIRED,
    PENDING,
    QUEUED,
    SUCCEEDED,
    TOTAL_SUPPLY,
    cast_vote,
    execute_proposal,
    issuance_actions,
    propose_actions,
    propose_issuance,
    queue_proposal,
    reverts_with,
    wait_for_deadline,
    wait_for_eta,
    wait_for_voting,
    wait_until,
)

CAP = 1_000_000_000 * GRAM


@pytest.fixture(autouse=True)
def _holders(holders):
    """Every test here starts with the holders funded and delegated."""


def _pass(chain, governor, pid, voters):
    wait_for_voting(chain, governor, pid)
    for voter in voters:
        cast_vote(governor, pid, "for", voter)
    wait_for_deadline(chain, governor, pid)


def test_raise_cap_full_lifecycle(chain, token, governor, timelock, alice, bob, carol):
    amount = 50_000_000 * GRAM
    balances = {a: token.balanceOf(a) for a in (alice, bob, carol)}
    minted = token.totalMinted()
    pid, tx = propose_issuance(governor, token, "raise", amount, alice, description="Raise the cap by 50M grams")
    assert governor.state(pid) == PENDING
    snapshot = governor.proposalSnapshot(pid)
    assert snapshot == tx.timestamp + governor.votingDelay()
    assert governor.proposalDeadline(pid) == snapshot + governor.votingPeriod()

    wait_for_voting(chain, governor, pid)
    assert governor.state(pid) == ACTIVE
    cast_vote(governor, pid, "for", alice)
    cast_vote(governor, pid, "for", bob, reason="the ecosystem needs room")
    cast_vote(governor, pid, "abstain", carol)
    against, for_, abstain = governor.proposalVotes(pid)
    assert (against, for_, abstain) == (0, 500_000 * GRAM, 100_000 * GRAM)
    assert governor.quorum(snapshot) == TOTAL_SUPPLY * GRAM * 4 // 100

    wait_for_deadline(chain, governor, pid)
    assert governor.state(pid) == SUCCEEDED
    qtx = queue_proposal(governor, pid, carol)  # anyone may queue
    assert governor.state(pid) == QUEUED
    assert governor.proposalEta(pid) == qtx.timestamp + timelock.getMinDelay()
    assert token.cap() == CAP  # nothing changes before execution

    wait_for_eta(chain, governor, pid)
    etx = execute_proposal(governor, pid, carol)  # anyone may execute
    assert governor.state(pid) == EXECUTED
    assert token.cap() == CAP + amount
    assert token.totalMinted() == minted
    assert {a: token.balanceOf(a) for a in balances} == balances
    assert etx.events["CapRaised"]["previousCap"] == CAP
    assert etx.events["CapRaised"]["newCap"] == CAP + amount


def test_grant_full_lifecycle(chain, token, governor, alice, bob, fund):
    amount = 25_000_000 * GRAM
    supply, minted, remaining = token.totalSupply(), token.totalMinted(), token.remainingMintable()
    pid, _ = propose_issuance(governor, token, "grant", amount, bob, recipient=fund)
    _pass(chain, governor, pid, [alice, bob])
    queue_proposal(governor, pid, alice)
    wait_for_eta(chain, governor, pid)
    tx = execute_proposal(governor, pid, alice)
    assert governor.state(pid) == EXECUTED
    assert token.cap() == CAP + amount
    assert token.balanceOf(fund) == amount
    assert token.totalSupply() == supply + amount
    assert token.totalMinted() == minted + amount
    assert token.remainingMintable() == remaining  # room under the old cap untouched
    assert tx.events["IssuanceGranted"]["recipient"] == fund
    assert tx.events["IssuanceGranted"]["amount"] == amount


def test_defeated_by_majority_against(chain, token, governor, alice, bob, carol):
    pid, _ = propose_issuance(governor, token, "raise", 1_000 * GRAM, bob)
    wait_for_voting(chain, governor, pid)
    cast_vote(governor, pid, "for", bob)  # 200k
    cast_vote(governor, pid, "against", alice)  # 300k
    cast_vote(governor, pid, "for", carol)  # 100k: 300k for vs 300k against is not a majority
    wait_for_deadline(chain, governor, pid)
    assert governor.state(pid) == DEFEATED
    with reverts_with("GovernorUnexpectedProposalState"):
        queue_proposal(governor, pid, bob)
    with reverts_with("GovernorUnexpectedProposalState"):
        execute_proposal(governor, pid, bob)
    assert token.cap() == CAP


def test_quorum_not_reached(chain, token, governor, alice, dave):
    pid, _ = propose_issuance(governor, token, "raise", 1_000 * GRAM, alice)
    wait_for_voting(chain, governor, pid)
    cast_vote(governor, pid, "for", dave)  # 500 grams for, 0 against, quorum is 40,020
    wait_for_deadline(chain, governor, pid)
    _, for_, abstain = governor.proposalVotes(pid)
    assert for_ + abstain < governor.quorum(governor.proposalSnapshot(pid))
    assert governor.state(pid) == DEFEATED
    with reverts_with("GovernorUnexpectedProposalState"):
        queue_proposal(governor, pid, alice)


def test_abstain_counts_for_quorum_only(chain, token, governor, alice, dave):
    pid, _ = propose_issuance(governor, token, "raise", 1_000 * GRAM, alice)
    wait_for_voting(chain, governor, pid)
    cast_vote(governor, pid, "abstain", alice)  # reaches quorum
    cast_vote(governor, pid, "for", dave)
    wait_for_deadline(chain, governor, pid)
    assert governor.state(pid) == SUCCEEDED


def test_unvoted_proposal_expires_at_deadline(chain, token, governor, alice):
    """Voting window over with no votes: Defeated; voting is closed for good."""
    pid, _ = propose_issuance(governor, token, "raise", 1_000 * GRAM, alice)
    wait_for_deadline(chain, governor, pid)
    assert governor.state(pid) == DEFEATED
    with reverts_with("GovernorUnexpectedProposalState"):
        cast_vote(governor, pid, "for", alice)


def test_queued_proposal_expires_after_execution_window(chain, token, governor, timelock, alice, bob):
    pid, _ = propose_issuance(governor, token, "raise", 1_000 * GRAM, alice)
    _pass(chain, governor, pid, [alice, bob])
    queue_proposal(governor, pid, alice)
    eta = governor.proposalEta(pid)
    wait_until(chain, eta + governor.executionWindow() + 1)
    assert governor.state(pid) == EXPIRED
    with reverts_with("GovernorUnexpectedProposalState"):
        execute_proposal(governor, pid, alice)
    # the governor is the timelock's only executor: nobody can run the stale operation around it
    targets, values, calldatas, dhash = governor.proposalDetails(pid)
    salt = "0x" + (int(governor.address, 16) << 96 ^ int.from_bytes(bytes(dhash), "big")).to_bytes(32, "big").hex()
    with reverts_with("AccessControlUnauthorizedAccount"):
        timelock.executeBatch(targets, values, calldatas, b"\x00" * 32, salt, {"from": alice})
    assert token.cap() == CAP


def test_execution_inside_window_succeeds(chain, token, governor, alice, bob):
    pid, _ = propose_issuance(governor, token, "raise", 1_000 * GRAM, alice)
    _pass(chain, governor, pid, [alice, bob])
    queue_proposal(governor, pid, alice)
    wait_until(chain, governor.proposalEta(pid) + governor.executionWindow() - 60)
    execute_proposal(governor, pid, alice)
    assert governor.state(pid) == EXECUTED


def test_cancelled_by_proposer_before_voting(chain, token, governor, alice, bob):
    pid, _ = propose_issuance(governor, token, "raise", 1_000 * GRAM, alice)
    with reverts_with("GovernorUnableToCancel"):  # only the proposer
        governor.cancel(pid, {"from": bob})
    tx = governor.cancel(pid, {"from": alice})
    assert "ProposalCanceled" in tx.events
    assert governor.state(pid) == CANCELED
    wait_for_voting(chain, governor, pid)
    with reverts_with("GovernorUnexpectedProposalState"):
        cast_vote(governor, pid, "for", alice)
    wait_for_deadline(chain, governor, pid)
    assert governor.state(pid) == CANCELED
    with reverts_with("GovernorUnexpectedProposalState"):
        queue_proposal(governor, pid, alice)


def test_proposer_cannot_cancel_once_voting_started(chain, token, governor, alice):
    pid, _ = propose_issuance(governor, token, "raise", 1_000 * GRAM, alice)
    wait_for_voting(chain, governor, pid)
    with reverts_with("GovernorUnableToCancel"):  # the proposer, but voting has started
        governor.cancel(pid, {"from": alice})
    assert governor.state(pid) == ACTIVE


def test_executed_twice(chain, token, governor, alice, bob):
    amount = 7_000 * GRAM
    pid, _ = propose_issuance(governor, token, "raise", amount, alice)
    _pass(chain, governor, pid, [alice, bob])
    queue_proposal(governor, pid, alice)
    wait_for_eta(chain, governor, pid)
    execute_proposal(governor, pid, alice)
    with reverts_with("GovernorUnexpectedProposalState"):
        execute_proposal(governor, pid, bob)
    assert token.cap() == CAP + amount


def test_queued_too_early(chain, token, governor, alice, bob):
    pid, _ = propose_issuance(governor, token, "raise", 1_000 * GRAM, alice)
    with reverts_with("GovernorUnexpectedProposalState"):  # Pending
        queue_proposal(governor, pid, alice)
    wait_for_voting(chain, governor, pid)
    cast_vote(governor, pid, "for", alice)
    cast_vote(governor, pid, "for", bob)
    with reverts_with("GovernorUnexpectedProposalState"):  # Active, even with every vote in
        queue_proposal(governor, pid, alice)
    with reverts_with("GovernorUnexpectedProposalState"):  # nor execute straight from Active
        execute_proposal(governor, pid, alice)


def test_executed_before_delay(chain, token, governor, timelock, alice, bob):
    pid, _ = propose_issuance(governor, token, "raise", 1_000 * GRAM, alice)
    _pass(chain, governor, pid, [alice, bob])
    queue_proposal(governor, pid, alice)
    with reverts_with("TimelockUnexpectedOperationState"):
        execute_proposal(governor, pid, alice)
    wait_until(chain, governor.proposalEta(pid) - 30)
    with reverts_with("TimelockUnexpectedOperationState"):
        execute_proposal(governor, pid, alice)
    assert governor.state(pid) == QUEUED
    assert token.cap() == CAP
    wait_for_eta(chain, governor, pid)
    execute_proposal(governor, pid, alice)
    assert token.cap() == CAP + 1_000 * GRAM


def test_proposal_exceeding_cap_cannot_execute(chain, token, governor, timelock, alice, bob, fund):
    """A passed proposal whose action would leave totalMinted above the cap reverts as a whole."""
    over = token.remainingMintable() + 1
    targets = [token.address, token.address]
    calldatas = [token.grantRole.encode_input(token.MINTER_ROLE(), timelock), token.mint.encode_input(fund, over)]
    pid, _ = propose_actions(governor, targets, [0, 0], calldatas, "mint past the cap", alice)
    _pass(chain, governor, pid, [alice, bob])
    queue_proposal(governor, pid, alice)
    wait_for_eta(chain, governor, pid)
    with reverts_with("CapExceeded"):
        execute_proposal(governor, pid, alice)
    assert governor.state(pid) == QUEUED
    assert not token.hasRole(token.MINTER_ROLE(), timelock)  # atomic: the role grant rolled back too
    assert token.totalMinted() <= token.cap()
    assert token.balanceOf(fund) == 0


def test_invalid_issuance_amount_cannot_execute(chain, token, governor, alice, bob):
    targets, values, calldatas = issuance_actions(token, "raise", 0)
    pid, _ = propose_actions(governor, targets, values, calldatas, "raise by zero", alice)
    _pass(chain, governor, pid, [alice, bob])
    queue_proposal(governor, pid, alice)
    wait_for_eta(chain, governor, pid)
    with reverts_with("ZeroCap"):
        execute_proposal(governor, pid, alice)


def test_parameters_change_only_by_passed_proposal(chain, token, governor, timelock, deployer, alice, bob):
    for who in (deployer, alice):
        with reverts_with("GovernorOnlyExecutor"):
            governor.setVotingDelay(1, {"from": who})
        with reverts_with("GovernorOnlyExecutor"):
            governor.setVotingPeriod(1, {"from": who})
        with reverts_with("GovernorOnlyExecutor"):
            governor.setProposalThreshold(0, {"from": who})
        with reverts_with("GovernorOnlyExecutor"):
            governor.updateQuorumNumerator(1, {"from": who})
        with reverts_with("GovernorOnlyExecutor"):
            governor.setLateQuorumVoteExtension(1, {"from": who})
        with reverts_with("GovernorOnlyExecutor"):
            governor.setExecutionWindow(1, {"from": who})
        with reverts_with("TimelockUnauthorizedCaller"):
            timelock.updateDelay(1, {"from": who})
    g = governor.address
    calls = [
        (g, governor.setVotingDelay.encode_input(30)),
        (g, governor.setVotingPeriod.encode_input(900)),
        (g, governor.setProposalThreshold.encode_input(2_000 * GRAM)),
        (g, governor.updateQuorumNumerator.encode_input(10)),
        (g, governor.setLateQuorumVoteExtension.encode_input(200)),
        (g, governor.setExecutionWindow.encode_input(7200)),
        (timelock.address, timelock.updateDelay.encode_input(240)),
    ]
    pid, _ = propose_actions(
        governor, [c[0] for c in calls], [0] * len(calls), [c[1] for c in calls], "retune the vote", alice
    )
    _pass(chain, governor, pid, [alice, bob])
    queue_proposal(governor, pid, alice)
    wait_for_eta(chain, governor, pid)
    execute_proposal(governor, pid, alice)
    assert governor.votingDelay() == 30
    assert governor.votingPeriod() == 900
    assert governor.proposalThreshold() == 2_000 * GRAM
    assert governor.quorumNumerator() == 10
    assert governor.lateQuorumVoteExtension() == 200
    assert governor.executionWindow() == 7200
    assert timelock.getMinDelay() == 240


def test_run_lifecycle_through_the_sdk(sdk, token, alice, bob, fund):
    """The SDK's one-call lifecycle (the demo's path): propose, vote, queue, wait, execute, over web3.py."""
    from blackgold.accounts import NodeSigner
    from blackgold.governance import run_lifecycle

    result = run_lifecycle(
        sdk,
        NodeSigner(alice.address),
        [NodeSigner(alice.address), NodeSigner(bob.address)],
        "grant",
        3_000 * GRAM,
        recipient=fund.address,
        description="demo grant",
    )
    assert sdk.governor.state(result.proposal_id) == EXECUTED
    assert token.balanceOf(fund) == 3_000 * GRAM
    assert all(r["gasUsed"] > 0 and r["status"] == 1 for r in (result.propose, result.queue, result.execute))
    assert len(result.votes) == 2

"""Attacks on the issuance vote: vote buying, double voting, spam, role grabs, late whales, re-entrancy."""

from __future__ import annotations

import pytest
from brownie import web3
from hexbytes import HexBytes

from scripts.deploy import GRAM
from tests.governance.helpers import (
    ACTIVE,
    DEFEATED,
    EXECUTED,
    SUCCEEDED,
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


def _tally(governor, pid) -> tuple[int, int, int]:
    """(against, for, abstain) as plain ints."""
    return tuple(int(v) for v in governor.proposalVotes(pid))


def _timelock_salt(governor, description_hash) -> bytes:
    """GovernorTimelockControl's salt: bytes20(governor) XOR descriptionHash."""
    value = (int(governor.address, 16) << 96) ^ int.from_bytes(bytes(description_hash), "big")
    return value.to_bytes(32, "big")


def _selector(data) -> bytes:
    """First 4 bytes of revert data, or of the keccak of an error signature."""
    if "(" in str(data):
        return bytes(web3.keccak(text=str(data)))[:4]
    return bytes(HexBytes(data))[:4]


# ---- votes are counted at the snapshot ----------------------------------------------------------------------


def test_votes_bought_after_snapshot_do_not_count(chain, token, governor, alice, whale, eve):
    pid, _ = propose_issuance(governor, token, "raise", 1_000 * GRAM, alice)
    wait_for_voting(chain, governor, pid)
    # eve buys the whale's grams once the snapshot is taken and delegates them to herself
    token.transfer(eve, token.balanceOf(whale), {"from": whale})
    token.delegate(eve, {"from": eve})
    chain.sleep(1)
    chain.mine()
    assert token.getVotes(eve) == 400_000 * GRAM
    tx = cast_vote(governor, pid, "for", eve)
    assert tx.events["VoteCast"]["weight"] == 0
    assert _tally(governor, pid) == (0, 0, 0)
    # the seller keeps the weight it had at the snapshot; it was the holder then
    tx = cast_vote(governor, pid, "against", whale)
    assert tx.events["VoteCast"]["weight"] == 400_000 * GRAM


def test_grams_moved_before_snapshot_do_count(chain, token, governor, alice, whale, eve):
    """The voting delay is the window to delegate or buy: what is delegated at the snapshot votes."""
    token.delegate(eve, {"from": eve})
    pid, _ = propose_issuance(governor, token, "raise", 1_000 * GRAM, alice)
    token.transfer(eve, 1_000 * GRAM, {"from": whale})
    wait_for_voting(chain, governor, pid)
    assert cast_vote(governor, pid, "for", eve).events["VoteCast"]["weight"] == 1_000 * GRAM
    assert cast_vote(governor, pid, "for", whale).events["VoteCast"]["weight"] == 399_000 * GRAM


def test_transfer_after_voting_gives_no_second_vote(chain, token, governor, alice, bob, eve):
    pid, _ = propose_issuance(governor, token, "raise", 1_000 * GRAM, alice)
    wait_for_voting(chain, governor, pid)
    cast_vote(governor, pid, "for", alice)
    # alice passes her grams on: to a holder who has not voted yet, and to a fresh account
    token.transfer(bob, 150_000 * GRAM, {"from": alice})
    token.transfer(eve, 150_000 * GRAM, {"from": alice})
    token.delegate(eve, {"from": eve})
    chain.sleep(1)
    chain.mine()
    assert cast_vote(governor, pid, "for", bob).events["VoteCast"]["weight"] == 200_000 * GRAM
    assert cast_vote(governor, pid, "for", eve).events["VoteCast"]["weight"] == 0
    with reverts_with("GovernorAlreadyCastVote"):
        cast_vote(governor, pid, "for", alice)
    with reverts_with("GovernorAlreadyCastVote"):
        cast_vote(governor, pid, "against", bob, reason="changed my mind")
    assert _tally(governor, pid) == (0, 500_000 * GRAM, 0)


def test_delegating_to_a_voter_after_snapshot_adds_nothing(chain, token, governor, alice, bob, carol):
    pid, _ = propose_issuance(governor, token, "raise", 1_000 * GRAM, alice)
    wait_for_voting(chain, governor, pid)
    token.delegate(alice, {"from": carol})
    token.delegate(alice, {"from": bob})
    chain.sleep(1)
    chain.mine()
    assert cast_vote(governor, pid, "for", alice).events["VoteCast"]["weight"] == 300_000 * GRAM
    # bob and carol still vote with their own snapshot weight
    assert cast_vote(governor, pid, "against", bob).events["VoteCast"]["weight"] == 200_000 * GRAM


# ---- proposal threshold -----------------------------------------------------------------------------------


def test_proposal_threshold_holds(chain, token, governor, minter, dave, eve, carol):
    assert governor.proposalThreshold() == 1_000 * GRAM
    targets, values, calldatas = issuance_actions(token, "raise", 1_000_000 * GRAM)
    with reverts_with("GovernorInsufficientProposerVotes"):  # 500 delegated grams
        propose_actions(governor, targets, values, calldatas, "dave's raise", dave)
    token.mint(eve, 5_000 * GRAM, {"from": minter})
    chain.sleep(1)
    chain.mine()
    with reverts_with("GovernorInsufficientProposerVotes"):  # holds enough, but undelegated grams have no votes
        propose_actions(governor, targets, values, calldatas, "eve's raise", eve)
    token.delegate(eve, {"from": eve})
    chain.sleep(1)
    chain.mine()
    propose_actions(governor, targets, values, calldatas, "eve's raise", eve)
    # delegations from other holders lift a small holder over the threshold
    token.delegate(dave, {"from": carol})
    chain.sleep(1)
    chain.mine()
    propose_actions(governor, targets, values, calldatas, "dave's raise", dave)


def test_threshold_is_checked_just_before_proposing(chain, token, governor, minter, eve):
    """Power is measured at clock() - 1: grams delegated in the same second do not count (no flash delegation)."""
    targets, values, calldatas = issuance_actions(token, "raise", 1_000 * GRAM)
    token.mint(eve, 5_000 * GRAM, {"from": minter})
    chain.sleep(1)
    chain.mine()
    tx = token.delegate(eve, {"from": eve})
    assert governor.getVotes(eve, tx.timestamp - 1) == 0
    assert token.getVotes(eve) == 5_000 * GRAM


# ---- only the timelock holds the token's rights ------------------------------------------------------------


def test_nobody_but_the_timelock_can_raise_cap_or_grant_roles(accounts, token, governor, timelock, minter):
    minter_role, admin_role, raiser_role = token.MINTER_ROLE(), token.DEFAULT_ADMIN_ROLE(), token.CAP_RAISER_ROLE()
    for who in list(accounts[:10]):
        with reverts_with("AccessControlUnauthorizedAccount"):
            token.raiseCap(1, {"from": who})
        with reverts_with("AccessControlUnauthorizedAccount"):
            token.grant(who, 1, {"from": who})
        with reverts_with("AccessControlUnauthorizedAccount"):
            token.grantRole(minter_role, who, {"from": who})
        with reverts_with("AccessControlUnauthorizedAccount"):
            token.grantRole(raiser_role, who, {"from": who})
        with reverts_with("AccessControlUnauthorizedAccount"):
            token.revokeRole(minter_role, minter, {"from": who})
    for role in (admin_role, raiser_role, minter_role):
        assert not token.hasRole(role, governor)  # the governor itself holds nothing: only through the timelock
    assert token.hasRole(admin_role, timelock) and token.hasRole(raiser_role, timelock)
    assert not token.hasRole(minter_role, timelock)


def test_timelock_grants_and_revokes_minter_only_by_vote(chain, token, governor, alice, bob, eve, minter):
    role = token.MINTER_ROLE()
    calldatas = [token.grantRole.encode_input(role, eve), token.revokeRole.encode_input(role, minter)]
    pid, _ = propose_actions(governor, [token.address] * 2, [0, 0], calldatas, "swap the minter", alice)
    wait_for_voting(chain, governor, pid)
    cast_vote(governor, pid, "for", alice)
    cast_vote(governor, pid, "for", bob)
    wait_for_deadline(chain, governor, pid)
    queue_proposal(governor, pid, alice)
    wait_for_eta(chain, governor, pid)
    execute_proposal(governor, pid, alice)
    assert token.hasRole(role, eve) and not token.hasRole(role, minter)
    token.mint(eve, 1 * GRAM, {"from": eve})
    with reverts_with("AccessControlUnauthorizedAccount"):
        token.mint(minter, 1 * GRAM, {"from": minter})


def test_timelock_operations_only_through_the_governor(token, timelock, alice, deployer):
    data = token.raiseCap.encode_input(10**9 * GRAM)
    for who in (alice, deployer):
        with reverts_with("AccessControlUnauthorizedAccount"):
            timelock.schedule(token, 0, data, b"\x00" * 32, b"\x01" * 32, timelock.getMinDelay(), {"from": who})
        with reverts_with("AccessControlUnauthorizedAccount"):
            timelock.execute(token, 0, data, b"\x00" * 32, b"\x01" * 32, {"from": who})


# ---- late quorum ------------------------------------------------------------------------------------------


def test_late_whale_vote_extends_deadline(chain, token, governor, alice, bob, whale):
    """Nobody votes until 20 s before the deadline; the whale's vote reaches quorum and would pass the proposal."""
    pid, _ = propose_issuance(governor, token, "raise", 800_000_000 * GRAM, whale)
    wait_for_voting(chain, governor, pid)
    deadline = governor.proposalDeadline(pid)
    wait_until(chain, deadline - 20)
    tx = cast_vote(governor, pid, "for", whale)  # 400k at the last minute: quorum reached, would pass
    extension = governor.lateQuorumVoteExtension()
    assert "ProposalExtended" in tx.events
    assert tx.events["ProposalExtended"]["extendedDeadline"] == tx.timestamp + extension
    assert governor.proposalDeadline(pid) == tx.timestamp + extension > deadline
    wait_until(chain, deadline + 5)
    assert governor.state(pid) == ACTIVE  # without the extension it would have Succeeded here
    cast_vote(governor, pid, "against", alice)
    cast_vote(governor, pid, "against", bob, reason="we had time to answer")
    wait_for_deadline(chain, governor, pid)
    assert governor.state(pid) == DEFEATED  # 400k for, 500k against


def test_early_quorum_does_not_extend(chain, token, governor, alice):
    pid, _ = propose_issuance(governor, token, "raise", 1_000 * GRAM, alice)
    wait_for_voting(chain, governor, pid)
    deadline = governor.proposalDeadline(pid)
    tx = cast_vote(governor, pid, "for", alice)
    assert "ProposalExtended" not in tx.events
    assert governor.proposalDeadline(pid) == deadline
    wait_for_deadline(chain, governor, pid)
    assert governor.state(pid) == SUCCEEDED


# ---- re-entrancy ------------------------------------------------------------------------------------------


def test_execution_is_reentrancy_free(chain, token, governor, timelock, alice, bob, deployer, ReentrantProposalTarget):
    attacker = ReentrantProposalTarget.deploy(governor, timelock, {"from": deployer})
    amount = 5_000 * GRAM
    targets = [token.address, attacker.address]
    values = [0, 0]
    calldatas = [token.raiseCap.encode_input(amount), attacker.attack.encode_input()]
    description = "raise the cap, then call a contract that tries to run this proposal again"
    dhash = web3.keccak(text=description)
    pid = governor.hashProposal(targets, values, calldatas, dhash)
    attacker.arm(pid, targets, values, calldatas, _timelock_salt(governor, dhash), {"from": deployer})
    pid2, _ = propose_actions(governor, targets, values, calldatas, description, alice)
    assert pid2 == pid
    wait_for_voting(chain, governor, pid)
    cast_vote(governor, pid, "for", alice)
    cast_vote(governor, pid, "for", bob)
    wait_for_deadline(chain, governor, pid)
    queue_proposal(governor, pid, alice)
    wait_for_eta(chain, governor, pid)
    execute_proposal(governor, pid, bob)
    assert governor.state(pid) == EXECUTED
    assert token.cap() == CAP + amount  # raised exactly once
    assert attacker.calls() == 1
    assert not attacker.governorReentered()
    assert not attacker.timelockReentered()
    # governor: the proposal is already marked executed when the timelock runs it
    assert _selector(attacker.governorRevert()) == _selector("GovernorUnexpectedProposalState(uint256,uint8,bytes32)")
    # timelock: only the governor may execute
    assert _selector(attacker.timelockRevert()) == _selector("AccessControlUnauthorizedAccount(address,bytes32)")
    with reverts_with("GovernorUnexpectedProposalState"):
        execute_proposal(governor, pid, alice)

"""The issuance vote (IssuanceGovernor + TimelockController): propose, vote, queue, execute, cancel.

Each action first checks what the holder can fix and raises `BlackGoldError` saying what to do ("voting opens
in 40s", "delegate first"), then sends. Status and decoding of proposals live in `proposals`.

Kinds of issuance: "raise" (a) raises the cap by an amount; "grant" (b) raises the cap and mints exactly that
amount to a recipient in the same call (`BlackGold.grant`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum

from web3.types import TxReceipt

from .accounts import Signer
from .chain import chain_now, mine_until
from .contracts import System
from .errors import BlackGoldError
from .units import format_grams, format_time

ZERO_ADDRESS = "0x" + "0" * 40
MAX_CAP = 2**208 - 1  # ERC20Votes' checkpoint limit
KINDS = {"raise": "raise", "a": "raise", "grant": "grant", "b": "grant"}
_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")


class ProposalState(IntEnum):
    """OpenZeppelin Governor's ProposalState, in its on-chain order."""

    Pending = 0
    Active = 1
    Canceled = 2
    Defeated = 3
    Succeeded = 4
    Queued = 5
    Expired = 6
    Executed = 7


class Support(IntEnum):
    """GovernorCountingSimple's vote types."""

    AGAINST = 0
    FOR = 1
    ABSTAIN = 2

    @classmethod
    def parse(cls, text: str | int) -> Support:
        if isinstance(text, int):
            return cls(text)
        value = {"against": cls.AGAINST, "for": cls.FOR, "abstain": cls.ABSTAIN}.get(str(text).strip().lower())
        if value is None:
            raise BlackGoldError(f"vote {text!r} is not a choice: use for, against or abstain")
        return value

    @property
    def word(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class Actions:
    targets: list[str]
    values: list[int]
    calldatas: list[bytes]


def check_address(text: str, what: str) -> str:
    if not _ADDRESS.match(text) or int(text, 16) == 0:
        raise BlackGoldError(f"{what} {text!r} is not a non-zero address (0x followed by 40 hex digits)")
    return text


def issuance_actions(system: System, kind: str, amount: int, recipient: str | None = None) -> Actions:
    """The single action of an issuance proposal: token.raiseCap(amount) or token.grant(recipient, amount)."""
    resolved = KINDS.get(str(kind).lower())
    token = system.token
    if resolved == "raise":
        if recipient:
            raise BlackGoldError("--recipient is only for `grant`; a `raise` proposal mints nothing")
        data = token.encode("raiseCap", amount)
    elif resolved == "grant":
        if not recipient:
            raise BlackGoldError("a grant needs --recipient ADDRESS (who receives the new grams)")
        data = token.encode("grant", check_address(recipient, "--recipient"), amount)
    else:
        raise BlackGoldError(f"unknown proposal kind {kind!r}: use `raise` (a) or `grant` (b)")
    return Actions([token.address], [0], [data])


def default_description(kind: str, amount: int, recipient: str | None = None) -> str:
    if KINDS.get(str(kind).lower()) == "grant":
        return f"Grant {format_grams(amount)} grams to {recipient}: raise the cap by as much and mint them"
    return f"Raise the Black Gold cap by {format_grams(amount)} grams"


def proposal_ids(system: System) -> list[int]:
    """Every proposal id, oldest first (GovernorStorage keeps them on chain: no indexer needed)."""
    gov = system.governor
    return [gov.id_at(i) for i in range(gov.count())]


def exists(system: System, pid: int) -> bool:
    return system.governor.snapshot(pid) != 0


def resolve_proposal(system: System, ref: str | int) -> tuple[int, int | None]:
    """'#2' / '2' (the number `status` shows) or the full id (decimal or 0x hex) -> (proposal id, number)."""
    text = str(ref).strip().lstrip("#")
    try:
        value = int(text, 16) if text.lower().startswith("0x") else int(text)
    except ValueError:
        raise BlackGoldError(
            f"{ref!r} is not a proposal: give the number `status` shows (e.g. 1) or the full id"
        ) from None
    count = system.governor.count()
    if 0 < value < 2**32:
        if value > count:
            verb = "is" if count == 1 else "are"
            raise BlackGoldError(f"there is no proposal #{value} (there {verb} {count}): run `status` to list them")
        return system.governor.id_at(value - 1), value
    if not exists(system, value):
        raise BlackGoldError(f"no proposal with id {value}: run `status` to list the proposals")
    ids = proposal_ids(system)
    return value, (ids.index(value) + 1 if value in ids else None)


def label(pid: int, number: int | None) -> str:
    return f"#{number}" if number else str(pid)


def delegate(system: System, signer: Signer, to: str | None = None) -> TxReceipt:
    """Delegate the signer's votes (to itself by default): grams vote only once delegated."""
    target = to or signer.address
    if not _ADDRESS.match(target):
        raise BlackGoldError(f"--to {to!r} is not an address (0x followed by 40 hex digits)")
    return system.token.delegate(signer, target)


@dataclass(frozen=True)
class Proposed:
    proposal_id: int
    number: int
    receipt: TxReceipt


def propose(
    system: System, signer: Signer, kind: str, amount: int, recipient: str | None = None, description: str | None = None
) -> Proposed:
    """Propose issuance kind (a) "raise" or (b) "grant" of `amount` wei of grams."""
    gov, token = system.governor, system.token
    if amount <= 0:
        raise BlackGoldError("the amount must be more than 0 grams")
    actions = issuance_actions(system, kind, amount, recipient)
    if token.cap() + amount > MAX_CAP:
        raise BlackGoldError(f"the cap cannot exceed {format_grams(MAX_CAP)} grams (ERC20Votes limit)")
    _check_can_propose(system, signer.address)
    text = description or default_description(kind, amount, recipient)
    pid = gov.hash_proposal(actions.targets, actions.values, actions.calldatas, text)
    if exists(system, pid):
        raise BlackGoldError("an identical proposal (same action and description) already exists: change --description")
    receipt = gov.transact(signer, "propose", actions.targets, actions.values, actions.calldatas, text)
    return Proposed(pid, gov.count(), receipt)


def _check_can_propose(system: System, who: str) -> None:
    gov, token = system.governor, system.token
    threshold = gov.threshold()
    power = gov.votes_at(who, chain_now(system.w3) - 1)
    if power >= threshold:
        return
    if token.votes(who) >= threshold:
        hint = "your delegation is only seconds old: it counts from the next block, try again in a moment"
    elif token.balance_of(who) >= threshold:
        hint = "you hold enough grams but they are not delegated: run `delegate` first, then propose"
    else:
        hint = "gather delegations from other holders (they run `delegate --to YOUR_ADDRESS`), then propose"
    raise BlackGoldError(
        f"{who} has {format_grams(power)} grams of voting power; proposing needs {format_grams(threshold)}: {hint}"
    )


@dataclass(frozen=True)
class Voted:
    weight: int
    receipt: TxReceipt


def vote(
    system: System, signer: Signer, pid: int, support: Support, reason: str | None = None, name: str | None = None
) -> Voted:
    """castVote (castVoteWithReason with a reason), after checking the vote can count."""
    gov = system.governor
    name = name or str(pid)
    now = chain_now(system.w3)
    state = ProposalState(gov.state(pid))
    if state == ProposalState.Pending:
        raise BlackGoldError(
            f"voting on proposal {name} has not started: it opens {format_time(gov.snapshot(pid) + 1, now)}; vote then"
        )
    if state != ProposalState.Active:
        raise BlackGoldError(
            f"voting on proposal {name} is closed (it is {state.name}, deadline was "
            f"{format_time(gov.deadline(pid), now)}); run `status {name.lstrip('#')}`"
        )
    if gov.has_voted(pid, signer.address):
        raise BlackGoldError(f"{signer.address} already voted on proposal {name}: each account votes once per proposal")
    snapshot = gov.snapshot(pid)
    weight = gov.votes_at(signer.address, snapshot)
    if weight == 0:
        raise BlackGoldError(
            f"{signer.address} had no voting power at proposal {name}'s snapshot ({format_time(snapshot, now)}): "
            f"grams count only if delegated (`delegate`) before a proposal's snapshot, so this account can vote on "
            f"later proposals"
        )
    if reason:
        receipt = gov.transact(signer, "castVoteWithReason", pid, int(support), reason)
    else:
        receipt = gov.transact(signer, "castVote", pid, int(support))
    return Voted(weight, receipt)


def queue(system: System, signer: Signer, pid: int, name: str | None = None) -> TxReceipt:
    """Put a passed proposal in the timelock (anyone may)."""
    gov = system.governor
    name = name or str(pid)
    now = chain_now(system.w3)
    state = ProposalState(gov.state(pid))
    if state in (ProposalState.Pending, ProposalState.Active):
        raise BlackGoldError(
            f"proposal {name} is still {state.name}: it can be queued after voting closes "
            f"{format_time(gov.deadline(pid), now)} if it passes"
        )
    if state == ProposalState.Defeated:
        against, for_, abstain = gov.tally(pid)
        why = "quorum not reached" if for_ + abstain < gov.quorum(gov.snapshot(pid)) else "more votes against than for"
        raise BlackGoldError(f"proposal {name} was defeated ({why}) and cannot be queued: make a new proposal")
    if state == ProposalState.Queued:
        raise BlackGoldError(f"proposal {name} is already queued: execute it {format_time(gov.eta(pid), now)}")
    if state != ProposalState.Succeeded:
        raise BlackGoldError(f"proposal {name} is {state.name} and cannot be queued")
    return gov.transact(signer, "queue", pid)


def execute(system: System, signer: Signer, pid: int, name: str | None = None) -> TxReceipt:
    """Run a queued proposal once its timelock delay is over (anyone may)."""
    gov = system.governor
    name = name or str(pid)
    now = chain_now(system.w3)
    state = ProposalState(gov.state(pid))
    problems = {
        ProposalState.Succeeded: f"proposal {name} passed but is not queued: run `queue` first",
        ProposalState.Executed: f"proposal {name} was already executed: a proposal runs once",
        ProposalState.Expired: f"proposal {name} expired (not executed within the execution window after its eta): "
        f"make a new proposal",
        ProposalState.Pending: f"proposal {name} is still Pending: voting closes {format_time(gov.deadline(pid), now)}, "
        f"then queue it, then execute",
        ProposalState.Active: f"proposal {name} is still Active: voting closes {format_time(gov.deadline(pid), now)}, "
        f"then queue it, then execute",
    }
    if state in problems:
        raise BlackGoldError(problems[state])
    if state != ProposalState.Queued:
        raise BlackGoldError(f"proposal {name} is {state.name} and cannot be executed")
    eta = gov.eta(pid)
    if now < eta:
        raise BlackGoldError(f"the timelock delay of proposal {name} runs until {format_time(eta, now)}: execute then")
    return gov.transact(signer, "execute", pid)


def cancel(system: System, signer: Signer, pid: int, name: str | None = None) -> TxReceipt:
    """The proposer withdraws a proposal before voting starts."""
    gov = system.governor
    name = name or str(pid)
    proposer = gov.proposer(pid)
    if proposer.lower() != signer.address.lower():
        raise BlackGoldError(f"only the proposer {proposer} can cancel proposal {name}")
    state = ProposalState(gov.state(pid))
    if state != ProposalState.Pending:
        raise BlackGoldError(
            f"proposal {name} is {state.name}: a proposer can cancel only before voting starts "
            f"(it started {format_time(gov.snapshot(pid) + 1, chain_now(system.w3))})"
        )
    return gov.transact(signer, "cancel", pid)


@dataclass(frozen=True)
class Lifecycle:
    proposal_id: int
    propose: TxReceipt
    votes: list[TxReceipt]
    queue: TxReceipt
    execute: TxReceipt


def run_lifecycle(
    system: System,
    proposer: Signer,
    voters: Iterable[Signer],
    kind: str,
    amount: int,
    recipient: str | None = None,
    description: str | None = None,
) -> Lifecycle:
    """Local dev chains only: propose, let `voters` vote for, queue, wait out the timelock, execute.

    The chain clock is moved with evm_increaseTime to just past each deadline, as read from the governor.
    """
    w3, gov = system.w3, system.governor
    proposed = propose(system, proposer, kind, amount, recipient, description)
    pid = proposed.proposal_id
    mine_until(w3, gov.snapshot(pid) + 1)
    votes = [vote(system, v, pid, Support.FOR).receipt for v in voters]
    mine_until(w3, gov.deadline(pid) + 1)
    queued = queue(system, proposer, pid)
    mine_until(w3, gov.eta(pid))
    executed = execute(system, proposer, pid)
    return Lifecycle(pid, proposed.receipt, votes, queued, executed)

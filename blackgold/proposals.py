"""What a proposal is and where it stands, read from the chain alone (no indexer).

`proposal_status` gathers state, timeline, tally, quorum and the decoded action into a `ProposalStatus`;
`describe_actions` turns calldata back into "raise the cap by 50,000,000 grams and mint them to 0x...".
Descriptions are not kept in storage, so they come from the governor's ProposalCreated logs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from web3.exceptions import Web3Exception
from web3.logs import DISCARD

from .chain import chain_now
from .contracts import System
from .errors import BlackGoldError
from .governance import ProposalState, exists
from .units import format_grams


@dataclass(frozen=True)
class ProposalStatus:
    number: int | None
    id: int
    state: ProposalState
    proposer: str
    description: str
    actions: list[str]
    snapshot: int
    deadline: int
    eta: int
    votes_for: int
    votes_against: int
    votes_abstain: int
    quorum: int
    quorum_final: bool  # False before the snapshot: the quorum shown is today's estimate
    cap_before: int
    cap_after: int
    now: int

    @property
    def quorum_reached(self) -> bool:
        return self.quorum_final and self.votes_for + self.votes_abstain >= self.quorum


def describe_actions(system: System, targets: Sequence[str], calldatas: Sequence[bytes]) -> tuple[list[str], int]:
    """Human lines for a proposal's actions and the total cap increase they ask for (wei of grams)."""
    lines: list[str] = []
    increase = 0
    token = system.token
    for target, data in zip(targets, calldatas, strict=True):
        decoded = None
        if str(target).lower() == token.address.lower():
            try:
                fn, args = token.contract.decode_function_input(data)
                decoded = (str(fn.fn_name), args)
            except (ValueError, KeyError):
                decoded = None
        if decoded and decoded[0] == "raiseCap":
            amount = int(decoded[1]["increase"])
            increase += amount
            lines.append(f"raise the cap by {format_grams(amount)} grams")
        elif decoded and decoded[0] == "grant":
            amount = int(decoded[1]["amount"])
            increase += amount
            lines.append(f"raise the cap by {format_grams(amount)} grams and mint them to {decoded[1]['recipient']}")
        elif decoded:
            lines.append(f"token.{decoded[0]} {dict(decoded[1])}")
        else:
            lines.append(f"call {target} with 0x{bytes(data)[:4].hex()}...")
    return lines, increase


def descriptions(system: System) -> dict[int, tuple[str, str]]:
    """proposalId -> (description, proposer) from ProposalCreated logs since the deployment block."""
    out: dict[int, tuple[str, str]] = {}
    try:
        logs = system.governor.contract.events.ProposalCreated.get_logs(from_block=system.deployment.from_block)
    except (Web3Exception, ValueError):  # a node without log history still gets a status, without descriptions
        return out
    for log in logs:
        out[int(log["args"]["proposalId"])] = (str(log["args"]["description"]), str(log["args"]["proposer"]))
    return out


def executed_cap_change(system: System, pid: int) -> tuple[int, int] | None:
    """(cap before, cap after) of an executed proposal, from the CapRaised logs of its execution."""
    gov, token = system.governor.contract, system.token.contract
    try:
        for log in gov.events.ProposalExecuted.get_logs(from_block=system.deployment.from_block):
            if int(log["args"]["proposalId"]) != pid:
                continue
            receipt = system.w3.eth.get_transaction_receipt(log["transactionHash"])
            raised = [e["args"] for e in token.events.CapRaised().process_receipt(receipt, errors=DISCARD)]
            if raised:
                return int(raised[0]["previousCap"]), int(raised[-1]["newCap"])
    except (Web3Exception, ValueError):
        return None
    return None


def proposal_status(
    system: System, pid: int, number: int | None = None, known: dict[int, tuple[str, str]] | None = None
) -> ProposalStatus:
    """Everything `status` shows about one proposal, as data."""
    gov = system.governor
    if not exists(system, pid):
        raise BlackGoldError(f"no proposal with id {pid}: run `status` to list the proposals")
    now = chain_now(system.w3)
    state = ProposalState(gov.state(pid))
    snapshot = gov.snapshot(pid)
    against, for_, abstain = gov.tally(pid)
    quorum_final = snapshot < now
    quorum = gov.quorum(snapshot if quorum_final else now - 1)
    targets, _values, calldatas, _hash = gov.details(pid)
    actions, increase = describe_actions(system, targets, calldatas)
    cap_now = system.token.cap()
    if state == ProposalState.Executed:
        cap_before, cap_after = executed_cap_change(system, pid) or (cap_now - increase, cap_now)
    else:
        cap_before, cap_after = cap_now, cap_now + increase
    description, proposer = (descriptions(system) if known is None else known).get(pid, ("", ""))
    return ProposalStatus(
        number=number,
        id=pid,
        state=state,
        proposer=proposer or gov.proposer(pid),
        description=description,
        actions=actions,
        snapshot=snapshot,
        deadline=gov.deadline(pid),
        eta=gov.eta(pid),
        votes_for=for_,
        votes_against=against,
        votes_abstain=abstain,
        quorum=quorum,
        quorum_final=quorum_final,
        cap_before=cap_before,
        cap_after=cap_after,
        now=now,
    )

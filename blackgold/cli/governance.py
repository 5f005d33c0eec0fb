"""Holders' commands for the issuance vote: power, delegate, propose, vote, queue, execute, cancel, status.

PROPOSAL is the number `status` shows (#1, #2, ... or just 1, 2, ...) or the full proposal id.
"""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from .. import governance as gov
from ..chain import chain_now
from ..errors import BlackGoldError
from ..mining import mined_by_role
from ..proposals import ProposalStatus, descriptions, proposal_status
from ..units import format_grams, format_time, parse_grams
from .context import Context


def register(sub: Any, command: Any) -> None:
    command(sub, "power", "balance, delegate and voting power of an account", cmd_power).add_argument(
        "address", nargs="?", help="default: the --account"
    )
    command(sub, "delegate", "delegate your grams' votes (to yourself by default)", cmd_delegate).add_argument(
        "--to", default=None, metavar="ADDRESS"
    )
    p = command(sub, "propose", "propose additional issuance: raise (a) the cap, or grant (b) new grams", cmd_propose)
    p.add_argument(
        "kind", help="raise (a): raise the cap by AMOUNT; grant (b): raise it and mint AMOUNT to --recipient"
    )
    p.add_argument("amount", help="grams, e.g. 50,000,000")
    p.add_argument("--recipient", default=None, metavar="ADDRESS", help="who receives a grant's grams")
    p.add_argument("--description", default=None)
    p = command(sub, "vote", "vote for, against or abstain", cmd_vote)
    p.add_argument("proposal")
    p.add_argument("support", help="for, against or abstain")
    p.add_argument("--reason", default=None)
    for name, text, handler in (
        ("queue", "queue a passed proposal in the timelock", cmd_queue),
        ("execute", "execute a queued proposal once the timelock delay is over", cmd_execute),
        ("cancel", "withdraw your proposal before voting starts", cmd_cancel),
    ):
        command(sub, name, text, handler).add_argument("proposal")
    command(sub, "status", "one proposal, or all of them", cmd_status).add_argument("proposal", nargs="?")


def _tx(receipt: Any) -> str:
    return "0x" + bytes(receipt["transactionHash"]).hex()


def cmd_power(ctx: Context, args: argparse.Namespace, out: TextIO) -> None:
    system = ctx.system
    who = args.address or (ctx.signer.address if ctx.account else None)
    if who is None:
        raise BlackGoldError("give an ADDRESS or --account")
    who = gov.check_address(who, "address")
    token = system.token
    delegate = token.delegates(who)
    print(f"account          {who}", file=out)
    print(f"balance          {format_grams(token.balance_of(who))} grams", file=out)
    print(f"delegates to     {delegate if int(delegate, 16) else 'nobody (delegate to vote)'}", file=out)
    print(f"voting power     {format_grams(token.votes(who))} grams", file=out)
    print(f"to propose       {format_grams(system.governor.threshold())} grams of voting power", file=out)
    if system.mining is not None:
        mined = mined_by_role(system, who)
        print(
            "mined            " + " / ".join(f"{role} {format_grams(g)}" for role, g in mined.items()) + " grams",
            file=out,
        )


def cmd_delegate(ctx: Context, args: argparse.Namespace, out: TextIO) -> None:
    system, signer = ctx.system, ctx.signer
    receipt = gov.delegate(system, signer, args.to)
    target = args.to or signer.address
    balance = system.token.balance_of(signer.address)
    whom = "yourself" if target.lower() == signer.address.lower() else target
    print(
        f"{signer.address} now delegates {format_grams(balance)} grams of votes to {whom} (tx {_tx(receipt)})", file=out
    )
    if balance == 0:
        print("note: this account holds no grams yet; grams it receives later will follow the delegation", file=out)


def cmd_propose(ctx: Context, args: argparse.Namespace, out: TextIO) -> None:
    system = ctx.system
    if str(args.kind).lower() not in gov.KINDS:
        raise BlackGoldError(f"unknown proposal kind {args.kind!r}: use `raise` (a) or `grant` (b)")
    amount = parse_grams(args.amount)
    proposed = gov.propose(system, ctx.signer, args.kind, amount, args.recipient, args.description)
    pid = proposed.proposal_id
    status = proposal_status(system, pid, proposed.number)
    now = chain_now(system.w3)
    print(f"proposal #{proposed.number} created (tx {_tx(proposed.receipt)})", file=out)
    print(f"  id        {pid}", file=out)
    print(f"  action    {status.actions[0]}", file=out)
    print(f"  voting    opens {format_time(status.snapshot + 1, now)}", file=out)
    print(f"            closes {format_time(status.deadline, now)}", file=out)


def cmd_vote(ctx: Context, args: argparse.Namespace, out: TextIO) -> None:
    support = gov.Support.parse(args.support)
    system = ctx.system
    pid, number = gov.resolve_proposal(system, args.proposal)
    name = gov.label(pid, number)
    voted = gov.vote(system, ctx.signer, pid, support, args.reason, name)
    print(
        f"{ctx.signer.address} voted {support.name.lower()} on proposal {name} with {format_grams(voted.weight)} "
        f"grams (tx {_tx(voted.receipt)})",
        file=out,
    )


def cmd_queue(ctx: Context, args: argparse.Namespace, out: TextIO) -> None:
    system = ctx.system
    pid, number = gov.resolve_proposal(system, args.proposal)
    name = gov.label(pid, number)
    receipt = gov.queue(system, ctx.signer, pid, name)
    eta = system.governor.eta(pid)
    print(
        f"proposal {name} queued in the timelock (tx {_tx(receipt)}); execute it "
        f"{format_time(eta, chain_now(system.w3))}",
        file=out,
    )


def cmd_execute(ctx: Context, args: argparse.Namespace, out: TextIO) -> None:
    system = ctx.system
    pid, number = gov.resolve_proposal(system, args.proposal)
    name = gov.label(pid, number)
    cap_before = system.token.cap()
    receipt = gov.execute(system, ctx.signer, pid, name)
    print(
        f"proposal {name} executed (tx {_tx(receipt)}); cap {format_grams(cap_before)} -> "
        f"{format_grams(system.token.cap())} grams",
        file=out,
    )


def cmd_cancel(ctx: Context, args: argparse.Namespace, out: TextIO) -> None:
    system = ctx.system
    pid, number = gov.resolve_proposal(system, args.proposal)
    receipt = gov.cancel(system, ctx.signer, pid, gov.label(pid, number))
    print(f"proposal {gov.label(pid, number)} cancelled (tx {_tx(receipt)})", file=out)


def cmd_status(ctx: Context, args: argparse.Namespace, out: TextIO) -> None:
    system = ctx.system
    known = descriptions(system)
    if args.proposal is not None:
        pid, number = gov.resolve_proposal(system, args.proposal)
        print(format_status(proposal_status(system, pid, number, known)), file=out)
        return
    ids = gov.proposal_ids(system)
    print(
        f"cap {format_grams(system.token.cap())} grams; minted {format_grams(system.token.total_minted())}; "
        f"{len(ids)} proposal{'s' if len(ids) != 1 else ''}",
        file=out,
    )
    for number, pid in enumerate(ids, start=1):
        print("", file=out)
        print(format_status(proposal_status(system, pid, number, known)), file=out)


def format_status(s: ProposalStatus) -> str:
    now = s.now
    head = f"#{s.number} " if s.number else ""
    title = s.description.splitlines()[0] if s.description else (s.actions[0] if s.actions else "")
    lines = [f"{head}{title}  [{s.state.name}]", f"  id        {s.id}", f"  proposer  {s.proposer}"]
    lines += [f"  action    {action}" for action in s.actions]
    lines.append(f"  snapshot  {format_time(s.snapshot, now)}")
    lines.append(f"  deadline  {format_time(s.deadline, now)}")
    if s.eta:
        lines.append(f"  eta       {format_time(s.eta, now)} (timelock delay over)")
    lines.append(
        f"  votes     for {format_grams(s.votes_for)} / against {format_grams(s.votes_against)} / "
        f"abstain {format_grams(s.votes_abstain)} grams"
    )
    if s.quorum_final:
        reached = "reached" if s.quorum_reached else "not reached"
        lines.append(f"  quorum    {format_grams(s.quorum)} grams (for + abstain): {reached}")
    else:
        lines.append(f"  quorum    about {format_grams(s.quorum)} grams (fixed at the snapshot)")
    verb = "was" if s.state == gov.ProposalState.Executed else "would be"
    lines.append(
        f"  cap       {format_grams(s.cap_before)} -> {format_grams(s.cap_after)} grams "
        f"({verb} +{format_grams(s.cap_after - s.cap_before)})"
    )
    return "\n".join(lines)

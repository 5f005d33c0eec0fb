"""Holders' commands for the community issuance vote (IssuanceGovernor + TimelockController).

    python -m scripts.holders [--network NET] [--account ACCT] [--deployment FILE] COMMAND ...

Commands (amounts in whole grams, thousands separators welcome: 50,000,000):
    power    [ADDRESS]                              balance, delegate and voting power of an account
    delegate [--to ADDRESS]                         delegate your grams' votes (to yourself by default)
    propose  {raise|grant} AMOUNT [--recipient ADDRESS] [--description TEXT]
             raise = kind (a): raise the cap by AMOUNT grams
             grant = kind (b): raise the cap by AMOUNT grams and mint them to --recipient
    vote     PROPOSAL {for|against|abstain} [--reason TEXT]
    queue    PROPOSAL                               put a passed proposal in the timelock
    execute  PROPOSAL                               run it once the timelock delay is over
    cancel   PROPOSAL                               the proposer withdraws it, before voting starts
    status   [PROPOSAL]                             one proposal, or all of them
    advance  SECONDS                                local development chains only: skip time (60, 10m, 2h)

PROPOSAL is the number `status` shows (#1, #2, ... or just 1, 2, ...) or the full proposal id.

Options may come before or after the command. --account picks the holder's account: an index into the node's unlocked accounts (local Ganache: 0-19), an
unlocked address, or the id of a Brownie keystore account (`brownie accounts new <id>`; the password is read from
$BG_ACCOUNT_PASSWORD or asked for). Defaults to $BG_ACCOUNT. --network defaults to $BG_NETWORK or ganache-cli;
the chain must already be running and deployed (`brownie run scripts/deploy.py --network NET`).

Every failure the holder can fix is reported as one line starting with "error:" (exit status 2).

The functions in the "lifecycle" section (propose_issuance, cast_vote, queue_proposal, execute_proposal,
cancel_proposal, proposal_status, ...) are plain Python over Brownie contract objects, for tests and the demo.
"""
from __future__ import annotations

import argparse
import contextlib
import datetime as _dt
import io
import json
import os
import re
import sys
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Iterable, Sequence, TextIO

GRAM = 10**18
PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_NETWORK = "ganache-cli"

STATES = ("Pending", "Active", "Canceled", "Defeated", "Succeeded", "Queued", "Expired", "Executed")
PENDING, ACTIVE, CANCELED, DEFEATED, SUCCEEDED, QUEUED, EXPIRED, EXECUTED = range(8)
SUPPORT = {"against": 0, "for": 1, "abstain": 2}
KINDS = {"raise": "raise", "a": "raise", "grant": "grant", "b": "grant"}
ZERO_ADDRESS = "0x" + "0" * 40


class HolderError(Exception):
    """A failure the holder can fix; the CLI prints it as one line, never a traceback."""


# ---------------------------------------------------------------------------------------------------------------
# grams
# ---------------------------------------------------------------------------------------------------------------

_AMOUNT_RE = re.compile(r"^\d{1,3}(,\d{3})*(\.\d+)?$|^\d+(_\d+)*(\.\d+)?$")


def parse_grams(text: str | int) -> int:
    """'50,000,000' / '50_000_000' / '50000000' / '2,500.5' grams -> wei of grams. Raises HolderError."""
    if isinstance(text, int):
        if text < 0:
            raise HolderError(f"amount must not be negative: {text}")
        return text * GRAM
    cleaned = str(text).strip()
    if not _AMOUNT_RE.match(cleaned):
        raise HolderError(
            f"amount {text!r} is not a number of grams: write it like 50,000,000 or 50000000 (decimals with a dot)"
        )
    try:
        value = Decimal(cleaned.replace(",", "").replace("_", ""))
    except InvalidOperation:  # pragma: no cover - the regex already rejects these
        raise HolderError(f"amount {text!r} is not a number of grams")
    wei = value * GRAM
    if wei != wei.to_integral_value():
        raise HolderError(f"amount {text!r} has more than 18 decimals; a gram has 18")
    return int(wei)


def format_grams(wei: int) -> str:
    """Wei of grams -> '50,000,000' or '2,500.5' (thousands separators, no trailing zeros)."""
    wei = int(wei)
    sign = "-" if wei < 0 else ""
    whole, frac = divmod(abs(wei), GRAM)
    text = f"{sign}{whole:,}"
    if frac:
        text += "." + f"{frac:018d}".rstrip("0")
    return text


# ---------------------------------------------------------------------------------------------------------------
# time
# ---------------------------------------------------------------------------------------------------------------


def _duration(seconds: int) -> str:
    seconds = abs(int(seconds))
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            parts.append(f"{seconds // size}{unit}")
            seconds %= size
    if seconds or not parts:
        parts.append(f"{seconds}s")
    return " ".join(parts[:2])


def format_time(ts: int, now: int) -> str:
    """A chain timestamp as UTC with how far it is from the chain's `now`."""
    when = _dt.datetime.fromtimestamp(int(ts), _dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    delta = int(ts) - int(now)
    rel = f"in {_duration(delta)}" if delta > 0 else ("now" if delta == 0 else f"{_duration(delta)} ago")
    return f"{when} ({rel})"


def chain_now() -> int:
    """Timestamp of the latest block: the governor's clock as the chain sees it."""
    from brownie import web3

    return int(web3.eth.get_block("latest")["timestamp"])


# ---------------------------------------------------------------------------------------------------------------
# deployment
# ---------------------------------------------------------------------------------------------------------------


@dataclass
class Deployment:
    """The three contracts holders talk to, plus the deployment file's content."""

    token: Any
    timelock: Any
    governor: Any
    record: dict[str, Any] = field(default_factory=dict)

    @property
    def from_block(self) -> int:
        return int(self.record.get("deployed_at_block") or 0)


def _abi(name: str) -> list:
    path = PROJECT_ROOT / "build" / "contracts" / f"{name}.json"
    if not path.exists():
        raise HolderError(f"no build artifact for {name}: run `brownie compile` in {PROJECT_ROOT}")
    return json.loads(path.read_text())["abi"]


def load_deployment(path: str | Path | None = None, network_name: str | None = None) -> Deployment:
    """Contracts from the deployment file (default: the one scripts/deploy.py wrote for the active network)."""
    from brownie import Contract, network, web3

    from scripts.deploy import deployment_path

    file = Path(path) if path else deployment_path(network_name)
    if not file.exists():
        raise HolderError(
            f"no deployment file at {file}: deploy first with "
            f"`brownie run scripts/deploy.py --network {network_name or network.show_active()}`"
        )
    try:
        record = json.loads(file.read_text())
        addresses = record["contracts"]
        names = ("BlackGold", "TimelockController", "IssuanceGovernor")
        missing = [n for n in names if n not in addresses]
    except (ValueError, KeyError, TypeError) as exc:
        raise HolderError(f"deployment file {file} is not readable ({exc}): redeploy with scripts/deploy.py")
    if missing:
        raise HolderError(f"deployment file {file} has no {', '.join(missing)}: redeploy with scripts/deploy.py")
    if "chain_id" in record and int(record["chain_id"]) != int(web3.eth.chain_id):
        raise HolderError(
            f"deployment file {file} is for chain id {record['chain_id']} but the connected chain has id "
            f"{web3.eth.chain_id}: pick the matching --network or redeploy"
        )
    for name in names:
        if len(web3.eth.get_code(addresses[name])) == 0:
            raise HolderError(
                f"no {name} contract at {addresses[name]} on this chain (was the chain restarted?): "
                f"redeploy with `brownie run scripts/deploy.py --network {network.show_active()}`"
            )
    return Deployment(
        token=Contract.from_abi("BlackGold", addresses["BlackGold"], _abi("BlackGold")),
        timelock=Contract.from_abi("TimelockController", addresses["TimelockController"], _abi("TimelockController")),
        governor=Contract.from_abi("IssuanceGovernor", addresses["IssuanceGovernor"], _abi("IssuanceGovernor")),
        record=record,
    )


def resolve_account(spec: str | None) -> Any:
    """--account: index into unlocked accounts, an unlocked address, or a Brownie keystore id."""
    from brownie import accounts

    if spec is None or str(spec).strip() == "":
        raise HolderError("choose the holder's account with --account (index, address or keystore id) or $BG_ACCOUNT")
    spec = str(spec).strip()
    if spec.isdigit():
        index = int(spec)
        if index >= len(accounts):
            raise HolderError(
                f"account index {index} is out of range: this node unlocks {len(accounts)} accounts (0-{len(accounts) - 1})"
            )
        return accounts[index]
    if spec.startswith("0x"):
        for acct in accounts:
            if acct.address.lower() == spec.lower():
                return acct
        raise HolderError(f"address {spec} is not an unlocked account on this node: use a keystore id instead")
    try:
        return accounts.load(spec, password=os.environ.get("BG_ACCOUNT_PASSWORD"))
    except FileNotFoundError:
        raise HolderError(f"no Brownie account {spec!r}: create it with `brownie accounts new {spec}` or pass an index")
    except ValueError as exc:
        raise HolderError(f"cannot unlock Brownie account {spec!r}: {exc}")


# ---------------------------------------------------------------------------------------------------------------
# lifecycle: plain functions over contract objects (tests and the demo use these directly)
# ---------------------------------------------------------------------------------------------------------------


def issuance_actions(token: Any, kind: str, amount_wei: int, recipient: Any = None) -> tuple[list, list, list]:
    """(targets, values, calldatas) of an issuance proposal.

    kind "raise" (a): token.raiseCap(amount); kind "grant" (b): token.grant(recipient, amount), which raises the
    cap by amount and mints exactly that to recipient in the same call.
    """
    kind = KINDS.get(str(kind).lower(), "")
    if kind == "raise":
        data = token.raiseCap.encode_input(amount_wei)
    elif kind == "grant":
        if recipient is None:
            raise HolderError("a grant needs --recipient ADDRESS")
        data = token.grant.encode_input(recipient, amount_wei)
    else:
        raise HolderError("proposal kind must be `raise` (a: raise the cap) or `grant` (b: raise the cap and mint)")
    return [token.address], [0], [data]


def default_description(kind: str, amount_wei: int, recipient: Any = None) -> str:
    if KINDS.get(str(kind).lower()) == "grant":
        return f"Grant {format_grams(amount_wei)} grams to {recipient}: raise the cap by as much and mint them"
    return f"Raise the Black Gold cap by {format_grams(amount_wei)} grams"


def propose_actions(governor: Any, targets: list, values: list, calldatas: list, description: str, sender: Any):
    """Submit a proposal; returns (proposal_id, tx)."""
    tx = governor.propose(targets, values, calldatas, description, {"from": sender})
    return int(tx.events["ProposalCreated"]["proposalId"]), tx


def propose_issuance(governor: Any, token: Any, kind: str, amount_wei: int, sender: Any, recipient: Any = None,
                     description: str | None = None):
    """Propose kind (a) "raise" or kind (b) "grant"; returns (proposal_id, tx)."""
    targets, values, calldatas = issuance_actions(token, kind, amount_wei, recipient)
    return propose_actions(governor, targets, values, calldatas,
                           description or default_description(kind, amount_wei, recipient), sender)


def cast_vote(governor: Any, proposal_id: int, support: str | int, sender: Any, reason: str | None = None):
    """castVote, or castVoteWithReason when a reason is given. support: for / against / abstain (or 1/0/2)."""
    value = SUPPORT[support.lower()] if isinstance(support, str) else int(support)
    if reason:
        return governor.castVoteWithReason(proposal_id, value, reason, {"from": sender})
    return governor.castVote(proposal_id, value, {"from": sender})


def queue_proposal(governor: Any, proposal_id: int, sender: Any):
    return governor.queue(proposal_id, {"from": sender})


def execute_proposal(governor: Any, proposal_id: int, sender: Any):
    return governor.execute(proposal_id, {"from": sender})


def cancel_proposal(governor: Any, proposal_id: int, sender: Any):
    return governor.cancel(proposal_id, {"from": sender})


def delegate_votes(token: Any, sender: Any, to: Any = None):
    return token.delegate(to or sender, {"from": sender})


def proposal_ids(governor: Any) -> list[int]:
    """Every proposal id, oldest first (GovernorStorage keeps them on chain)."""
    return [int(governor.proposalDetailsAt(i)[0]) for i in range(governor.proposalCount())]


def proposal_exists(governor: Any, proposal_id: int) -> bool:
    return int(governor.proposalSnapshot(proposal_id)) != 0


def wait_until(chain: Any, timestamp: int) -> None:
    """Local chains only: move the chain's clock to at least `timestamp` and mine a block (tests, demo)."""
    delta = int(timestamp) - int(chain.time())
    if delta > 0:
        chain.sleep(delta)
    chain.mine()


def wait_for_voting(chain: Any, governor: Any, proposal_id: int) -> None:
    """Local chains only: advance past the snapshot so voting is open."""
    wait_until(chain, governor.proposalSnapshot(proposal_id) + 1)


def wait_for_deadline(chain: Any, governor: Any, proposal_id: int) -> None:
    """Local chains only: advance past the (possibly extended) voting deadline."""
    wait_until(chain, governor.proposalDeadline(proposal_id) + 1)


def wait_for_eta(chain: Any, governor: Any, proposal_id: int) -> None:
    """Local chains only: advance until the timelock delay of a queued proposal is over."""
    wait_until(chain, governor.proposalEta(proposal_id))


def run_issuance_lifecycle(chain: Any, dep: Deployment, kind: str, amount_wei: int, proposer: Any,
                           voters: Iterable[Any], recipient: Any = None, description: str | None = None) -> dict:
    """Local chains only: propose, let `voters` vote for, queue, wait out the timelock, execute.

    Returns {"proposal_id", "propose", "votes", "queue", "execute"} (transactions) for the demo and the bench.
    """
    pid, ptx = propose_issuance(dep.governor, dep.token, kind, amount_wei, proposer, recipient, description)
    wait_for_voting(chain, dep.governor, pid)
    vtxs = [cast_vote(dep.governor, pid, "for", v) for v in voters]
    wait_for_deadline(chain, dep.governor, pid)
    qtx = queue_proposal(dep.governor, pid, proposer)
    wait_for_eta(chain, dep.governor, pid)
    etx = execute_proposal(dep.governor, pid, proposer)
    return {"proposal_id": pid, "propose": ptx, "votes": vtxs, "queue": qtx, "execute": etx}


# ---------------------------------------------------------------------------------------------------------------
# status
# ---------------------------------------------------------------------------------------------------------------


def describe_actions(dep: Deployment, targets: Sequence, calldatas: Sequence) -> tuple[list[str], int]:
    """Human lines for a proposal's actions and the total cap increase they ask for (wei)."""
    lines, increase = [], 0
    token_address = dep.token.address.lower()
    for target, data in zip(targets, calldatas):
        data_hex = data.hex() if isinstance(data, (bytes, bytearray)) else str(data)
        if not data_hex.startswith("0x"):
            data_hex = "0x" + data_hex
        decoded = None
        if str(target).lower() == token_address:
            try:
                decoded = dep.token.decode_input(data_hex)
            except Exception:
                decoded = None
        if decoded and decoded[0] == "raiseCap(uint256)":
            amount = int(decoded[1][0])
            increase += amount
            lines.append(f"raise the cap by {format_grams(amount)} grams")
        elif decoded and decoded[0] == "grant(address,uint256)":
            recipient, amount = decoded[1][0], int(decoded[1][1])
            increase += amount
            lines.append(f"raise the cap by {format_grams(amount)} grams and mint them to {recipient}")
        elif decoded:
            lines.append(f"token.{decoded[0]} {list(decoded[1])}")
        else:
            lines.append(f"call {target} with {data_hex[:10]}...")
    return lines, increase


def _descriptions(dep: Deployment) -> dict[int, tuple[str, str]]:
    """proposalId -> (description, proposer) from ProposalCreated logs (descriptions are not kept in storage)."""
    from brownie import web3

    out: dict[int, tuple[str, str]] = {}
    try:
        contract = web3.eth.contract(address=dep.governor.address, abi=dep.governor.abi)
        for log in contract.events.ProposalCreated.get_logs(from_block=dep.from_block):
            out[int(log["args"]["proposalId"])] = (log["args"]["description"], log["args"]["proposer"])
    except Exception:  # a node without log history still gets a status, only without descriptions
        pass
    return out


def _executed_cap_change(dep: Deployment, proposal_id: int) -> tuple[int, int] | None:
    """(cap before, cap after) of an executed proposal, from the CapRaised logs of its execution."""
    from brownie import web3

    try:
        gov = web3.eth.contract(address=dep.governor.address, abi=dep.governor.abi)
        tok = web3.eth.contract(address=dep.token.address, abi=dep.token.abi)
        for log in gov.events.ProposalExecuted.get_logs(from_block=dep.from_block):
            if int(log["args"]["proposalId"]) != proposal_id:
                continue
            receipt = web3.eth.get_transaction_receipt(log["transactionHash"])
            raised = [e["args"] for e in tok.events.CapRaised().process_receipt(receipt, errors=_discard())]
            if raised:
                return int(raised[0]["previousCap"]), int(raised[-1]["newCap"])
    except Exception:
        return None
    return None


def _discard():
    from web3.logs import DISCARD

    return DISCARD


def proposal_status(dep: Deployment, proposal_id: int, now: int | None = None, number: int | None = None,
                    descriptions: dict | None = None) -> dict[str, Any]:
    """Everything `status` shows about one proposal, as data."""
    gov = dep.governor
    if not proposal_exists(gov, proposal_id):
        raise HolderError(f"no proposal with id {proposal_id}: run `status` to list the proposals")
    now = chain_now() if now is None else now
    state = int(gov.state(proposal_id))
    snapshot = int(gov.proposalSnapshot(proposal_id))
    deadline = int(gov.proposalDeadline(proposal_id))
    against, for_, abstain = (int(v) for v in gov.proposalVotes(proposal_id))
    if snapshot < now:
        quorum, quorum_final = int(gov.quorum(snapshot)), True
    else:  # the supply at the snapshot is not known yet: show today's figure
        quorum, quorum_final = int(gov.quorum(now - 1)), False
    targets, _values, calldatas, _h = gov.proposalDetails(proposal_id)
    actions, increase = describe_actions(dep, targets, calldatas)
    cap_now = int(dep.token.cap())
    if state == EXECUTED:
        change = _executed_cap_change(dep, proposal_id) or (cap_now - increase, cap_now)
        cap_before, cap_after = change
    else:
        cap_before, cap_after = cap_now, cap_now + increase
    descriptions = _descriptions(dep) if descriptions is None else descriptions
    description, proposer = descriptions.get(proposal_id, ("", ""))
    return {
        "number": number,
        "id": proposal_id,
        "state": STATES[state],
        "proposer": proposer or str(gov.proposalProposer(proposal_id)),
        "description": description,
        "actions": actions,
        "snapshot": snapshot,
        "deadline": deadline,
        "eta": int(gov.proposalEta(proposal_id)),
        "for": for_,
        "against": against,
        "abstain": abstain,
        "quorum": quorum,
        "quorum_final": quorum_final,
        "quorum_reached": quorum_final and (for_ + abstain) >= quorum,
        "cap_before": cap_before,
        "cap_after": cap_after,
        "now": now,
    }


def format_status(s: dict[str, Any]) -> str:
    now = s["now"]
    head = f"#{s['number']} " if s.get("number") else ""
    title = s["description"].splitlines()[0] if s["description"] else (s["actions"][0] if s["actions"] else "")
    lines = [f"{head}{title}  [{s['state']}]", f"  id        {s['id']}", f"  proposer  {s['proposer']}"]
    for action in s["actions"]:
        lines.append(f"  action    {action}")
    lines.append(f"  snapshot  {format_time(s['snapshot'], now)}")
    lines.append(f"  deadline  {format_time(s['deadline'], now)}")
    if s["eta"]:
        lines.append(f"  eta       {format_time(s['eta'], now)} (timelock delay over)")
    lines.append(
        f"  votes     for {format_grams(s['for'])} / against {format_grams(s['against'])} / "
        f"abstain {format_grams(s['abstain'])} grams"
    )
    if s["quorum_final"]:
        reached = "reached" if s["quorum_reached"] else "not reached"
        lines.append(f"  quorum    {format_grams(s['quorum'])} grams (for + abstain): {reached}")
    else:
        lines.append(f"  quorum    about {format_grams(s['quorum'])} grams (fixed at the snapshot)")
    verb = "was" if s["state"] == "Executed" else "would be"
    lines.append(
        f"  cap       {format_grams(s['cap_before'])} -> {format_grams(s['cap_after'])} grams "
        f"({verb} +{format_grams(s['cap_after'] - s['cap_before'])})"
    )
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------------------------
# CLI commands: check what the holder can fix, then send
# ---------------------------------------------------------------------------------------------------------------


def resolve_proposal(gov: Any, ref: str) -> tuple[int, int | None]:
    """'#2' / '2' (the number `status` shows) or the full id (decimal or 0x hex) -> (proposal_id, number)."""
    text = str(ref).strip().lstrip("#")
    try:
        value = int(text, 16) if text.lower().startswith("0x") else int(text)
    except ValueError:
        raise HolderError(f"{ref!r} is not a proposal: give the number `status` shows (e.g. 1) or the full id")
    count = int(gov.proposalCount())
    if 0 < value < 2**32:
        if value > count:
            raise HolderError(
                f"there is no proposal #{value} (there {'is' if count == 1 else 'are'} {count}): "
                f"run `status` to list them"
            )
        return int(gov.proposalDetailsAt(value - 1)[0]), value
    if not proposal_exists(gov, value):
        raise HolderError(f"no proposal with id {value}: run `status` to list the proposals")
    ids = proposal_ids(gov)
    return value, (ids.index(value) + 1 if value in ids else None)


@contextlib.contextmanager
def _quiet():
    """Brownie prints 'Transaction sent/confirmed' lines; each command prints its own one-line result instead."""
    with contextlib.redirect_stdout(io.StringIO()):
        yield


def _label(pid: int, number: int | None) -> str:
    return f"#{number}" if number else str(pid)


def cmd_power(dep: Deployment, account: Any, address: str | None, out: TextIO) -> None:
    who = address or (account.address if account is not None else None)
    if who is None:
        raise HolderError("give an ADDRESS or --account")
    tok, gov = dep.token, dep.governor
    delegate = tok.delegates(who)
    print(f"account          {who}", file=out)
    print(f"balance          {format_grams(tok.balanceOf(who))} grams", file=out)
    print(f"delegates to     {delegate if delegate != ZERO_ADDRESS else 'nobody (delegate to vote)'}", file=out)
    print(f"voting power     {format_grams(tok.getVotes(who))} grams", file=out)
    print(f"to propose       {format_grams(gov.proposalThreshold())} grams of voting power", file=out)


def cmd_delegate(dep: Deployment, account: Any, to: str | None, out: TextIO) -> None:
    target = to or account.address
    if not re.match(r"^0x[0-9a-fA-F]{40}$", target):
        raise HolderError(f"--to {to!r} is not an address (0x followed by 40 hex digits)")
    balance = dep.token.balanceOf(account)
    with _quiet():
        tx = delegate_votes(dep.token, account, target)
    whom = "yourself" if target.lower() == account.address.lower() else target
    print(f"{account.address} now delegates {format_grams(balance)} grams of votes to {whom} (tx {tx.txid})", file=out)
    if balance == 0:
        print("note: this account holds no grams yet; grams it receives later will follow the delegation", file=out)


def cmd_propose(dep: Deployment, account: Any, kind: str, amount: str, recipient: str | None,
                description: str | None, out: TextIO) -> None:
    gov, tok = dep.governor, dep.token
    if str(kind).lower() not in KINDS:
        raise HolderError(f"unknown proposal kind {kind!r}: use `raise` (a) or `grant` (b)")
    amount_wei = parse_grams(amount)
    if amount_wei == 0:
        raise HolderError("the amount must be more than 0 grams")
    if KINDS[kind.lower()] == "grant":
        if not recipient:
            raise HolderError("a grant needs --recipient ADDRESS (who receives the new grams)")
        if not re.match(r"^0x[0-9a-fA-F]{40}$", recipient) or int(recipient, 16) == 0:
            raise HolderError(f"--recipient {recipient!r} is not a non-zero address (0x followed by 40 hex digits)")
    elif recipient:
        raise HolderError("--recipient is only for `grant`; a `raise` proposal mints nothing")
    max_cap = 2**208 - 1
    if int(tok.cap()) + amount_wei > max_cap:
        raise HolderError(f"the cap cannot exceed {format_grams(max_cap)} grams (ERC20Votes limit)")
    now = chain_now()
    threshold = int(gov.proposalThreshold())
    power = int(gov.getVotes(account, now - 1))
    if power < threshold:
        current = int(tok.getVotes(account))
        if current >= threshold:
            hint = "your delegation is only seconds old: it counts from the next block, try again in a moment"
        elif int(tok.balanceOf(account)) >= threshold:
            hint = "you hold enough grams but they are not delegated: run `delegate` first, then propose"
        else:
            hint = "gather delegations from other holders (they run `delegate --to YOUR_ADDRESS`), then propose"
        raise HolderError(
            f"{account.address} has {format_grams(power)} grams of voting power; proposing needs "
            f"{format_grams(threshold)}: {hint}"
        )
    desc = description or default_description(kind, amount_wei, recipient)
    targets, values, calldatas = issuance_actions(tok, kind, amount_wei, recipient)
    pid = int(gov.hashProposal(targets, values, calldatas, _keccak(desc)))
    if proposal_exists(gov, pid):
        raise HolderError("an identical proposal (same action and description) already exists: change --description")
    with _quiet():
        pid, tx = propose_actions(gov, targets, values, calldatas, desc, account)
    number = int(gov.proposalCount())
    print(f"proposal #{number} created (tx {tx.txid})", file=out)
    print(f"  id        {pid}", file=out)
    print(f"  action    {describe_actions(dep, targets, calldatas)[0][0]}", file=out)
    print(f"  voting    opens {format_time(gov.proposalSnapshot(pid) + 1, chain_now())}", file=out)
    print(f"            closes {format_time(gov.proposalDeadline(pid), chain_now())}", file=out)


def _keccak(text: str) -> bytes:
    from brownie import web3

    return web3.keccak(text=text)


def cmd_vote(dep: Deployment, account: Any, ref: str, support: str, reason: str | None, out: TextIO) -> None:
    gov = dep.governor
    if support.lower() not in SUPPORT:
        raise HolderError(f"vote {support!r} is not a choice: use for, against or abstain")
    pid, number = resolve_proposal(gov, ref)
    label = _label(pid, number)
    now = chain_now()
    state = int(gov.state(pid))
    if state == PENDING:
        raise HolderError(
            f"voting on proposal {label} has not started: it opens {format_time(gov.proposalSnapshot(pid) + 1, now)}; "
            f"vote then"
        )
    if state != ACTIVE:
        raise HolderError(
            f"voting on proposal {label} is closed (it is {STATES[state]}, deadline was "
            f"{format_time(gov.proposalDeadline(pid), now)}); run `status {number or pid}`"
        )
    if gov.hasVoted(pid, account):
        raise HolderError(f"{account.address} already voted on proposal {label}: each account votes once per proposal")
    snapshot = int(gov.proposalSnapshot(pid))
    weight = int(gov.getVotes(account, snapshot))
    if weight == 0:
        raise HolderError(
            f"{account.address} had no voting power at proposal {label}'s snapshot "
            f"({format_time(snapshot, now)}): grams count only if delegated (`delegate`) before a proposal's "
            f"snapshot, so this account can vote on later proposals"
        )
    with _quiet():
        tx = cast_vote(gov, pid, support, account, reason)
    print(f"{account.address} voted {support.lower()} on proposal {label} with {format_grams(weight)} grams "
          f"(tx {tx.txid})", file=out)


def cmd_queue(dep: Deployment, account: Any, ref: str, out: TextIO) -> None:
    gov = dep.governor
    pid, number = resolve_proposal(gov, ref)
    label = _label(pid, number)
    now = chain_now()
    state = int(gov.state(pid))
    if state in (PENDING, ACTIVE):
        raise HolderError(
            f"proposal {label} is still {STATES[state]}: it can be queued after voting closes "
            f"{format_time(gov.proposalDeadline(pid), now)} if it passes"
        )
    if state == DEFEATED:
        against, for_, abstain = (int(v) for v in gov.proposalVotes(pid))
        quorum = int(gov.quorum(gov.proposalSnapshot(pid)))
        why = "quorum not reached" if for_ + abstain < quorum else "more votes against than for"
        raise HolderError(f"proposal {label} was defeated ({why}) and cannot be queued: make a new proposal")
    if state == QUEUED:
        raise HolderError(f"proposal {label} is already queued: run `execute {number or pid}` "
                          f"{format_time(gov.proposalEta(pid), now)}")
    if state != SUCCEEDED:
        raise HolderError(f"proposal {label} is {STATES[state]} and cannot be queued")
    with _quiet():
        tx = queue_proposal(gov, pid, account)
    eta = int(gov.proposalEta(pid))
    print(f"proposal {label} queued in the timelock (tx {tx.txid}); execute it {format_time(eta, chain_now())}",
          file=out)


def cmd_execute(dep: Deployment, account: Any, ref: str, out: TextIO) -> None:
    gov, tok = dep.governor, dep.token
    pid, number = resolve_proposal(gov, ref)
    label = _label(pid, number)
    now = chain_now()
    state = int(gov.state(pid))
    if state == SUCCEEDED:
        raise HolderError(f"proposal {label} passed but is not queued: run `queue {number or pid}` first")
    if state == EXECUTED:
        raise HolderError(f"proposal {label} was already executed: a proposal runs once")
    if state == EXPIRED:
        raise HolderError(f"proposal {label} expired (not executed within the execution window after its eta): "
                          f"make a new proposal")
    if state in (PENDING, ACTIVE):
        raise HolderError(f"proposal {label} is still {STATES[state]}: voting closes "
                          f"{format_time(gov.proposalDeadline(pid), now)}, then queue it, then execute")
    if state != QUEUED:
        raise HolderError(f"proposal {label} is {STATES[state]} and cannot be executed")
    eta = int(gov.proposalEta(pid))
    if now < eta:
        raise HolderError(f"the timelock delay of proposal {label} runs until {format_time(eta, now)}: execute then")
    cap_before = int(tok.cap())
    with _quiet():
        tx = execute_proposal(gov, pid, account)
    print(f"proposal {label} executed (tx {tx.txid}); cap {format_grams(cap_before)} -> "
          f"{format_grams(tok.cap())} grams", file=out)


def cmd_cancel(dep: Deployment, account: Any, ref: str, out: TextIO) -> None:
    gov = dep.governor
    pid, number = resolve_proposal(gov, ref)
    label = _label(pid, number)
    proposer = str(gov.proposalProposer(pid))
    if proposer.lower() != account.address.lower():
        raise HolderError(f"only the proposer {proposer} can cancel proposal {label}")
    state = int(gov.state(pid))
    if state != PENDING:
        raise HolderError(
            f"proposal {label} is {STATES[state]}: a proposer can cancel only before voting starts "
            f"(it started {format_time(gov.proposalSnapshot(pid) + 1, chain_now())})"
        )
    with _quiet():
        tx = cancel_proposal(gov, pid, account)
    print(f"proposal {label} cancelled (tx {tx.txid})", file=out)


def cmd_status(dep: Deployment, ref: str | None, out: TextIO) -> None:
    gov = dep.governor
    now = chain_now()
    descriptions = _descriptions(dep)
    if ref is not None:
        pid, number = resolve_proposal(gov, ref)
        print(format_status(proposal_status(dep, pid, now, number, descriptions)), file=out)
        return
    ids = proposal_ids(gov)
    print(
        f"cap {format_grams(dep.token.cap())} grams; minted {format_grams(dep.token.totalMinted())}; "
        f"{len(ids)} proposal{'s' if len(ids) != 1 else ''}",
        file=out,
    )
    for number, pid in enumerate(ids, start=1):
        print("", file=out)
        print(format_status(proposal_status(dep, pid, now, number, descriptions)), file=out)


def parse_duration(text: str) -> int:
    match = re.match(r"^(\d+)([smhd]?)$", str(text).strip())
    if not match:
        raise HolderError(f"{text!r} is not a duration: write seconds (600) or 10m, 2h, 1d")
    return int(match.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}[match.group(2)]


def is_local_chain(network_name: str) -> bool:
    from scripts.deploy import is_local_network

    return is_local_network(network_name)


def cmd_advance(network_name: str, seconds: str, out: TextIO) -> None:
    """Local chains only (Ganache/anvil): evm_increaseTime + evm_mine, to skip the waits while trying things."""
    from brownie import network, web3

    delta = parse_duration(seconds)
    active = network.show_active()
    if not is_local_chain(active):
        raise HolderError(f"{active} is not a local development chain: on real networks time cannot be skipped")
    from brownie import chain

    try:  # through Brownie when it runs the chain (keeps its clock bookkeeping right, e.g. inside tests)
        chain.sleep(delta)
        chain.mine()
    except Exception:  # attached without Brownie's RPC manager: ask the node directly
        web3.provider.make_request("evm_increaseTime", [delta])
        web3.provider.make_request("evm_mine", [])
    print(f"chain clock moved {_duration(delta)} forward: now {format_time(chain_now(), chain_now())}", file=out)


# ---------------------------------------------------------------------------------------------------------------
# entry point
# ---------------------------------------------------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, not argparse's usage dump
        raise HolderError(f"{message} (see `python -m scripts.holders --help`)")


def _global_options(p: argparse.ArgumentParser, defaults: bool) -> None:
    """--network/--account/--deployment, accepted before or after the command."""
    d = (lambda value: value) if defaults else (lambda value: argparse.SUPPRESS)
    p.add_argument("--network", default=d(os.environ.get("BG_NETWORK", DEFAULT_NETWORK)),
                   help="Brownie network id (default $BG_NETWORK or ganache-cli)")
    p.add_argument("--account", default=d(os.environ.get("BG_ACCOUNT")),
                   help="holder's account: index, unlocked address or Brownie keystore id (default $BG_ACCOUNT)")
    p.add_argument("--deployment", default=d(None), help="deployment file (default: the one for --network)")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m scripts.holders", description=__doc__.split("\n\n")[0],
                formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__.split("\n\n", 1)[1])
    _global_options(p, defaults=True)
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def command(name: str, text: str) -> argparse.ArgumentParser:
        s = sub.add_parser(name, help=text, description=text)
        _global_options(s, defaults=False)
        return s

    command("power", "balance, delegate and voting power").add_argument("address", nargs="?")
    command("delegate", "delegate your votes (to yourself by default)").add_argument("--to", default=None)
    s = command("propose", "propose additional issuance")
    s.add_argument("kind", help="raise (a) or grant (b)")
    s.add_argument("amount", help="grams, e.g. 50,000,000")
    s.add_argument("--recipient", default=None, help="who receives a grant's grams")
    s.add_argument("--description", default=None)
    s = command("vote", "vote for, against or abstain")
    s.add_argument("proposal")
    s.add_argument("support", help="for, against or abstain")
    s.add_argument("--reason", default=None)
    for name, text in (("queue", "queue a passed proposal"), ("execute", "execute a queued proposal"),
                       ("cancel", "cancel your proposal before voting starts")):
        command(name, text).add_argument("proposal")
    command("status", "one proposal or all").add_argument("proposal", nargs="?")
    command("advance", "local development chains only: move the chain's clock forward").add_argument(
        "seconds", help="e.g. 60, or 10m, 2h, 1d")
    return p


NEEDS_ACCOUNT = {"delegate", "propose", "vote", "queue", "execute", "cancel"}


def _connect(network_name: str) -> None:
    from brownie import network, web3
    from brownie._config import CONFIG, _load_project_config

    if network.is_connected():
        return
    if network_name not in CONFIG.networks:
        raise HolderError(f"unknown network {network_name!r}: see `brownie networks list`")
    _load_project_config(PROJECT_ROOT)  # the project's network settings (gas_price: auto, ...)
    try:
        network.connect(network_name, launch_rpc=False)
    except Exception as exc:
        raise HolderError(f"cannot connect to {network_name}: {str(exc).splitlines()[0] if str(exc) else exc}")
    if not web3.is_connected():
        try:
            network.disconnect(kill_rpc=False)
        except Exception:
            pass
        config = CONFIG.networks[network_name]
        host = config.get("host", "")
        port = (config.get("cmd_settings") or {}).get("port")
        if port and ":" not in host.split("//", 1)[-1]:
            host = f"{host}:{port}"
        raise HolderError(f"no node answers for {network_name} at {host}: start the chain (and deploy) first")


def _revert_line(exc: Exception) -> str:
    msg = getattr(exc, "revert_msg", None) or str(exc).splitlines()[0]
    hints = {
        "GovernorInsufficientProposerVotes": "not enough voting power to propose: delegate first",
        "GovernorAlreadyCastVote": "this account already voted on the proposal",
        "GovernorUnexpectedProposalState": "the proposal is not in a state that allows this: run `status`",
        "TimelockUnexpectedOperationState": "the timelock delay is not over yet: run `status` for the eta",
        "GovernorUnableToCancel": "only the proposer can cancel, and only before voting starts",
    }
    for name, hint in hints.items():
        if str(msg).startswith(name):
            return f"transaction reverted ({name}): {hint}"
    return f"transaction reverted: {msg}"


def run(args: argparse.Namespace, out: TextIO) -> None:
    _connect(args.network)
    dep = load_deployment(args.deployment)
    account = resolve_account(args.account) if (args.command in NEEDS_ACCOUNT or
                                                (args.command == "power" and not args.address)) else None
    if args.command == "power":
        cmd_power(dep, account, args.address, out)
    elif args.command == "delegate":
        cmd_delegate(dep, account, args.to, out)
    elif args.command == "propose":
        cmd_propose(dep, account, args.kind, args.amount, args.recipient, args.description, out)
    elif args.command == "vote":
        cmd_vote(dep, account, args.proposal, args.support, args.reason, out)
    elif args.command == "queue":
        cmd_queue(dep, account, args.proposal, out)
    elif args.command == "execute":
        cmd_execute(dep, account, args.proposal, out)
    elif args.command == "cancel":
        cmd_cancel(dep, account, args.proposal, out)
    elif args.command == "status":
        cmd_status(dep, args.proposal, out)
    elif args.command == "advance":
        cmd_advance(args.network, args.seconds, out)


def main(argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """CLI entry point; returns the exit status (0 ok, 2 a failure the holder can fix, 1 anything else)."""
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        args = build_parser().parse_args(list(sys.argv[1:] if argv is None else argv))
        run(args, out)
        return 0
    except HolderError as exc:
        print(f"error: {exc}", file=err)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted", file=err)
        return 130
    except Exception as exc:  # a revert or node error we did not foresee: still one line
        from brownie.exceptions import VirtualMachineError

        if isinstance(exc, VirtualMachineError):
            print(f"error: {_revert_line(exc)}", file=err)
            return 2
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        print(f"error: {type(exc).__name__}: {first}", file=err)
        return 1


if __name__ == "__main__":
    sys.exit(main())

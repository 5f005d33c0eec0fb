"""Everything the relay checks before it stores a request, each refusal naming its field.

`parse(kind, body)` reads the JSON body (format, the domain's chain and contract, the signature against the
holder, all without a chain call beyond cached reads) into a `RelayCall`. `check_chain(call)` then asks the chain:
the holder's current nonce, the deadline against the latest block's time, the proposal (exists, Active, not yet
voted, voting power at its snapshot) or the payout asset (registered, something to claim), and finally simulates
the exact call from the relay key (`eth_estimateGas`): a call that would revert is refused, never sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from web3 import Web3

from blackgold.contracts import System
from blackgold.errors import TransactionReverted

from ..chain import Chain
from ..fields import SIGNATURE_RE, FieldError, JsonObject, check_unknown, parse_address, parse_string, parse_uint
from .typed import Domain, RelayCall, normalize_signature, signer_of

P = "body"
COMMON = frozenset({"holder", "nonce", "chainId", "verifyingContract", "signature"})
FIELDS = {
    "delegate": COMMON | {"delegatee", "expiry"},
    "vote": COMMON | {"proposalId", "support", "reason"},
    "claim": COMMON | {"asset", "recipient", "deadline"},
}
DEADLINE_FIELD = {"delegate": "expiry", "claim": "deadline"}
MAX_REASON = 1000
ACTIVE = 1


class Refusal(Exception):
    """A request the relay refuses: HTTP `status`, a machine `reason`, and the fields at fault."""

    def __init__(self, status: int, reason: str, errors: list[FieldError]) -> None:
        super().__init__(errors[0].message if errors else reason)
        self.status, self.reason, self.errors = status, reason, errors

    @classmethod
    def one(cls, status: int, reason: str, field: str, message: str) -> Refusal:
        return cls(status, reason, [FieldError(f"{P}.{field}", reason, message)])

    def body(self) -> dict[str, Any]:
        return {"error": "refused", "reason": self.reason, "errors": [e.as_dict() for e in self.errors]}


@dataclass
class Checker:
    system: System
    chain: Chain
    min_deadline_seconds: int
    _domains: dict[str, Domain] | None = None

    def domains(self) -> dict[str, Domain]:
        if self._domains is None:
            token = Domain.of(self.system.token.contract)
            self._domains = {"delegate": token, "claim": token, "vote": Domain.of(self.system.governor.contract)}
        return self._domains

    # ------------------------------------------------------------------ the body
    def parse(self, kind: str, body: Any) -> RelayCall:
        if not isinstance(body, dict):
            raise Refusal(400, "invalid_body", [FieldError(P, "wrong_type", "the body must be a JSON object")])
        errors: list[FieldError] = []
        check_unknown(body, FIELDS[kind], P, errors)
        holder = parse_address(body, "holder", P, errors)
        nonce = parse_uint(body, "nonce", P, errors, decimal_string=True)
        chain_id = parse_uint(body, "chainId", P, errors, decimal_string=True)
        contract = parse_address(body, "verifyingContract", P, errors)
        signature = parse_string(body, "signature", P, errors, max_len=132, pattern=SIGNATURE_RE)
        message = self._message(kind, body, holder, nonce, errors)
        if errors or holder is None or signature is None or message is None:
            raise Refusal(400, errors[0].code if len(errors) == 1 else "invalid_fields", errors)
        domain = self.domains()[kind]
        if chain_id != domain.chain_id:
            raise Refusal.one(400, "wrong_chain", "chainId", f"this relay serves chain id {domain.chain_id}")
        if contract != domain.verifying_contract:
            name = "IssuanceGovernor" if kind == "vote" else "BlackGold"
            raise Refusal.one(
                400, "wrong_contract", "verifyingContract", f"{kind} is signed for {name} {domain.verifying_contract}"
            )
        normalized, why = normalize_signature(signature)
        if normalized is None:
            raise Refusal.one(400, "bad_signature", "signature", why)
        primary = {"delegate": "Delegation", "claim": "Claim"}.get(kind) or (
            "ExtendedBallot" if message.get("reason") else "Ballot"
        )
        if primary == "Ballot":
            message.pop("reason", None)
            message.pop("params", None)
        call = RelayCall(kind, holder, domain, primary, message, normalized)
        signer = signer_of(call)
        if signer != holder:
            raise Refusal.one(
                400,
                "bad_signature",
                "signature",
                f"the signature is {signer or 'nobody'}'s, not the holder's ({holder})",
            )
        return call

    @staticmethod
    def _message(
        kind: str, body: JsonObject, holder: str | None, nonce: int | None, errors: list[FieldError]
    ) -> dict[str, Any] | None:
        if kind == "delegate":
            delegatee = parse_address(body, "delegatee", P, errors)
            expiry = parse_uint(body, "expiry", P, errors, decimal_string=True)
            return {"delegatee": delegatee, "nonce": nonce, "expiry": expiry}
        if kind == "vote":
            pid = parse_uint(body, "proposalId", P, errors, decimal_string=True)
            support = parse_uint(body, "support", P, errors, maximum=2, decimal_string=True)
            reason = (
                parse_string(body, "reason", P, errors, max_len=MAX_REASON, allow_empty=True)
                if "reason" in body
                else ""
            )
            return {
                "proposalId": pid,
                "support": support,
                "voter": holder,
                "nonce": nonce,
                "reason": reason,
                "params": "0x",
            }
        asset = parse_address(body, "asset", P, errors)
        recipient = parse_address(body, "recipient", P, errors) if "recipient" in body else holder
        deadline = parse_uint(body, "deadline", P, errors, decimal_string=True)
        return {"holder": holder, "asset": asset, "recipient": recipient, "nonce": nonce, "deadline": deadline}

    # ------------------------------------------------------------------ the chain
    def check_chain(self, call: RelayCall) -> int:
        """Refusal unless the call can succeed now; the simulated gas otherwise."""
        token, governor = self.system.token, self.system.governor
        expected = governor.call("nonces", call.holder) if call.kind == "vote" else token.nonce(call.holder)
        if call.nonce != int(expected):
            raise Refusal.one(400, "wrong_nonce", "nonce", f"the holder's next nonce is {expected}, not {call.nonce}")
        field = DEADLINE_FIELD.get(call.kind)
        if field is not None:
            now = int(self.chain.w3.eth.get_block("latest")["timestamp"])
            if int(call.message[field]) < now + self.min_deadline_seconds:
                raise Refusal.one(
                    400,
                    "expired",
                    field,
                    f"{field} {call.message[field]} is past, or less than {self.min_deadline_seconds}s after the "
                    f"latest block's time ({now})",
                )
        if call.kind == "vote":
            self._check_vote(call)
        elif call.kind == "claim":
            self._check_claim(call)
        to = call.contract
        bound = governor if call.kind == "vote" else token
        try:
            return self.chain.estimate_call(to, call.calldata(bound.contract), bound.decoder)
        except TransactionReverted as exc:
            raise Refusal.one(400, "would_revert", "signature", f"the call would revert: {exc}") from None

    def _check_vote(self, call: RelayCall) -> None:
        governor, pid = self.system.governor, int(call.message["proposalId"])
        try:
            state = governor.state(pid)
        except TransactionReverted as exc:
            if exc.name == "GovernorNonexistentProposal":
                raise Refusal.one(400, "unknown_proposal", "proposalId", f"no proposal {pid}") from None
            raise
        if state != ACTIVE:
            raise Refusal.one(400, "not_active", "proposalId", f"proposal {pid} is not Active (state {state})")
        if governor.has_voted(pid, call.holder):
            raise Refusal.one(400, "already_voted", "holder", f"{call.holder} already voted on proposal {pid}")
        if governor.votes_at(call.holder, governor.snapshot(pid)) == 0:
            raise Refusal.one(400, "no_voting_power", "holder", f"{call.holder} had no votes at the snapshot")

    def _check_claim(self, call: RelayCall) -> None:
        token, asset = self.system.token, Web3.to_checksum_address(call.message["asset"])
        registered, _retired = token.call("payoutAssetStatus", asset)
        if not registered:
            raise Refusal.one(400, "unknown_asset", "asset", f"{asset} is not a payout asset")
        if int(token.call("claimable", call.holder, asset)) == 0:
            raise Refusal.one(400, "nothing_to_claim", "asset", f"{call.holder} has nothing to claim in {asset}")

"""The relay: accepts holders' signed calls (oracle.relay.checks), stores them durably (oracle.relay.store) and
sends them from its own funded key through the oracle's transaction manager (oracle.chain + oracle.txflow,
driven by oracle.relay.worker)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from eth_account.messages import encode_typed_data
from eth_utils.crypto import keccak
from starlette.types import ASGIApp
from web3 import Web3

from blackgold.contracts import System
from blackgold.deployment import Deployment

from ..chain import Chain
from ..config import SigningKey
from ..fields import FieldError
from .checks import Checker, Refusal
from .config import RelaySettings
from .metrics import RelayMetrics
from .models import RelayRequest
from .store import NonceInUse, RateLimited, RelayStore
from .typed import KINDS, RelayCall, typed_data
from .worker import RelayWorker

log = logging.getLogger("oracle.relay")
DEFAULT_VALIDITY = 3600  # seconds after the latest block's time, for deadlines the typed-data helper fills in


class Relay:
    def __init__(
        self,
        settings: RelaySettings,
        key: SigningKey,
        deployment: Deployment,
        rpc_url: str,
        app_factory: Callable[[Relay], ASGIApp],
    ) -> None:
        self.settings = settings
        self.chain = Chain(
            rpc_url, deployment.address("BlackGold"), deployment.abi("BlackGold"), key, settings.rpc_timeout_seconds
        )
        self.address = key.address
        self.system = System.connect(self.chain.w3, deployment)
        self.checker = Checker(self.system, self.chain, settings.min_deadline_seconds)
        self.store = RelayStore(settings.database_url)
        self.metrics = RelayMetrics()
        self.metrics.set_counts_source(self.store.counts)
        decoders = {"vote": self.system.governor.decoder, "delegate": self.system.token.decoder}
        decoders["claim"] = self.system.token.decoder
        self.worker = RelayWorker(settings, self.store, self.chain, decoders, self.metrics)
        self.app = app_factory(self)  # oracle.relay.api.relay_app (which imports this module)

    def start(self) -> None:
        self.worker.start()

    def stop(self) -> None:
        self.worker.stop()
        self.store.close()

    # ------------------------------------------------------------------ accept
    def submit(self, kind: str, body: Any) -> tuple[RelayRequest, bool]:
        """Check, then store: (record, created). Refusal (4xx) otherwise; nothing is stored then."""
        try:
            return self._submit(kind, body)
        except Refusal as refusal:
            self.metrics.refused.labels(refusal.reason).inc()
            raise

    def _submit(self, kind: str, body: Any) -> tuple[RelayRequest, bool]:
        if kind not in KINDS:
            raise Refusal(404, "unknown_call", [FieldError("kind", "unknown_call", f"the relay only sends {KINDS}")])
        call = self.checker.parse(kind, body)
        digest = digest_of(call)
        existing = self.store.same(digest)
        if existing is not None:
            self.metrics.duplicates.labels(kind).inc()
            return existing, False
        live = self.store.live(call)
        if live is not None:
            raise self._in_use(live)
        self._check_rate(call.holder, self.store.recent(call.holder))
        self.checker.check_chain(call)
        bound = self.system.governor if kind == "vote" else self.system.token
        function, _args = call.function()
        try:
            record, created = self.store.accept(
                call, digest, function, call.calldata(bound.contract), self.settings.rate_limit_per_hour
            )
        except NonceInUse as exc:
            raise self._in_use(exc.existing) from None
        except RateLimited:
            self._check_rate(call.holder, self.settings.rate_limit_per_hour)
            raise
        if created:
            self.metrics.accepted.labels(kind).inc()
            self.worker.wake.set()
        else:
            self.metrics.duplicates.labels(kind).inc()
        return record, created

    @staticmethod
    def _in_use(existing: RelayRequest) -> Refusal:
        message = f"request {existing.id} ({existing.status}) already uses this nonce"
        return Refusal.one(409, "nonce_in_use", "nonce", message)

    def _check_rate(self, holder: str, recent: int) -> None:
        limit = self.settings.rate_limit_per_hour
        if recent >= limit:
            raise Refusal.one(429, "rate_limited", "holder", f"{holder} already has {limit} requests this hour")

    # ------------------------------------------------------------------ helpers for clients
    def template(self, kind: str, params: dict[str, str]) -> dict[str, Any]:
        """The typed data a holder signs for `kind` now (current nonce; deadline one hour after the latest block),
        and the body to POST with its signature."""
        if kind not in KINDS:
            raise Refusal(404, "unknown_call", [FieldError("kind", "unknown_call", f"the relay only sends {KINDS}")])
        domain = self.checker.domains()[kind]
        holder = params.get("holder", "")
        if not Web3.is_checksum_address(holder):
            raise Refusal.one(400, "invalid_address", "holder", "holder must be an EIP-55 checksummed address")
        reader = self.system.governor if kind == "vote" else self.system.token
        nonce = int(reader.call("nonces", holder))
        deadline = int(self.chain.w3.eth.get_block("latest")["timestamp"]) + DEFAULT_VALIDITY
        body: dict[str, Any] = {"holder": holder, "nonce": str(nonce), "chainId": str(domain.chain_id)}
        body["verifyingContract"] = domain.verifying_contract
        if kind == "delegate":
            body.update(delegatee=params.get("delegatee", holder), expiry=str(deadline))
        elif kind == "vote":
            body.update(proposalId=params.get("proposalId", ""), support=params.get("support", "1"))
            if params.get("reason"):
                body["reason"] = params["reason"]
        else:
            body.update(
                asset=params.get("asset", ""), recipient=params.get("recipient", holder), deadline=str(deadline)
            )
        errors: list[FieldError] = []
        message = self.checker._message(kind, body, holder, nonce, errors)
        if errors or message is None:
            raise Refusal(400, errors[0].code if errors else "invalid_fields", errors)
        primary = {"delegate": "Delegation", "claim": "Claim"}.get(kind) or (
            "ExtendedBallot" if message.get("reason") else "Ballot"
        )
        if primary == "Ballot":
            message.pop("reason", None)
            message.pop("params", None)
        return {"typedData": typed_data(domain, primary, message), "body": body}

    def status(self) -> dict[str, Any]:
        return {
            "available": True,
            "address": self.address,
            "kinds": list(KINDS),
            "rate_limit_per_hour": self.settings.rate_limit_per_hour,
            "requests": self.store.counts(),
            "last_error": self.worker.last_error,
        }


def digest_of(call: RelayCall) -> str:
    """The EIP-712 hash the holder signed: one signed message is one request."""
    m = encode_typed_data(full_message=call.typed_data())
    return "0x" + keccak(b"\x19" + m.version + m.header + m.body).hex()

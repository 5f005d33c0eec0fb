"""The oracle service: what one running oracle holds (settings, store, chain, verifier, batcher, metrics) and the
request handlers the HTTP routes call. No HTTP here: each handler returns (status code, JSON payload).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from . import health
from .batcher import Batcher
from .chain import Chain
from .config import ConfigError, Settings, SigningKey
from .fields import BACKEND_ID_RE, BYTES32_RE, FieldError
from .finality import resolve_confirmations
from .metrics import Metrics
from .models import Purchase
from .receipts import HEX_ADDRESS_RE, Domain, Read, recover_signer, to_checksum
from .store import Conflict, NotFound, Store
from .verification import CeilingFacts, Limits, VerificationError, VerifiedPurchase, Verifier

log = logging.getLogger("oracle.service")

Answer = tuple[int, dict[str, Any]]
READ_HEADER = "X-Backend-Auth"
READ_WINDOW_SECONDS = 300


class ChainWatcher:
    """Caches what the accept path needs from the chain (the referrer bound, the daily ceiling) and what /health and
    /metrics show (signer balance), refreshed in the background: requests never wait on the RPC. The last values
    read are kept in the store, so an oracle started while the RPC is down uses them until it answers."""

    def __init__(
        self, settings: Settings, chain: Chain | None, key: SigningKey | None, metrics: Metrics, store: Store
    ) -> None:
        self.s, self.chain, self.key, self.metrics, self.store = settings, chain, key, metrics, store
        self.bound: int | None = settings.max_referrer_bps if settings.max_referrer_bps >= 0 else None
        self.balance: int | None = None
        self.ceiling: CeilingFacts | None = None
        self.stop_event = threading.Event()
        self._load()

    def _load(self) -> None:
        try:
            bound, ceiling = self.store.load_fact("max_referrer_bps"), self.store.load_fact("ceiling")
        except Exception as exc:  # noqa: BLE001 - the store may be down too; the chain will tell
            log.debug("chain watcher: no stored facts: %s", exc)
            return
        if self.bound is None and bound is not None:
            self.bound = int(bound)
        if ceiling is not None:
            self.ceiling = CeilingFacts(**json.loads(ceiling))

    def referrer_bound(self) -> int | None:
        return self.bound

    def ceiling_facts(self) -> CeilingFacts | None:
        return self.ceiling

    def refresh(self) -> bool:
        """Read the chain now; False (keeping the last known values) when it does not answer."""
        if self.chain is None:
            return False
        try:
            if self.s.max_referrer_bps < 0:
                self.bound = self.chain.max_referrer_bps()
                self.store.save_fact("max_referrer_bps", str(self.bound))
            self.ceiling = self.chain.ceiling_facts()
            self.store.save_fact("ceiling", json.dumps(dataclasses.asdict(self.ceiling)))
            if self.key is not None:
                self.balance = self.chain.balance(self.key.address)
                self.metrics.signer_balance.set(self.balance)
        except Exception as exc:  # noqa: BLE001 - keep the last known values
            log.debug("chain watcher: %s", exc)
            return False
        return True

    def start(self) -> None:
        def loop() -> None:
            while not self.stop_event.is_set():
                self.stop_event.wait(15 if self.refresh() else 2)

        threading.Thread(target=loop, name="oracle-chain-watcher", daemon=True).start()

    def stop(self) -> None:
        self.stop_event.set()


def resolve_domain(settings: Settings, chain: Chain | None) -> Domain:
    """The EIP-712 domain: chain id from the settings, else the deployment file, else the RPC."""
    chain_id = settings.chain_id
    if not chain_id:
        deployment = settings.deployment()
        chain_id = deployment.chain_id if deployment is not None else 0
    if not chain_id and chain is not None:
        chain_id = chain.chain_id()
    if not chain_id:
        raise ConfigError("chain id unknown: set chain_id, or a deployment file with chain_id, or a reachable rpc_url")
    return Domain(chain_id=chain_id, verifying_contract=settings.resolved_mining_address())


def validate_backend(backend_id: str, address: str) -> list[FieldError]:
    """Checks for registering a backend: id format and a checksummed, non-zero address."""
    problems = []
    if not isinstance(backend_id, str) or not BACKEND_ID_RE.match(backend_id):
        problems.append(FieldError("id", "invalid_characters", "id: 1-64 of A-Z a-z 0-9 . _ - (starting alphanumeric)"))
    if not isinstance(address, str) or not HEX_ADDRESS_RE.match(address):
        problems.append(FieldError("address", "invalid_address", "address must be a 0x 20-byte hex address"))
    elif to_checksum(address) != address:
        problems.append(FieldError("address", "address_not_checksummed", "address must be EIP-55 checksummed"))
    elif int(address, 16) == 0:
        problems.append(FieldError("address", "zero_address", "address must not be zero"))
    return problems


def system_addresses(settings: Settings, domain: Domain) -> frozenset[str]:
    """The system's own contracts (every contract of the deployment, and PurchaseMining), checksummed."""
    deployment = settings.deployment()
    addresses = set(deployment.contracts.values()) if deployment is not None else set()
    addresses.add(domain.verifying_contract)
    return frozenset(to_checksum(a) for a in addresses if HEX_ADDRESS_RE.match(a))


def error(reason: str, message: str, kind: str = "error") -> dict[str, Any]:
    return {"error": kind, "reason": reason, "message": message, "errors": []}


def parse_json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        raise VerificationError([FieldError("body", "invalid_json", "the body is not valid JSON")]) from None


class Oracle:
    """Everything one running oracle holds, and the handlers of its requests."""

    def __init__(
        self,
        settings: Settings,
        key: SigningKey | None = None,
        *,
        store: Store | None = None,
        chain: Chain | None = None,
        metrics: Metrics | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self.key = key
        self.clock = clock
        self.metrics = metrics or Metrics()
        self.store = store or Store(settings.database_url)
        self.chain = chain
        if self.chain is None:
            try:
                self.chain = Chain.from_settings(settings, key)
            except ConfigError as exc:
                log.warning("no chain: %s", exc)
        self.domain = resolve_domain(settings, self.chain)
        resolve_confirmations(settings, self.domain.chain_id)
        self.quick_chain = self.chain.with_timeout(2.0) if self.chain is not None else None  # /health answers fast
        self.watcher = ChainWatcher(settings, self.chain, key, self.metrics, self.store)
        limits = Limits(
            currencies=frozenset(settings.currencies),
            max_amount=settings.max_amount,
            max_age_seconds=settings.max_age_seconds,
            clock_skew_seconds=settings.clock_skew_seconds,
            max_body_bytes=settings.max_body_bytes,
        )
        self.verifier = Verifier(
            limits=limits,
            domain=self.domain,
            backend_lookup=self.store.backend_lookup(settings.backend_cache_seconds),
            referrer_bps_bound=self.watcher.referrer_bound,
            clock=clock,
            system_addresses=system_addresses(settings, self.domain),
            ceiling_facts=self.watcher.ceiling_facts,
        )
        self.metrics.set_backlog_source(self.store.counts)
        self.batcher: Batcher | None = None
        if settings.batcher_enabled and self.chain is not None and key is not None:
            self.batcher = Batcher(settings, self.store, self.chain, self.metrics)

    def start(self) -> None:
        self.watcher.start()
        if self.batcher is not None:
            self.batcher.start()

    def stop(self) -> None:
        self.watcher.stop()
        if self.batcher is not None:
            self.batcher.stop()

    # ---------------------------------------------------------------- purchases
    async def submit(self, body: bytes) -> Answer:
        """A signed receipt: verified on the event loop (pure CPU, ~0.1 ms, no call that releases the GIL: see
        oracle.ecrecover), then the commit is awaited without a worker thread (oracle.group_commit). The 2xx is sent
        only after the COMMIT that holds the row."""
        try:
            vp = self.verifier.verify_purchase(parse_json(body))
        except VerificationError as exc:
            self.metrics.rejected.labels(exc.reason).inc()
            return exc.status, exc.as_dict()
        try:
            record, created = await self.store.accept_async(vp, self.settings.settlement_seconds)
        except Conflict as exc:
            return self._conflict(vp, exc)
        (self.metrics.accepted if created else self.metrics.duplicates).inc()
        return (201 if created else 200), record

    def _conflict(self, vp: VerifiedPurchase, exc: Conflict) -> Answer:
        self.metrics.conflicts.inc()
        self.metrics.rejected.labels("order_ref_conflict").inc()
        problem = {"field": "receipt.orderId", "code": "order_ref_conflict", "message": str(exc)}
        return 409, {**error("order_ref_conflict", str(exc), "conflict"), "ref": vp.ref, "errors": [problem]}

    def purchase(self, ref: str, credentials: str | None = None, admin: bool = False) -> Answer:
        """The full record for its backend (`credentials`: a signed Read, see `reader`) and the admin; anyone
        else gets at most what is on chain (a minted purchase's PurchaseMined facts), else 404."""
        ref = ref.lower()
        record: Purchase | None = self.store.get(ref) if BYTES32_RE.match(ref) else None
        reader = None
        if credentials is not None and not admin:
            reader = self.reader(ref, credentials)
            if reader is None:
                return 401, error(
                    "bad_credentials",
                    f"{READ_HEADER} is not a fresh signed Read of this reference by a registered, active backend",
                )
        if record is not None and (admin or (reader is not None and reader == record.backend_id)):
            return 200, record.to_dict()
        public = record.public_dict() if record is not None and reader is None else None
        if public is None:
            return 404, error("not_found", "no purchase with this reference")
        return 200, public

    def reader(self, ref: str, credentials: str) -> str | None:
        """The backend id a `backend:at:signature` credential proves (an EIP-712 `Read` of `ref`, signed within
        READ_WINDOW_SECONDS by the backend's registered key), or None."""
        try:
            backend, at_text, signature = credentials.split(":")
            read = Read(backend=backend, order_ref=ref, at=int(at_text))
            signer = recover_signer(read.digest(self.domain), signature)
        except ValueError:  # malformed, or a bad signature (BadSignatureError is a ValueError)
            return None
        info = self.verifier.backend_lookup(backend)
        fresh = abs(self.verifier.clock() - read.at) <= READ_WINDOW_SECONDS
        if info is None or not info.active or info.address != signer or not fresh:
            return None
        return backend

    def refund(self, ref: str, body: bytes) -> Answer:
        ref = ref.lower()
        if not BYTES32_RE.match(ref):
            return 404, error("not_found", "no purchase with this reference")
        try:
            vr = self.verifier.verify_refund(parse_json(body), ref)
        except VerificationError as exc:
            self.metrics.rejected.labels("refund_" + exc.reason).inc()
            return exc.status, exc.as_dict()
        try:
            record, changed = self.store.refund(vr)
        except NotFound:
            return 404, error("not_found", "no purchase with this reference for this backend")
        except Conflict as exc:
            return 409, {**error("not_refundable", str(exc), "conflict"), "purchase": exc.record.to_dict()}
        if changed:
            self.metrics.refunded.inc()
        return 200, record.to_dict()

    def requeue(self, ref: str) -> Answer:
        """Admin: a set-aside purchase back to the queue (after governance raised the daily ceiling)."""
        ref = ref.lower()
        record = self.store.requeue_set_aside(ref) if BYTES32_RE.match(ref) else None
        if record is None:
            return 404, error("not_found", "no set-aside purchase with this reference")
        log.info("purchase %s requeued by the admin", ref)
        return 200, record.to_dict()

    # ---------------------------------------------------------------- operations
    def health(self) -> Answer:
        """ok / degraded / failing with reasons (oracle.health)."""
        return health.report(self)

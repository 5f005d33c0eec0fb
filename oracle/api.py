"""The HTTP API (FastAPI). OpenAPI docs at /docs, the spec at /openapi.json.

    POST /purchases                    a signed receipt -> 201 (new) / 200 (same receipt again) / 409 / 4xx
    GET  /purchases/{ref}              status, timestamps, tx hash and grams per role
    POST /purchases/{ref}/refund       a signed refund (same backend) before submission
    GET  /receipt-domain               the EIP-712 domain and types backends sign with
    GET  /health                       store, chain, signer balance, backlog (503 if the store is down)
    GET  /metrics                      Prometheus
    /admin/backends...                 register / list / disable / enable backends (admin token)

The accept path is lean: size-limited body, JSON parse, field checks, one EIP-712 digest and one
signature recovery (cached backend registry), one INSERT + COMMIT. A 2xx is sent only after the commit.
"""
from __future__ import annotations

import hmac
import json
import logging
import threading
import time
from contextlib import asynccontextmanager
from typing import Any, Optional

from fastapi import FastAPI, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from . import __version__
from .chain import Chain, ChainUnavailable
from .config import ConfigError, Settings, SigningKey
from .metrics import CONTENT_TYPE, Metrics
from .receipts import DOMAIN_FIELDS, RECEIPT_FIELDS, REFUND_FIELDS, Domain
from .store import Conflict, NotFound, Store
from .verification import (BYTES32_RE, HEX_ADDRESS_RE, BACKEND_ID_RE, FieldError, Limits, VerificationError,
                           Verifier)

log = logging.getLogger("oracle.api")


# ---------------------------------------------------------------------- OpenAPI models (docs only)
class ReceiptModel(BaseModel):
    backend: str = Field(description="the backend's registered id", examples=["shop-1"])
    orderId: str = Field(description="the backend's order number (unique per backend)", examples=["2024-000123"])
    consumer: str = Field(description="EIP-55 checksummed address of who paid")
    referrer: Optional[str] = Field(None, description="checksummed address of the referrer; zero address/absent = none")
    supplier: str = Field(description="checksummed address of the merchant")
    amount: int | str = Field(description="amount paid in minor units (e.g. fen), > 0 and at most max_amount")
    currency: str = Field(description="one of the configured currencies", examples=["CNY"])
    paidAt: int = Field(description="payment time, unix seconds; not in the future, not older than max_age_seconds")
    referrerBps: int = Field(0, description="merchant referrer-share override in bps; 0 = none; <= the on-chain bound")


class PurchaseSubmission(BaseModel):
    receipt: ReceiptModel
    signature: str = Field(description="0x + 65-byte EIP-712 signature of the receipt by the backend's key")


class RefundModel(BaseModel):
    backend: str
    orderRef: str = Field(description="the purchase's 0x bytes32 reference (same as in the URL)")
    reason: str = ""
    refundedAt: int = Field(description="unix seconds")


class RefundSubmission(BaseModel):
    refund: RefundModel
    signature: str


class FieldErrorModel(BaseModel):
    field: str
    code: str
    message: str


class ErrorBody(BaseModel):
    error: str
    reason: str
    errors: list[FieldErrorModel] = []
    message: Optional[str] = None


class PurchaseView(BaseModel):
    ref: str
    backend: str
    orderId: str
    status: str = Field(description="accepted | settling | queued | submitted | minted | refunded | rejected")
    consumer: str
    referrer: str
    supplier: str
    amount: str
    currency: str
    paidAt: int
    referrerBps: int
    digest: str
    reason: Optional[str]
    lastError: Optional[str]
    mintableAt: Optional[str]
    timestamps: dict[str, Optional[str]]
    txHash: Optional[str]
    blockNumber: Optional[int]
    batchId: Optional[int]
    grams: Optional[dict[str, str]] = Field(description="grams-wei per role from the PurchaseMined event")
    rate: Optional[str]


class BackendIn(BaseModel):
    id: str
    address: str
    note: str = ""


# ---------------------------------------------------------------------- runtime
class ChainWatcher:
    """Caches what the accept path needs from the chain (the referrer bound) and what /health and
    /metrics show (signer balance), refreshed in the background: requests never wait on the RPC."""

    def __init__(self, settings: Settings, chain: Optional[Chain], key: Optional[SigningKey], metrics: Metrics):
        self.s, self.chain, self.key, self.metrics = settings, chain, key, metrics
        self.bound: Optional[int] = settings.max_referrer_bps if settings.max_referrer_bps >= 0 else None
        self.balance: Optional[int] = None
        self.stop_event = threading.Event()
        self.thread: Optional[threading.Thread] = None

    def referrer_bound(self) -> Optional[int]:
        return self.bound

    def refresh(self) -> None:
        if self.chain is None:
            return
        try:
            if self.s.max_referrer_bps < 0:
                self.bound = int(self.chain.max_referrer_bps())
            if self.key is not None:
                self.balance = self.chain.balance(self.key.address)
                self.metrics.signer_balance.set(self.balance)
        except Exception as exc:  # noqa: BLE001 - keep the last known values
            log.debug("chain watcher: %s", exc)

    def start(self) -> None:
        def loop() -> None:
            while not self.stop_event.is_set():
                self.refresh()
                self.stop_event.wait(15 if self.bound is not None or self.s.max_referrer_bps >= 0 else 2)
        self.thread = threading.Thread(target=loop, name="oracle-chain-watcher", daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.stop_event.set()


def resolve_domain(settings: Settings, chain: Optional[Chain]) -> Domain:
    chain_id = settings.chain_id or int(settings.deployment().get("chain_id") or 0)
    if not chain_id and chain is not None:
        chain_id = chain.chain_id()
    if not chain_id:
        raise ConfigError("chain id unknown: set chain_id, or a deployment file with chain_id, or a reachable rpc_url")
    return Domain(chain_id=chain_id, verifying_contract=settings.resolved_mining_address())


class Oracle:
    """Everything one running oracle holds."""

    def __init__(self, settings: Settings, key: Optional[SigningKey] = None, *, store: Optional[Store] = None,
                 chain: Optional[Chain] = None, metrics: Optional[Metrics] = None, clock: Any = time.time) -> None:
        self.settings = settings
        self.key = key
        self.metrics = metrics or Metrics()
        self.store = store or Store(settings.database_url)
        self.chain = chain
        if self.chain is None:
            try:
                self.chain = Chain.from_settings(settings, key)
            except ConfigError as exc:
                log.warning("no chain: %s", exc)
        self.domain = resolve_domain(settings, self.chain)
        self.watcher = ChainWatcher(settings, self.chain, key, self.metrics)
        self.verifier = Verifier(
            limits=Limits(currencies=frozenset(settings.currencies), max_amount=settings.max_amount,
                          max_age_seconds=settings.max_age_seconds, clock_skew_seconds=settings.clock_skew_seconds,
                          max_body_bytes=settings.max_body_bytes),
            domain=self.domain, backend_lookup=self.store.backend_lookup(settings.backend_cache_seconds),
            referrer_bps_bound=self.watcher.referrer_bound, clock=clock)
        self.metrics.set_backlog_source(self.store.counts)
        self.batcher = None
        if settings.batcher_enabled and self.chain is not None and key is not None:
            from .batcher import Batcher
            self.batcher = Batcher(settings, self.store, self.chain, self.metrics)

    def start(self) -> None:
        self.watcher.start()
        if self.batcher is not None:
            self.batcher.start()

    def stop(self) -> None:
        self.watcher.stop()
        if self.batcher is not None:
            self.batcher.stop()

    # ---------------------------------------------------------------- handlers (run in the threadpool)
    def submit(self, body: bytes) -> tuple[int, dict[str, Any]]:
        try:
            vp = self.verifier.verify_purchase(_parse_json(body))
        except VerificationError as exc:
            return self._rejected(exc)
        try:
            record, created = self.store.accept(vp, self.settings.settlement_seconds)
        except Conflict as exc:
            return self._conflict(vp, exc)
        return self._answer(record, created)

    async def submit_async(self, body: bytes) -> tuple[int, dict[str, Any]]:
        """`submit` on the event loop: verification is pure CPU (~0.2 ms), and the commit is awaited without a
        worker thread (the store's group-commit writer completes the future). Same answers as `submit`; the
        2xx is still sent only after the COMMIT that holds the row."""
        try:
            vp = self.verifier.verify_purchase(_parse_json(body))
        except VerificationError as exc:
            return self._rejected(exc)
        try:
            record, created = await self.store.accept_async(vp, self.settings.settlement_seconds)
        except Conflict as exc:
            return self._conflict(vp, exc)
        return self._answer(record, created)

    def _rejected(self, exc: VerificationError) -> tuple[int, dict[str, Any]]:
        self.metrics.rejected.labels(exc.reason).inc()
        return exc.status, exc.as_dict()

    def _conflict(self, vp: Any, exc: Conflict) -> tuple[int, dict[str, Any]]:
        self.metrics.conflicts.inc()
        self.metrics.rejected.labels("order_ref_conflict").inc()
        return 409, {"error": "conflict", "reason": "order_ref_conflict", "message": str(exc), "ref": vp.ref,
                     "errors": [{"field": "receipt.orderId", "code": "order_ref_conflict", "message": str(exc)}]}

    def _answer(self, record: Any, created: bool) -> tuple[int, dict[str, Any]]:
        if created:
            self.metrics.accepted.inc()
            return 201, record.to_dict()
        self.metrics.duplicates.inc()
        return 200, record.to_dict()

    def refund(self, ref: str, body: bytes) -> tuple[int, dict[str, Any]]:
        ref = ref.lower()
        if not BYTES32_RE.match(ref):
            return 404, _error("not_found", "no purchase with this reference")
        try:
            vr = self.verifier.verify_refund(_parse_json(body), ref)
        except VerificationError as exc:
            self.metrics.rejected.labels("refund_" + exc.reason).inc()
            return exc.status, exc.as_dict()
        try:
            record, changed = self.store.refund(vr)
        except NotFound:
            return 404, _error("not_found", "no purchase with this reference for this backend")
        except Conflict as exc:
            return 409, {"error": "conflict", "reason": "not_refundable", "message": str(exc),
                         "purchase": exc.record.to_dict()}
        if changed:
            self.metrics.refunded.inc()
        return 200, record.to_dict()

    def health(self) -> tuple[int, dict[str, Any]]:
        out: dict[str, Any] = {"version": __version__}
        store_ok = True
        try:
            counts = self.store.counts()
            out["store"] = {"ok": True, "backend": "sqlite" if self.store.is_sqlite else "postgresql"}
            out["backlog"] = {**counts, "total": sum(counts[s] for s in ("accepted", "settling", "queued", "submitted"))}
        except Exception as exc:  # noqa: BLE001
            store_ok = False
            out["store"] = {"ok": False, "error": type(exc).__name__}
        chain: dict[str, Any] = {"ok": False, "rpc_url": self.settings.rpc_url, "chain_id": self.domain.chain_id,
                                 "mining": self.domain.verifying_contract}
        if self.chain is not None:
            try:
                quick = Chain(self.settings.rpc_url, self.chain.address, [], None, timeout=2.0)
                chain["block"] = quick.block_number()
                chain["ok"] = True
            except ChainUnavailable as exc:
                chain["error"] = str(exc)
        out["chain"] = chain
        out["signer"] = {"address": self.key.address if self.key else None, "balance_wei": self.watcher.balance}
        if self.batcher is not None:
            b = self.batcher
            out["batcher"] = {"running": bool(b.thread and b.thread.is_alive()), "last_error": b.last_error,
                              "last_success": b.last_success}
        else:
            out["batcher"] = {"running": False}
        out["referrer_bps_bound"] = self.watcher.bound
        out["status"] = "down" if not store_ok else ("ok" if chain["ok"] else "degraded")
        return (200 if store_ok else 503), out


def _parse_json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        raise VerificationError([FieldError("body", "invalid_json", "the body is not valid JSON")]) from None


def _error(reason: str, message: str, error: str = "error") -> dict[str, Any]:
    return {"error": error, "reason": reason, "message": message, "errors": []}


async def _read_limited(request: Request, limit: int) -> Optional[bytes]:
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        return None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(limit: int) -> JSONResponse:
    return JSONResponse({"error": "rejected", "reason": "body_too_large",
                         "errors": [{"field": "body", "code": "body_too_large",
                                     "message": f"the body must be at most {limit} bytes"}]}, status_code=413)


# ---------------------------------------------------------------------- the app
def create_app(settings: Settings, key: Optional[SigningKey] = None, *, oracle: Optional[Oracle] = None,
               start_background: bool = True, **oracle_kwargs: Any) -> FastAPI:
    orc = oracle or Oracle(settings, key, **oracle_kwargs)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if start_background:
            orc.start()
        try:
            yield
        finally:
            orc.stop()

    app = FastAPI(title="Black Gold mint oracle", version=__version__, lifespan=lifespan,
                  description="Shop backends send EIP-712 signed purchase receipts; the oracle verifies and stores "
                              "them, then attests them on chain through PurchaseMining. See the README's oracle section.")
    app.state.oracle = orc
    limit = settings.max_body_bytes
    errors = {400: {"model": ErrorBody}, 401: {"model": ErrorBody}, 403: {"model": ErrorBody},
              409: {"model": ErrorBody}, 413: {"model": ErrorBody}, 422: {"model": ErrorBody},
              503: {"model": ErrorBody}}
    latency = orc.metrics.request_latency

    @app.post("/purchases", status_code=201, tags=["purchases"],
              summary="Submit a signed purchase receipt (idempotent)",
              responses={201: {"model": PurchaseView, "description": "accepted and committed"},
                         200: {"model": PurchaseView, "description": "the same receipt was already accepted"},
                         **errors},
              openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
                  "schema": {"$ref": "#/components/schemas/PurchaseSubmission"}}}}})
    async def post_purchase(request: Request) -> Response:
        start = time.perf_counter()
        body = await _read_limited(request, limit)
        if body is None:
            orc.metrics.rejected.labels("body_too_large").inc()
            return _too_large(limit)
        status, payload = await orc.submit_async(body)
        latency.labels("POST /purchases").observe(time.perf_counter() - start)
        return JSONResponse(payload, status_code=status)

    @app.get("/purchases/{ref}", tags=["purchases"], summary="A purchase's status",
             responses={200: {"model": PurchaseView}, 404: {"model": ErrorBody}})
    def get_purchase(ref: str) -> Response:
        ref = ref.lower()
        record = orc.store.get(ref) if BYTES32_RE.match(ref) else None
        if record is None:
            return JSONResponse(_error("not_found", "no purchase with this reference"), status_code=404)
        return JSONResponse(record.to_dict())

    @app.post("/purchases/{ref}/refund", tags=["purchases"], summary="Cancel a purchase before it is submitted",
              responses={200: {"model": PurchaseView}, 404: {"model": ErrorBody}, **errors},
              openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
                  "schema": {"$ref": "#/components/schemas/RefundSubmission"}}}}})
    async def post_refund(ref: str, request: Request) -> Response:
        body = await _read_limited(request, limit)
        if body is None:
            return _too_large(limit)
        status, payload = await run_in_threadpool(orc.refund, ref, body)
        return JSONResponse(payload, status_code=status)

    @app.get("/receipt-domain", tags=["purchases"], summary="The EIP-712 domain and types to sign with")
    def receipt_domain() -> dict[str, Any]:
        return {"domain": orc.domain.as_dict(),
                "types": {"EIP712Domain": DOMAIN_FIELDS, "Receipt": RECEIPT_FIELDS, "Refund": REFUND_FIELDS},
                "orderRef": "keccak256(abi.encode(string backend, string orderId))"}

    @app.get("/health", tags=["operations"], summary="Store, chain, signer balance and backlog")
    def health() -> Response:
        status, payload = orc.health()
        return JSONResponse(payload, status_code=status)

    @app.get("/metrics", tags=["operations"], summary="Prometheus metrics")
    def metrics() -> Response:
        return Response(orc.metrics.render(), media_type=CONTENT_TYPE)

    # ---------------------------------------------------------------- admin
    def admin_denied(request: Request) -> Optional[Response]:
        token = settings.admin_token
        if not token:
            return JSONResponse(_error("admin_disabled", "no admin token is configured (ORACLE_ADMIN_TOKEN)"),
                                status_code=403)
        given = request.headers.get("authorization", "")
        given = given[7:] if given.lower().startswith("bearer ") else request.headers.get("x-admin-token", "")
        if not hmac.compare_digest(given.encode(), token.encode()):
            return JSONResponse(_error("unauthorized", "admin token required"), status_code=401)
        return None

    @app.get("/admin/backends", tags=["admin"], summary="List registered backends (admin token)")
    def list_backends(request: Request) -> Response:
        if (denied := admin_denied(request)) is not None:
            return denied
        return JSONResponse([b.to_dict() for b in orc.store.list_backends()])

    @app.post("/admin/backends", tags=["admin"], status_code=201, summary="Register a backend key (admin token)")
    def add_backend(request: Request, backend: BackendIn) -> Response:
        if (denied := admin_denied(request)) is not None:
            return denied
        problems = validate_backend(backend.id, backend.address)
        if problems:
            return JSONResponse({"error": "rejected", "reason": problems[0].code,
                                 "errors": [p.as_dict() for p in problems]}, status_code=422)
        b = orc.store.add_backend(backend.id, backend.address, backend.note)
        return JSONResponse(b.to_dict(), status_code=201)

    @app.post("/admin/backends/{backend_id}/disable", tags=["admin"], summary="Disable a backend (admin token)")
    def disable_backend(request: Request, backend_id: str) -> Response:
        return _set_active(request, backend_id, False)

    @app.post("/admin/backends/{backend_id}/enable", tags=["admin"], summary="Re-enable a backend (admin token)")
    def enable_backend(request: Request, backend_id: str) -> Response:
        return _set_active(request, backend_id, True)

    def _set_active(request: Request, backend_id: str, active: bool) -> Response:
        if (denied := admin_denied(request)) is not None:
            return denied
        try:
            return JSONResponse(orc.store.set_backend_active(backend_id, active).to_dict())
        except NotFound:
            return JSONResponse(_error("not_found", "no such backend"), status_code=404)

    def custom_openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        comps = schema.setdefault("components", {}).setdefault("schemas", {})
        for model in (PurchaseSubmission, RefundSubmission):
            js = model.model_json_schema(ref_template="#/components/schemas/{model}")
            comps.update(js.pop("$defs", {}))
            comps[model.__name__] = js
        app.openapi_schema = schema
        return schema

    app.openapi = custom_openapi  # type: ignore[method-assign]
    return app


def validate_backend(backend_id: str, address: str) -> list[FieldError]:
    """Checks for registering a backend: id format and a checksummed, non-zero address."""
    from .verification import _checksum

    problems = []
    if not isinstance(backend_id, str) or not BACKEND_ID_RE.match(backend_id):
        problems.append(FieldError("id", "invalid_characters", "id: 1-64 of A-Z a-z 0-9 . _ - (starting alphanumeric)"))
    if not isinstance(address, str) or not HEX_ADDRESS_RE.match(address):
        problems.append(FieldError("address", "invalid_address", "address must be a 0x 20-byte hex address"))
    elif _checksum(address) != address:
        problems.append(FieldError("address", "address_not_checksummed", "address must be EIP-55 checksummed"))
    elif int(address, 16) == 0:
        problems.append(FieldError("address", "zero_address", "address must not be zero"))
    return problems

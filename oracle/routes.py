"""The HTTP routes, grouped as FastAPI routers (purchases, operations, admin). Each route reads its input, calls
the service (oracle.service.Oracle) and turns its (status, payload) answer into a response.

    POST /purchases                    a signed receipt -> 201 (new) / 200 (same receipt again) / 409 / 4xx
    GET  /purchases/{ref}              its backend (signed Read) / admin: the record; others: on-chain facts only
    POST /purchases/{ref}/refund       a signed refund (same backend) before submission
    GET  /receipt-domain               the EIP-712 domain and types backends sign with
    GET  /health                       ok / degraded / failing with reasons (oracle.health; 503 when failing)
    GET  /metrics                      Prometheus
    /admin/backends...                 register / list / disable / enable backends (admin token)
    POST /admin/purchases/{ref}/requeue  a set-aside purchase back to the queue (admin token)

The admin token and the body limit are enforced before any route runs (oracle.guard).
"""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from .deps import OracleDep
from .guard import admin_refusal
from .metrics import CONTENT_TYPE
from .receipts import DOMAIN_FIELDS, READ_FIELDS, RECEIPT_FIELDS, REFUND_FIELDS
from .schemas import ERROR_RESPONSES, BackendIn, BackendView, ErrorBody, PurchaseView
from .service import READ_HEADER, Oracle, error, validate_backend
from .store import NotFound

purchases = APIRouter(tags=["purchases"])
operations = APIRouter(tags=["operations"])
admin = APIRouter(prefix="/admin", tags=["admin"])


def _body_doc(schema: str) -> dict[str, Any]:
    ref = {"$ref": f"#/components/schemas/{schema}"}
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": ref}}}}


def _json(answer: tuple[int, Any]) -> JSONResponse:
    status, payload = answer
    return JSONResponse(payload, status_code=status)


# ---------------------------------------------------------------------- purchases
@purchases.post(
    "/purchases",
    status_code=201,
    summary="Submit a signed purchase receipt (idempotent)",
    responses={
        201: {"model": PurchaseView, "description": "accepted and committed"},
        200: {"model": PurchaseView, "description": "the same receipt was already accepted"},
        **ERROR_RESPONSES,
    },
    openapi_extra=_body_doc("PurchaseSubmission"),
)
async def post_purchase(request: Request, orc: OracleDep) -> Response:
    start = time.perf_counter()
    answer = await orc.submit(await request.body())
    orc.metrics.request_latency.labels("POST /purchases").observe(time.perf_counter() - start)
    return _json(answer)


@purchases.get(
    "/purchases/{ref}",
    summary="A purchase: the full record for its backend (signed X-Backend-Auth) or the admin; else what is on chain",
    responses={200: {"model": PurchaseView}, 404: {"model": ErrorBody}},
)
def get_purchase(ref: str, request: Request, orc: OracleDep) -> Response:
    headers = {k.lower(): v for k, v in request.headers.items()}
    admin = admin_refusal(orc.settings.admin_token, headers) is None
    return _json(orc.purchase(ref, request.headers.get(READ_HEADER), admin))


@purchases.post(
    "/purchases/{ref}/refund",
    summary="Cancel a purchase before it is submitted",
    responses={200: {"model": PurchaseView}, 404: {"model": ErrorBody}, **ERROR_RESPONSES},
    openapi_extra=_body_doc("RefundSubmission"),
)
async def post_refund(ref: str, request: Request, orc: OracleDep) -> Response:
    return _json(await run_in_threadpool(orc.refund, ref, await request.body()))


@purchases.get("/receipt-domain", summary="The EIP-712 domain and types to sign with")
def receipt_domain(orc: OracleDep) -> dict[str, Any]:
    return {
        "domain": orc.domain.as_dict(),
        "types": {
            "EIP712Domain": DOMAIN_FIELDS,
            "Receipt": RECEIPT_FIELDS,
            "Refund": REFUND_FIELDS,
            "Read": READ_FIELDS,
        },
        "orderRef": "keccak256(abi.encode(string backend, string orderId))",
    }


# ---------------------------------------------------------------------- operations
@operations.get("/health", summary="Store, chain, signer balance and backlog")
def health(orc: OracleDep) -> Response:
    return _json(orc.health())


@operations.get("/metrics", summary="Prometheus metrics")
def metrics(orc: OracleDep) -> Response:
    return Response(orc.metrics.render(), media_type=CONTENT_TYPE)


# ---------------------------------------------------------------------- admin
@admin.get("/backends", summary="List registered backends (admin token)", response_model=list[BackendView])
def list_backends(orc: OracleDep) -> Response:
    return JSONResponse([b.to_dict() for b in orc.store.list_backends()])


@admin.post("/backends", status_code=201, summary="Register a backend key (admin token)", response_model=BackendView)
def add_backend(backend: BackendIn, orc: OracleDep) -> Response:
    problems = validate_backend(backend.id, backend.address)
    if problems:
        body = {"error": "rejected", "reason": problems[0].code, "errors": [p.as_dict() for p in problems]}
        return JSONResponse(body, status_code=422)
    return JSONResponse(orc.store.add_backend(backend.id, backend.address, backend.note).to_dict(), status_code=201)


@admin.post("/backends/{backend_id}/disable", summary="Disable a backend (admin token)", response_model=BackendView)
def disable_backend(backend_id: str, orc: OracleDep) -> Response:
    return _set_active(orc, backend_id, False)


@admin.post("/backends/{backend_id}/enable", summary="Re-enable a backend (admin token)", response_model=BackendView)
def enable_backend(backend_id: str, orc: OracleDep) -> Response:
    return _set_active(orc, backend_id, True)


@admin.post(
    "/purchases/{ref}/requeue",
    summary="Put a set-aside purchase back in the queue, e.g. after the daily ceiling was raised (admin token)",
    responses={200: {"model": PurchaseView}, 404: {"model": ErrorBody}},
)
def requeue_purchase(ref: str, orc: OracleDep) -> Response:
    return _json(orc.requeue(ref))


def _set_active(orc: Oracle, backend_id: str, active: bool) -> Response:
    try:
        return JSONResponse(orc.store.set_backend_active(backend_id, active).to_dict())
    except NotFound:
        return JSONResponse(error("not_found", "no such backend"), status_code=404)

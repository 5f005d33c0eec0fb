"""The relay's HTTP API, an ASGI app the holders' web app mounts at /relay (or any server can):

    GET  /status                 relay address, kinds, rate limit, requests by status
    GET  /typed-data/{kind}      what to sign now (?holder=&delegatee= | &proposalId=&support=&reason= | &asset=)
    POST /{delegate|vote|claim}  the typed-data fields + signature -> 202 accepted (200: the same message again)
    GET  /requests/{id}          a request's status: accepted, signed, sent, confirmed or failed (with txHash)
    GET  /metrics                Prometheus

Refusals are 4xx with {"error": "refused", "reason", "errors": [{"field", "code", "message"}]}; oracle.guard
holds every body to `max_body_bytes` before it is read.
"""

from __future__ import annotations

import json

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from blackgold.errors import ChainUnavailable

from ..fields import FieldError
from ..guard import Guard
from .checks import Refusal
from .metrics import CONTENT_TYPE
from .service import Relay


def relay_app(relay: Relay) -> FastAPI:
    app = FastAPI(title="Black Gold relay", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.relay = relay

    @app.exception_handler(Refusal)
    async def refused(_request: Request, exc: Refusal) -> JSONResponse:
        return JSONResponse(exc.body(), status_code=exc.status)

    @app.exception_handler(ChainUnavailable)
    async def chain_down(_request: Request, exc: ChainUnavailable) -> JSONResponse:
        relay.metrics.refused.labels("chain_unavailable").inc()
        body = {"error": "unavailable", "reason": "chain_unavailable", "errors": [], "message": str(exc)}
        return JSONResponse(body, status_code=503, headers={"Retry-After": "5"})

    @app.get("/status")
    def status() -> dict[str, object]:
        return relay.status()

    @app.get("/metrics")
    def metrics() -> Response:
        return Response(relay.metrics.render(), media_type=CONTENT_TYPE)

    @app.get("/typed-data/{kind}")
    def template(kind: str, request: Request) -> dict[str, object]:
        return relay.template(kind, dict(request.query_params))

    @app.get("/requests/{request_id}")
    def get_request(request_id: int) -> JSONResponse:
        record = relay.store.get(request_id)
        if record is None:
            return JSONResponse({"error": "not_found", "reason": "not_found", "errors": []}, status_code=404)
        return JSONResponse(record.to_dict())

    @app.post("/{kind}")
    async def submit(kind: str, request: Request) -> JSONResponse:
        raw = await request.body()
        try:
            body = json.loads(raw)
        except ValueError:
            problem = FieldError("body", "invalid_json", "the body is not JSON")
            relay.metrics.refused.labels("invalid_json").inc()
            return JSONResponse(Refusal(400, "invalid_json", [problem]).body(), status_code=400)
        record, created = await run_in_threadpool(relay.submit, kind, body)
        return JSONResponse(record.to_dict(), status_code=202 if created else 200)

    def too_large() -> None:
        relay.metrics.refused.labels("body_too_large").inc()

    app.add_middleware(Guard, limit=relay.settings.max_body_bytes, admin_token="", on_too_large=too_large)
    return app

"""POST /purchases without FastAPI's per-request machinery (an ASGI middleware inside oracle.guard).

The accept path is the oracle's hot path, and on the bench machine FastAPI's routing, dependency injection and
request wrapping cost more CPU per request than the work itself (verification, signature recovery, the row):
about 0.25 ms of the event loop's ~0.45 ms. This middleware answers `POST /purchases` itself with the same
handler (`Oracle.submit`), the same metrics and the same `JSONResponse`; every other request, and any other
method on /purchases, goes on to the FastAPI app, where the documented route (oracle.routes.post_purchase) is
also registered, so the OpenAPI spec is unchanged and an app built without this middleware answers the same.

It sits inside oracle.guard: the body limit (413) and the admin check apply as before. A client that goes away
before its body arrived gets nothing (there is nobody to answer).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

if TYPE_CHECKING:
    from .service import Oracle

PATH = "/purchases"


class AcceptPath:
    def __init__(self, app: ASGIApp, *, oracle: Oracle) -> None:
        self.app, self.oracle = app, oracle
        self.latency = oracle.metrics.request_latency.labels("POST /purchases")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != PATH or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        chunks = []
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        status, payload = await self.oracle.submit(b"".join(chunks))
        self.latency.observe(time.perf_counter() - start)
        await JSONResponse(payload, status_code=status)(scope, receive, send)

"""FastAPI dependencies and request helpers: the running Oracle, the size-limited body, the admin token."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import JSONResponse

from .service import Oracle, error


def get_oracle(request: Request) -> Oracle:
    oracle: Oracle = request.app.state.oracle
    return oracle


OracleDep = Annotated[Oracle, Depends(get_oracle)]


async def read_limited(request: Request, limit: int) -> bytes | None:
    """The body, or None as soon as it is known to exceed `limit` bytes (declared or streamed)."""
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


def too_large(limit: int) -> JSONResponse:
    problem = {"field": "body", "code": "body_too_large", "message": f"the body must be at most {limit} bytes"}
    return JSONResponse({"error": "rejected", "reason": "body_too_large", "errors": [problem]}, status_code=413)


def admin_denied(request: Request) -> JSONResponse | None:
    """None when the request carries the admin token (`Authorization: Bearer` or `X-Admin-Token`), else the
    answer: 403 when no token is configured, 401 otherwise."""
    token = get_oracle(request).settings.admin_token
    if not token:
        return JSONResponse(
            error("admin_disabled", "no admin token is configured (ORACLE_ADMIN_TOKEN)"), status_code=403
        )
    given = request.headers.get("authorization", "")
    given = given[7:] if given.lower().startswith("bearer ") else request.headers.get("x-admin-token", "")
    if not hmac.compare_digest(given.encode(), token.encode()):
        return JSONResponse(error("unauthorized", "admin token required"), status_code=401)
    return None

"""The HTTP guard, in front of every route (an ASGI middleware): the admin token is checked before a byte of an
/admin request's body is read, and one body limit (`max_body_bytes`) holds for every route, whether the size is
declared (Content-Length) or streamed. Nothing behind it ever reads more than the limit.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Callable
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyTooLarge(Exception):
    """The streamed body went over the limit."""


def too_large_body(limit: int) -> dict[str, Any]:
    problem = {"field": "body", "code": "body_too_large", "message": f"the body must be at most {limit} bytes"}
    return {"error": "rejected", "reason": "body_too_large", "errors": [problem]}


def admin_refusal(token: str, headers: dict[str, str]) -> tuple[int, dict[str, Any]] | None:
    """None when `headers` carry the admin token (`Authorization: Bearer` or `X-Admin-Token`), else the answer:
    403 when no token is configured, 401 otherwise."""
    if not token:
        return 403, _error("admin_disabled", "no admin token is configured (ORACLE_ADMIN_TOKEN)")
    given = headers.get("authorization", "")
    given = given[7:] if given.lower().startswith("bearer ") else headers.get("x-admin-token", "")
    if not hmac.compare_digest(given.encode(), token.encode()):
        return 401, _error("unauthorized", "admin token required")
    return None


def _error(reason: str, message: str) -> dict[str, Any]:
    return {"error": "error", "reason": reason, "message": message, "errors": []}


class Guard:
    """ASGI middleware: admin token first, then the body limit (`on_too_large` is called for each 413)."""

    def __init__(
        self, app: ASGIApp, *, limit: int, admin_token: str, on_too_large: Callable[[], None] = lambda: None
    ) -> None:
        self.app, self.limit, self.admin_token, self.on_too_large = app, limit, admin_token, on_too_large

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        if scope.get("path", "").startswith("/admin"):
            refusal = admin_refusal(self.admin_token, headers)
            if refusal is not None:
                await _respond(send, *refusal)
                return
        declared = headers.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await self._too_large(send)
            return
        await self._within_limit(scope, receive, send)

    async def _within_limit(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the app with a receive that stops at the limit. Whatever the app answers once the limit was hit
        (it may turn the error into a 400 of its own), the client gets the 413."""
        received = 0
        over = started = False

        async def limited_receive() -> Message:
            nonlocal received, over
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    over = True
                    raise BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if over:
                if message["type"] == "http.response.start" and not started:
                    started = True
                    await self._too_large(send)
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except BodyTooLarge:
            if not started:
                started = True
                await self._too_large(send)

    async def _too_large(self, send: Send) -> None:
        self.on_too_large()
        await _respond(send, 413, too_large_body(self.limit))


async def _respond(send: Send, status: int, payload: dict[str, Any]) -> None:
    body = json.dumps(payload).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})

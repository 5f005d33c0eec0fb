"""FastAPI dependencies: the running Oracle. (The admin token and the body limit are checked in front of every
route, before any body is read: oracle.guard.)"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from .service import Oracle


async def get_oracle(request: Request) -> Oracle:
    """Async on purpose: FastAPI runs a plain `def` dependency in its thread pool, a thread hop per request for one
    attribute read (measured: the largest single cost of POST /purchases after the signature)."""
    oracle: Oracle = request.app.state.oracle
    return oracle


OracleDep = Annotated[Oracle, Depends(get_oracle)]

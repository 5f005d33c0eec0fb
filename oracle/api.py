"""The FastAPI application: `create_app(settings, key)` builds the service (oracle.service.Oracle), mounts the
routes (oracle.routes) and documents the request bodies (oracle.schemas). OpenAPI docs at /docs, the spec at
/openapi.json.

Every request passes oracle.guard first (admin token before any body is read; one body limit); POST /purchases is
then answered by oracle.accept_path, past FastAPI's routing. The accept path is lean: size-limited body, JSON
parse, field checks, one EIP-712 digest and one signature recovery (cached backend registry), one INSERT + COMMIT
(group commit). A 2xx is sent only after the commit.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from . import __version__
from .accept_path import AcceptPath
from .config import Settings, SigningKey
from .guard import Guard
from .routes import admin, operations, purchases
from .schemas import BODY_SCHEMAS
from .service import Oracle

DESCRIPTION = (
    "Shop backends send EIP-712 signed purchase receipts; the oracle verifies and stores them, then attests them "
    "on chain through PurchaseMining. The operator guide is docs/oracle.md."
)


def create_app(
    settings: Settings,
    key: SigningKey | None = None,
    *,
    oracle: Oracle | None = None,
    start_background: bool = True,
    **oracle_kwargs: Any,
) -> FastAPI:
    orc = oracle or Oracle(settings, key, **oracle_kwargs)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if start_background:
            orc.start()
        try:
            yield
        finally:
            orc.stop()

    app = FastAPI(title="Black Gold mint oracle", version=__version__, lifespan=lifespan, description=DESCRIPTION)
    app.state.oracle = orc
    app.add_middleware(AcceptPath, oracle=orc)  # added first: runs inside the guard
    app.add_middleware(
        Guard,
        limit=settings.max_body_bytes,
        admin_token=settings.admin_token,
        on_too_large=orc.metrics.rejected.labels("body_too_large").inc,
    )
    for router in (purchases, operations, admin):
        app.include_router(router)

    def custom_openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        comps = schema.setdefault("components", {}).setdefault("schemas", {})
        for model in BODY_SCHEMAS:
            js = model.model_json_schema(ref_template="#/components/schemas/{model}")
            comps.update(js.pop("$defs", {}))
            comps[model.__name__] = js
        app.openapi_schema = schema
        return schema

    app.openapi = custom_openapi  # type: ignore[method-assign]
    return app

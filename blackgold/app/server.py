"""The FastAPI app behind `blackgold app`: static files, the deployment, the config and a read-only RPC proxy."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Protocol

import httpx
from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp

from ..deployment import Deployment, is_local_network
from ..errors import BlackGoldError, DeploymentError
from ..paths import PROJECT_ROOT
from ..redact import redact_url

STATIC_DIR = Path(__file__).resolve().parent / "static"
#: ethers 6 as pinned in package.json (its single-file UMD build); $BG_ETHERS_JS points elsewhere.
ETHERS_JS = PROJECT_ROOT / "node_modules" / "ethers" / "dist" / "ethers.umd.min.js"
#: What the page may ask the node through the proxy: reads only. Nothing that signs, sends a transaction, or
#: moves a dev chain's clock (Ganache's accounts are unlocked: eth_sendTransaction must never pass).
READ_METHODS = frozenset(
    {
        "eth_chainId",
        "net_version",
        "web3_clientVersion",
        "eth_blockNumber",
        "eth_getBlockByNumber",
        "eth_getBlockByHash",
        "eth_call",
        "eth_estimateGas",
        "eth_getLogs",
        "eth_getCode",
        "eth_getBalance",
        "eth_getTransactionCount",
        "eth_getTransactionByHash",
        "eth_getTransactionReceipt",
        "eth_gasPrice",
        "eth_maxPriorityFeePerGas",
        "eth_feeHistory",
    }
)
MAX_BATCH = 100
#: Blocks per eth_getLogs the page asks for (public RPCs limit the range of one call); $BG_LOG_WINDOW overrides.
DEFAULT_LOG_WINDOW = 5000


class RelayMount(Protocol):
    """A gasless relay the app serves at /relay, started and stopped with the app (oracle.relay.Relay)."""

    address: str
    app: ASGIApp

    def start(self) -> None: ...

    def stop(self) -> None: ...


class DeploymentSource:
    """The deployment file, re-read when its modification time changes (a redeploy needs no restart)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._mtime: float | None = None
        self._deployment: Deployment | None = None

    def get(self) -> Deployment:
        try:
            mtime = self.path.stat().st_mtime
        except OSError:
            mtime = None
        if self._deployment is None or mtime != self._mtime:
            self._deployment = Deployment.load(self.path)
            self._mtime = mtime
        return self._deployment


def deployment_payload(deployment: Deployment) -> dict[str, Any]:
    """What the page needs: chain id, addresses, ABIs (from the file, else the build), start blocks, parameters."""
    names = sorted(deployment.contracts)
    return {
        "network": deployment.network,
        "chain_id": deployment.chain_id,
        "contracts": {n: deployment.contracts[n] for n in names},
        "abi": {n: deployment.abi(n) for n in names},
        "from_block": deployment.from_block,
        "blocks": {n: deployment.block(n) for n in names},
        "governance": dict(deployment.section("governance")),
        "token": dict(deployment.section("token")),
    }


def config_payload(d: Deployment, wallet_rpc: str, log_window: int, relay: RelayMount | None) -> dict[str, Any]:
    """/api/config: the chain (id, name, the RPC URL for wallets), where the page reads, the log window, the relay."""
    return {
        "chain_id": d.chain_id,
        "chain_id_hex": hex(d.chain_id),
        "chain_name": chain_name(d),
        "rpc_url": wallet_rpc,
        "read_rpc": "/api/rpc",
        "log_window": log_window,
        "local": is_local_network(d.network),
        "native_currency": {"name": "Ether", "symbol": "ETH", "decimals": 18},
        "relay": relay_config(relay),
    }


def chain_name(deployment: Deployment) -> str:
    if is_local_network(deployment.network):
        return f"Black Gold local ({deployment.network})"
    return f"Black Gold ({deployment.network or deployment.chain_id})"


def create_app(
    deployment_path: str | Path,
    rpc_url: str,
    public_rpc_url: str | None = None,
    ethers_js: str | Path | None = None,
    relay: RelayMount | None = None,
    log_window: int | None = None,
) -> FastAPI:
    """The app for one deployment file and one node (and, with `relay`, the gasless relay at /relay).

    `rpc_url` is where the server reads (the proxy's upstream; it may carry an API key, never sent to the page).
    `public_rpc_url` is what a wallet is asked to add for this chain (default `rpc_url` without credentials).
    `log_window` is how many blocks the page reads per eth_getLogs (default $BG_LOG_WINDOW or 5,000).
    """
    source = DeploymentSource(Path(deployment_path))
    ethers_path = Path(ethers_js or os.environ.get("BG_ETHERS_JS") or ETHERS_JS)
    wallet_rpc = public_rpc_url or redact_url(rpc_url)
    window = resolve_log_window(log_window)
    app = FastAPI(title="Black Gold holders' app", docs_url=None, redoc_url=None)
    client = httpx.AsyncClient(timeout=30.0)

    def deployment() -> Deployment:
        try:
            return source.get()
        except DeploymentError as exc:
            raise HTTPException(status_code=503, detail=str(exc)) from None

    @app.get("/api/deployment")
    def get_deployment() -> dict[str, Any]:
        return deployment_payload(deployment())

    @app.get("/api/config")
    def get_config() -> dict[str, Any]:
        return config_payload(deployment(), wallet_rpc, window, relay)

    @app.post("/api/rpc")
    async def rpc(request: Request) -> JSONResponse:
        return await proxy_rpc(client, rpc_url, await request.body())

    @app.get("/vendor/ethers.umd.min.js")
    def ethers() -> FileResponse:
        if not ethers_path.is_file():
            raise HTTPException(status_code=500, detail=f"{ethers_path} is missing: run `npm ci` (make setup)")
        return FileResponse(ethers_path, media_type="text/javascript")

    @app.get("/")
    def index() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html", headers={"Cache-Control": "no-cache"})

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    _mount_relay(app, relay)
    app.router.add_event_handler("shutdown", client.aclose)
    return app


def resolve_log_window(value: int | None) -> int:
    """The eth_getLogs window: `value`, else $BG_LOG_WINDOW, else DEFAULT_LOG_WINDOW; at least one block."""
    if value is None:
        raw = os.environ.get("BG_LOG_WINDOW", "").strip()
        try:
            value = int(raw) if raw else DEFAULT_LOG_WINDOW
        except ValueError:
            raise BlackGoldError(f"BG_LOG_WINDOW={raw!r} is not a number of blocks") from None
    if value < 1:
        raise BlackGoldError(f"the log window is {value} blocks: it must be at least 1")
    return value


def relay_config(relay: RelayMount | None) -> dict[str, Any]:
    """What the page learns about the relay in /api/config."""
    if relay is None:
        return {"available": False}
    return {"available": True, "url": "/relay", "address": relay.address}


def _mount_relay(app: FastAPI, relay: RelayMount | None) -> None:
    if relay is not None:
        app.mount("/relay", relay.app, name="relay")
        app.router.add_event_handler("startup", relay.start)
        app.router.add_event_handler("shutdown", relay.stop)


async def proxy_rpc(client: httpx.AsyncClient, rpc_url: str, raw: bytes) -> JSONResponse:
    """Forward a JSON-RPC request or batch to the node if every method in it only reads (READ_METHODS)."""
    try:
        body = json.loads(raw)
    except ValueError:
        return JSONResponse(_rpc_error(None, -32700, "parse error: the body is not JSON"))
    calls = body if isinstance(body, list) else [body]
    if not calls or len(calls) > MAX_BATCH or not all(isinstance(c, dict) for c in calls):
        return JSONResponse(_rpc_error(None, -32600, f"a request or a batch of 1..{MAX_BATCH} requests"))
    refused = [c for c in calls if c.get("method") not in READ_METHODS]
    if refused:
        message = f"{refused[0].get('method')} is not available here: this endpoint only reads (sign with your wallet)"
        errors = [_rpc_error(c.get("id"), -32601, message) for c in calls]
        return JSONResponse(errors if isinstance(body, list) else errors[0])
    try:
        upstream = await client.post(rpc_url, json=body)
    except httpx.HTTPError as exc:
        detail = f"the node at {redact_url(rpc_url)} did not answer ({type(exc).__name__})"
        return JSONResponse(_rpc_error(calls[0].get("id"), -32603, detail), status_code=502)
    return JSONResponse(upstream.json(), status_code=upstream.status_code)


def _rpc_error(call_id: Any, code: int, message: str) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": call_id, "error": {"code": code, "message": message}}

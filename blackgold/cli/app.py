"""`blackgold app`: serve the holders' web app (blackgold/app) for one deployment and one node."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from ..chain import default_rpc
from ..errors import BlackGoldError, DeploymentError
from ..redact import redact_url
from .context import Context


def register(sub: Any, command: Any) -> None:
    p = command(
        sub,
        "app",
        "serve the holders' web app (wallet, grams, proposals, mining; with BG_RELAY_PRIVATE_KEY or "
        "BG_RELAY_KEYSTORE_FILE also the gasless relay at /relay, docs/relay.md) until Ctrl-C",
        cmd_app,
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    p.add_argument(
        "--public-rpc",
        metavar="URL",
        help="the RPC URL wallets are asked to add for this chain (default: --rpc without credentials)",
    )
    p.add_argument(
        "--log-window",
        type=int,
        metavar="BLOCKS",
        help="blocks per eth_getLogs the page reads (default $BG_LOG_WINDOW or 5000; public RPCs limit the range)",
    )


def _relay(deployment: Any, rpc_url: str) -> Any:
    """The gasless relay (oracle.relay) when BG_RELAY_PRIVATE_KEY or BG_RELAY_KEYSTORE_FILE is set, else None."""
    from oracle.relay import build_relay, configured

    if not configured():
        return None
    try:
        return build_relay(deployment, rpc_url)
    except ValueError as exc:  # oracle's ConfigError: a bad key, keystore or setting
        raise BlackGoldError(f"relay: {exc}") from None


def cmd_app(ctx: Context, args: argparse.Namespace, out: TextIO) -> None:
    import uvicorn

    from ..app import create_app

    deployment = ctx.deployment  # DeploymentError now, with how to fix it, rather than a 503 in the page
    chain_id = int(ctx.w3.eth.chain_id)
    if chain_id != deployment.chain_id:
        raise DeploymentError(
            f"deployment file {deployment.path} is for chain id {deployment.chain_id} but the node at "
            f"{redact_url(ctx.rpc or default_rpc())} has chain id {chain_id}: pass the matching --rpc or --deployment"
        )
    if not 0 < args.port < 65536:
        raise BlackGoldError(f"--port {args.port} is not a TCP port (1..65535)")
    relay = _relay(deployment, ctx.rpc or default_rpc())
    app = create_app(
        deployment.path or "",
        ctx.rpc or default_rpc(),
        public_rpc_url=args.public_rpc,
        relay=relay,
        log_window=args.log_window,
    )
    print(f"Black Gold app for {deployment.network} (chain id {chain_id}) at http://{args.host}:{args.port}/", file=out)
    if relay is not None:
        print(f"gasless relay at /relay, paying from {relay.address}", file=out)
    print(f"deployment {deployment.path}; node {redact_url(ctx.rpc or default_rpc())}; Ctrl-C stops", file=out)
    out.flush()
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")

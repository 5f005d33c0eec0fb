"""Chain commands: what the tools are connected to, and moving a local dev chain's clock."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from ..chain import advance, chain_now, client_version, default_rpc
from ..redact import redact_url
from ..units import format_duration, format_time, parse_duration
from .context import Context


def register(sub: Any, command: Any) -> None:
    group = sub.add_parser(
        "chain", help="the connected chain: info, advance", description="the connected chain and its deployment"
    )
    inner = group.add_subparsers(dest="chain_command", required=True, metavar="COMMAND", parser_class=type(group))
    command(inner, "info", "chain id, node, latest block and the deployment's addresses", cmd_info)
    command(inner, "advance", "local development chains only: move the clock forward", cmd_advance).add_argument(
        "seconds", help="e.g. 60, or 10m, 2h, 1d"
    )


def cmd_info(ctx: Context, args: argparse.Namespace, out: TextIO) -> None:
    w3 = ctx.w3
    block = w3.eth.get_block("latest")
    print(f"rpc              {redact_url(ctx.rpc or default_rpc())}", file=out)
    print(f"node             {client_version(w3) or 'unknown'}", file=out)
    print(f"chain id         {w3.eth.chain_id}", file=out)
    print(
        f"latest block     {block['number']} at {format_time(int(block['timestamp']), int(block['timestamp']))}",
        file=out,
    )
    dep = ctx.deployment
    print(f"deployment       {dep.path} ({dep.network}, chain id {dep.chain_id})", file=out)
    for name, address in sorted(dep.contracts.items()):
        print(f"  {name:<19}{address}", file=out)


def cmd_advance(ctx: Context, args: argparse.Namespace, out: TextIO) -> None:
    delta = parse_duration(args.seconds)
    now = advance(ctx.w3, delta)
    print(f"chain clock moved {format_duration(delta)} forward: now {format_time(now, chain_now(ctx.w3))}", file=out)

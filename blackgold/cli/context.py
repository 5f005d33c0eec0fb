"""What every command needs, resolved lazily from the global options: the chain, the deployment, the signer."""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from web3 import Web3

from ..accounts import Signer, resolve_signer
from ..chain import connect, default_rpc
from ..contracts import System
from ..deployment import Deployment, default_path

DEFAULT_NETWORK = "ganache-cli"


def add_global_options(parser: argparse.ArgumentParser, defaults: bool) -> None:
    """--rpc/--deployment/--network/--account, accepted before or after the command.

    The top-level parser holds the defaults; each command's parser repeats the options with SUPPRESS, so a
    value given after the command wins and an absent one does not overwrite the default.
    """

    def d(value: str | None) -> str | None:
        return value if defaults else argparse.SUPPRESS

    parser.add_argument(
        "--rpc",
        default=d(None),
        metavar="URL",
        help="the chain's JSON-RPC URL (default $BG_RPC or http://127.0.0.1:8545)",
    )
    parser.add_argument(
        "--deployment",
        default=d(os.environ.get("BG_DEPLOYMENT")),
        metavar="FILE",
        help="deployment file (default $BG_DEPLOYMENT, else the project's file for --network)",
    )
    parser.add_argument(
        "--network",
        default=d(os.environ.get("BG_NETWORK", DEFAULT_NETWORK)),
        help="which deployment file to use by default (default $BG_NETWORK or ganache-cli)",
    )
    parser.add_argument(
        "--account",
        default=d(os.environ.get("BG_ACCOUNT")),
        metavar="SPEC",
        help="who signs: node account index or address, env:VAR (hex key), or a keystore file (default $BG_ACCOUNT)",
    )


@dataclass
class Context:
    rpc: str | None
    deployment_file: str | None
    network: str
    account: str | None
    _cache: dict[str, object] = field(default_factory=dict)

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> Context:
        return cls(args.rpc, args.deployment, args.network, args.account)

    @cached_property
    def w3(self) -> Web3:
        return connect(self.rpc or default_rpc())

    @cached_property
    def deployment(self) -> Deployment:
        return Deployment.load(Path(self.deployment_file) if self.deployment_file else default_path(self.network))

    @cached_property
    def system(self) -> System:
        return System.connect(self.w3, self.deployment)

    @cached_property
    def signer(self) -> Signer:
        return resolve_signer(self.account, self.w3)

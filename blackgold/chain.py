"""Connecting to a chain by RPC URL with web3.py, and the chain's own clock.

Times shown to people and used in checks come from mined blocks (`chain_now`), never from the wall clock: a
local chain's clock may have been moved forward, and a block's timestamp is what the contracts compare with.
"""

from __future__ import annotations

import os

import requests
from web3 import Web3
from web3.exceptions import Web3Exception
from web3.types import RPCEndpoint

from .errors import BlackGoldError, ChainUnavailable
from .redact import redact_url

DEFAULT_RPC = "http://127.0.0.1:8545"
RPC_ENV = "BG_RPC"
_DEV_CLIENTS = ("ganache", "anvil", "hardhat", "ethereumjs")


def default_rpc() -> str:
    """$BG_RPC, else the local dev chain's URL."""
    return os.environ.get(RPC_ENV) or DEFAULT_RPC


def connect(rpc_url: str | None = None, timeout: float = 10.0) -> Web3:
    """A connected Web3 for `rpc_url`; ChainUnavailable (with credentials masked) if nothing answers."""
    url = rpc_url or default_rpc()
    if not url.startswith(("http://", "https://")):
        raise BlackGoldError(f"RPC URL {redact_url(url)!r} must start with http:// or https://")
    w3 = Web3(Web3.HTTPProvider(url, request_kwargs={"timeout": timeout}))
    try:
        _ = w3.eth.chain_id  # the cheapest call that proves a node answers
    except (requests.exceptions.RequestException, OSError, Web3Exception, ValueError) as exc:
        raise ChainUnavailable(
            f"no chain answers at {redact_url(url)} ({type(exc).__name__}): start the node or pass --rpc URL"
        ) from None
    return w3


def chain_now(w3: Web3) -> int:
    """Timestamp of the latest block: the contracts' clock as the chain sees it."""
    return int(w3.eth.get_block("latest")["timestamp"])


def client_version(w3: Web3) -> str:
    try:
        return str(w3.client_version)
    except (Web3Exception, ValueError, requests.exceptions.RequestException):
        return ""


def is_dev_chain(w3: Web3) -> bool:
    """True for local development nodes (Ganache, anvil, Hardhat), whose clock may be moved."""
    version = client_version(w3).lower()
    return any(name in version for name in _DEV_CLIENTS)


def advance(w3: Web3, seconds: int) -> int:
    """Dev chains only: move the clock `seconds` forward and mine a block; returns the new block's timestamp."""
    if not is_dev_chain(w3):
        raise BlackGoldError(
            f"{client_version(w3) or 'this node'} is not a local development chain: on real networks time cannot be skipped"
        )
    if seconds < 0:
        raise BlackGoldError("time only moves forward: give a positive duration")
    w3.provider.make_request(RPCEndpoint("evm_increaseTime"), [int(seconds)])
    w3.provider.make_request(RPCEndpoint("evm_mine"), [])
    return chain_now(w3)


def mine_until(w3: Web3, timestamp: int) -> int:
    """Dev chains only: mine a block at or after `timestamp` (no-op move if the clock is already past it)."""
    now = chain_now(w3)
    return advance(w3, max(0, int(timestamp) - now))

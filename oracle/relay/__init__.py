"""The gasless relay: a holder with grams and no ETH signs EIP-712 typed data (delegateBySig, castVoteBySig,
claimBySig) and the relay sends the call from its own funded key. docs/relay.md is the operator guide.

    relay = build_relay(deployment, rpc_url)      # key and settings from BG_RELAY_* (oracle.relay.config)
    app.mount("/relay", relay.app)                 # blackgold app does this when a relay key is configured
    relay.start(); ...; relay.stop()               # the worker thread (the app's startup/shutdown)

Modules: config (settings, key), typed (the three calls as typed data), checks (what is refused before storing),
models/store (the durable table), worker (sign, write ahead, send, confirm; on oracle.chain and oracle.txflow),
metrics, service (`Relay`), api (`relay_app`).
"""

from __future__ import annotations

from collections.abc import Mapping

from blackgold.deployment import Deployment

from .api import relay_app
from .config import RelaySettings, configured, load_relay_key
from .service import Relay

__all__ = ["Relay", "RelaySettings", "build_relay", "configured", "relay_app"]


def build_relay(
    deployment: Deployment, rpc_url: str, env: Mapping[str, str] | None = None, **overrides: object
) -> Relay:
    """A relay for `deployment` on `rpc_url`, configured from BG_RELAY_* (and `overrides`). Not started."""
    settings = RelaySettings.load(env, **overrides)
    return Relay(settings, load_relay_key(settings, env), deployment, rpc_url, relay_app)

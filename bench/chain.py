"""Bench set-up: load the Brownie project and connect to a local chain outside `brownie run`.

`brownie run` only runs files under scripts/, so bench modules are plain Python: `python -m bench` (what
`make bench` calls) uses this to get the same contract containers and accounts a Brownie script has.
"""
from __future__ import annotations

from pathlib import Path
from types import ModuleType

import brownie
from brownie import network, project

ROOT = Path(__file__).resolve().parent.parent
_loaded: project.main.Project | None = None


def connect(network_id: str = "ganache-cli") -> project.main.Project:
    """Load (compile if needed) the project once and connect to `network_id` (launching Ganache if local)."""
    global _loaded
    if _loaded is None:
        _loaded = project.load(str(ROOT), name="BlackGoldBench")
        _loaded.load_config()
    if not network.is_connected():
        network.connect(network_id)
    return _loaded


def disconnect() -> None:
    """Stop the chain Brownie launched (if it did)."""
    if network.is_connected():
        network.disconnect()


def containers() -> ModuleType:
    """The module-like namespace of contract containers (e.g. `containers().BlackGold`)."""
    return brownie.project.BlackGoldBench  # type: ignore[attr-defined]

"""Bench set-up: load the Brownie project and connect to a local chain outside `brownie run`.

`brownie run` only runs files under scripts/, so bench modules are plain Python: `python -m bench` (what
`make bench` calls) uses this to get the same contract containers and accounts a Brownie script has.
One project load and one chain serve every bench of a run.
"""

from __future__ import annotations

import contextlib
import io
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

from brownie import network, project

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
_loaded: project.main.Project | None = None

warnings.filterwarnings("ignore", message=r"rpc\..* should not be called directly", category=FutureWarning)


def load() -> project.main.Project:
    """Load (compile if needed) the project once per process."""
    global _loaded
    if _loaded is None:
        existing = project.get_loaded_projects()
        _loaded = existing[0] if existing else project.load(str(ROOT), name="BlackGoldBench")
        _loaded.load_config()
    return _loaded


def connect(network_id: str = "ganache-cli", port: int | None = None) -> project.main.Project:
    """Load the project and connect to `network_id` (Brownie launches its Ganache if none answers there).

    `port` overrides the network's port in memory only (the config files are not touched), so a bench can run
    its own Ganache next to another one (e.g. `python -m bench --port 8801`)."""
    loaded = load()
    if not network.is_connected():
        if port is not None:
            from brownie._config import CONFIG

            settings = CONFIG.networks[network_id]
            settings.setdefault("cmd_settings", {})["port"] = port
            host = settings["host"]
            scheme, _, rest = host.partition("//")
            settings["host"] = f"{scheme}//{rest.split(':')[0]}"
        network.connect(network_id)
    return loaded


def disconnect() -> None:
    """Stop the chain Brownie launched (if it did)."""
    if network.is_connected():
        network.disconnect()


def rpc_url() -> str:
    from brownie import web3

    return web3.provider.endpoint_uri


def containers() -> ModuleType:
    """The module-like namespace of contract containers (e.g. `containers().BlackGold`)."""
    return load()  # type: ignore[return-value]  # a Project exposes its containers as attributes


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Hide Brownie's per-transaction lines."""
    with contextlib.redirect_stdout(io.StringIO()):
        yield

"""Deploy Black Gold and write the deployment file every other command reads.

Run: `brownie run scripts/deploy.py --network ganache-cli` (or any configured Brownie network).

The deployment file (`deployments/<network>.json`, or `deployments/local/<network>.json` for local
development chains, which are git-ignored) is the one source of truth for addresses: scripts and the
oracle read it instead of pasting addresses by hand.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from brownie import BlackGold, accounts, network

GRAM = 10**18
DEFAULT_CAP_GRAMS = 1_000_000_000
LOCAL_NETWORKS = {"development", "ganache-cli", "anvil", "hardhat"}
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def deployment_path(network_name: str | None = None) -> Path:
    """Where the deployment file for `network_name` lives (local chains are kept out of git)."""
    name = network_name or network.show_active()
    folder = PROJECT_ROOT / "deployments" / ("local" if name in LOCAL_NETWORKS else "")
    return folder / f"{name}.json"


def write_deployment(data: dict[str, Any], network_name: str | None = None) -> Path:
    """Write the deployment file atomically (write to a temp file, then rename)."""
    path = deployment_path(network_name)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    tmp.replace(path)
    return path


def read_deployment(network_name: str | None = None) -> dict[str, Any]:
    """Read the deployment file, with an error that says how to create it."""
    path = deployment_path(network_name)
    if not path.exists():
        raise SystemExit(f"no deployment file at {path}: run `brownie run scripts/deploy.py --network {network_name or network.show_active()}` first")
    return json.loads(path.read_text())


def deploy_token(deployer: Any, cap_grams: int = DEFAULT_CAP_GRAMS) -> Any:
    """Deploy BlackGold with a cap of `cap_grams` whole grams; the deployer is the initial admin."""
    return BlackGold.deploy(cap_grams * GRAM, deployer, {"from": deployer})


def main(cap_grams: int = DEFAULT_CAP_GRAMS) -> Any:
    deployer = accounts[0]
    token = deploy_token(deployer, cap_grams)
    path = write_deployment(
        {
            "network": network.show_active(),
            "chain_id": network.chain.id,
            "deployer": deployer.address,
            "contracts": {"BlackGold": token.address},
        }
    )
    print(f"BlackGold deployed at {token.address}; deployment file: {path}")
    return token

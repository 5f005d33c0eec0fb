"""The deployment file: the one source of truth for chain id, addresses, ABIs and deploy parameters.

`scripts/deploy.py` writes it (atomically); every tool reads it through `Deployment.load`. Every way it can
be wrong (missing, not JSON, a contract or ABI missing, another chain) raises `DeploymentError` with a message
that says how to fix it.

Format (format 2):

    {"format": 2, "network": "ganache-cli", "chain_id": 1337, "deployer": "0x...",
     "deployed_at_block": 12, "contracts": {"BlackGold": "0x...", ...}, "abi": {"BlackGold": [...], ...},
     "blocks": {"PurchaseMining": 14}, "governance": {...}, "token": {...}, "mining": {...}, "oracles": [...]}

ABIs travel in the file so a tool can run from any directory, with no build folder. Files written before
ABIs were embedded still load: a missing ABI is read from the project's build artifacts.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eth_typing import ABI

from .errors import DeploymentError
from .paths import BUILD_DIR, DEPLOYMENTS_DIR

FORMAT = 2
#: Chains the project runs itself (their deployment files are git-ignored; time can be moved on them).
LOCAL_NETWORKS = frozenset({"development", "ganache-cli", "ganache", "anvil", "hardhat", "local"})
CORE_CONTRACTS = ("BlackGold", "TimelockController", "IssuanceGovernor")


def is_local_network(name: str) -> bool:
    """True for local development chains (their deployment files live under deployments/local/)."""
    return name in LOCAL_NETWORKS


def default_path(network: str, root: Path = DEPLOYMENTS_DIR) -> Path:
    """Where the deploy script writes the file for `network` (local chains are kept out of git)."""
    return (root / "local" if is_local_network(network) else root) / f"{network}.json"


def artifact_abi(name: str, build_dir: Path = BUILD_DIR) -> ABI:
    """A contract's ABI from the project's build artifacts (Brownie's build/contracts/<name>.json)."""
    path = build_dir / "contracts" / f"{name}.json"
    try:
        abi: ABI = json.loads(path.read_text())["abi"]
    except FileNotFoundError:
        raise DeploymentError(f"no ABI for {name}: not in the deployment file and no artifact {path}") from None
    except (ValueError, KeyError) as exc:
        raise DeploymentError(f"build artifact {path} is not readable ({exc}): run `brownie compile`") from None
    return abi


@dataclass(frozen=True)
class Deployment:
    """A deployment file's content. Build one with `load`, or `from_record` for data already in memory."""

    network: str
    chain_id: int
    contracts: Mapping[str, str]
    abis: Mapping[str, ABI] = field(default_factory=dict)
    from_block: int = 0
    record: Mapping[str, Any] = field(default_factory=dict)
    path: Path | None = None

    @classmethod
    def from_record(cls, record: Mapping[str, Any], path: Path | None = None) -> Deployment:
        where = str(path) if path else "the deployment record"
        try:
            contracts = {str(k): str(v) for k, v in dict(record["contracts"]).items()}
            abis = dict(record.get("abi") or {})
            chain_id = int(record["chain_id"])
        except (KeyError, TypeError, ValueError) as exc:
            raise DeploymentError(f"{where} is not a deployment file ({exc!r} missing or invalid): redeploy") from None
        return cls(
            network=str(record.get("network", "")),
            chain_id=chain_id,
            contracts=contracts,
            abis=abis,
            from_block=int(record.get("deployed_at_block") or 0),
            record=dict(record),
            path=path,
        )

    @classmethod
    def load(cls, path: str | Path) -> Deployment:
        """Read a deployment file; DeploymentError (saying how to create it) if it is missing or broken."""
        file = Path(path)
        try:
            record = json.loads(file.read_text())
        except FileNotFoundError:
            raise DeploymentError(
                f"no deployment file at {file}: deploy first (`brownie run scripts/deploy.py --network ganache-cli`"
                f" or `make demo`), or pass --deployment FILE / $BG_DEPLOYMENT"
            ) from None
        except (OSError, ValueError) as exc:
            raise DeploymentError(f"deployment file {file} is not readable JSON ({exc}): redeploy") from None
        if not isinstance(record, dict):
            raise DeploymentError(f"deployment file {file} is not a JSON object: redeploy")
        return cls.from_record(record, file)

    def save(self, path: str | Path | None = None) -> Path:
        """Write atomically (temp file, then rename), so a reader never sees half a file."""
        target = Path(path) if path is not None else self.path
        if target is None:
            raise DeploymentError("no path to write the deployment file to")
        return write_record(self.to_record(), target)

    def to_record(self) -> dict[str, Any]:
        record = dict(self.record)
        record.update(
            format=FORMAT,
            network=self.network,
            chain_id=self.chain_id,
            contracts=dict(self.contracts),
            abi={k: list(v) for k, v in self.abis.items()},
            deployed_at_block=self.from_block,
        )
        return record

    def address(self, name: str) -> str:
        """The address of contract `name`; DeploymentError if this deployment has none."""
        try:
            return self.contracts[name]
        except KeyError:
            where = self.path or "the deployment"
            raise DeploymentError(
                f"{where} has no {name} (it has {', '.join(sorted(self.contracts))}): redeploy"
            ) from None

    def abi(self, name: str) -> ABI:
        """The ABI of contract `name`: from the file, else from the build artifacts."""
        return self.abis.get(name) or artifact_abi(name)

    def block(self, name: str) -> int:
        """The block where `name` was deployed (where to start reading its events)."""
        blocks = self.record.get("blocks") or {}
        return int(blocks.get(name) or self.from_block)

    def section(self, name: str) -> Mapping[str, Any]:
        """A parameters section as the deploy script recorded it ("governance", "mining", ...)."""
        value = self.record.get(name) or {}
        return value if isinstance(value, Mapping) else {}


def write_record(record: Mapping[str, Any], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")
    tmp.replace(path)
    return path

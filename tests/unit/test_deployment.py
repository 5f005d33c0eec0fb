"""The deployment file: one reader/writer, one error type, every failure saying what to do."""

from __future__ import annotations

import json

import pytest

from blackgold.deployment import Deployment, default_path, is_local_network, write_record
from blackgold.errors import DeploymentError

RECORD = {
    "network": "ganache-cli",
    "chain_id": 1337,
    "deployed_at_block": 3,
    "contracts": {"BlackGold": "0x" + "11" * 20},
    "abi": {"BlackGold": [{"type": "function", "name": "cap"}]},
    "blocks": {"PurchaseMining": 9},
    "governance": {"voting_delay": 60},
}


def test_round_trip(tmp_path):
    path = write_record(RECORD, tmp_path / "d" / "x.json")
    dep = Deployment.load(path)
    assert (dep.network, dep.chain_id, dep.from_block) == ("ganache-cli", 1337, 3)
    assert dep.address("BlackGold") == "0x" + "11" * 20
    assert dep.abi("BlackGold") == [{"type": "function", "name": "cap"}]
    assert dep.block("PurchaseMining") == 9 and dep.block("BlackGold") == 3
    assert dep.section("governance") == {"voting_delay": 60} and dep.section("nothing") == {}
    again = Deployment.load(dep.save(tmp_path / "y.json"))
    assert again.to_record()["format"] == 2 and again.contracts == dep.contracts
    assert not list(tmp_path.glob("**/*.tmp")), "written atomically through a temp file"


@pytest.mark.parametrize(
    "content,fragment",
    [
        (None, "no deployment file"),
        ("{oops", "not readable JSON"),
        ("[1]", "not a JSON object"),
        (json.dumps({"contracts": {}}), "not a deployment file"),
        (json.dumps({"chain_id": 1}), "not a deployment file"),
    ],
)
def test_every_failure_is_a_deployment_error(tmp_path, content, fragment):
    path = tmp_path / "d.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(DeploymentError, match=fragment):
        Deployment.load(path)


def test_missing_contract_and_abi(tmp_path):
    dep = Deployment.from_record(RECORD)
    with pytest.raises(DeploymentError, match="has no PurchaseMining"):
        dep.address("PurchaseMining")
    with pytest.raises(DeploymentError, match="no ABI for NoSuchContract"):
        dep.abi("NoSuchContract")


def test_local_networks_stay_out_of_git(tmp_path):
    assert is_local_network("ganache-cli") and is_local_network("anvil") and not is_local_network("mainnet")
    assert default_path("ganache-cli", tmp_path) == tmp_path / "local" / "ganache-cli.json"
    assert default_path("sepolia", tmp_path) == tmp_path / "sepolia.json"

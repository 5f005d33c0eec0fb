"""The app server: the deployment and config it serves, its read-only RPC proxy, the `blackgold app` command,
and the dev keys `make app` prints (derived from Ganache's mnemonic, checked against the node's accounts)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
from eth_account import Account

from blackgold.deployment import Deployment
from scripts.app import dev_private_keys
from tests.browser.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]


def test_deployment_and_config_come_from_the_deployment_file(app_url, deployment_file, rpc_url, web3):
    expected = Deployment.load(deployment_file)
    deployment = httpx.get(f"{app_url}/api/deployment").json()
    assert deployment["chain_id"] == web3.eth.chain_id == expected.chain_id
    assert deployment["contracts"] == dict(expected.contracts)
    assert deployment["abi"]["IssuanceGovernor"] == expected.abi("IssuanceGovernor")
    assert {"BlackGold", "IssuanceGovernor", "TimelockController", "PurchaseMining"} <= set(deployment["abi"])
    config = httpx.get(f"{app_url}/api/config").json()
    assert config["chain_id_hex"] == hex(web3.eth.chain_id) and config["rpc_url"] == rpc_url
    assert config["read_rpc"] == "/api/rpc" and config["local"] is True
    assert config["log_window"] == 5_000  # blocks per eth_getLogs (test_app_read sets 3)
    page = httpx.get(app_url)
    assert page.status_code == 200 and "/vendor/ethers.umd.min.js" in page.text
    assert httpx.get(f"{app_url}/vendor/ethers.umd.min.js").status_code == 200


def test_the_rpc_proxy_reads_and_never_signs(app_url, accounts, web3):
    call = {"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []}
    assert httpx.post(f"{app_url}/api/rpc", json=call).json()["result"] == hex(web3.eth.chain_id)
    batch = [call, {**call, "id": 2, "method": "eth_blockNumber"}]
    assert [r["id"] for r in httpx.post(f"{app_url}/api/rpc", json=batch).json()] == [1, 2]
    send = {
        "jsonrpc": "2.0",
        "id": 3,
        "method": "eth_sendTransaction",
        "params": [{"from": str(accounts[1]), "to": str(accounts[2]), "value": "0x1"}],
    }
    before = web3.eth.block_number
    for body in (send, [call, send], {**send, "method": "evm_increaseTime", "params": [60]}):
        answer = httpx.post(f"{app_url}/api/rpc", json=body).json()
        errors = [a["error"] for a in (answer if isinstance(answer, list) else [answer])]
        assert all(e["code"] == -32601 and "only reads" in e["message"] for e in errors)
    assert web3.eth.block_number == before
    assert httpx.post(f"{app_url}/api/rpc", content=b"not json").json()["error"]["code"] == -32700


def test_dev_keys_match_the_nodes_accounts(accounts):
    keys = dev_private_keys("brownie", [1, 2, 3, 4])
    assert [Account.from_key(k).address for k in keys.values()] == [accounts[i].address for i in (1, 2, 3, 4)]


def test_blackgold_app_command_serves_the_deployment(deployment_file, rpc_url, tmp_path, web3):
    """The command as a separate process, from another directory (this checkout's package on PYTHONPATH)."""
    port = free_port()
    argv = [
        sys.executable,
        "-c",
        "from blackgold.cli import entry; entry()",
        "app",
        "--rpc",
        rpc_url,
        "--deployment",
        str(deployment_file),
        "--port",
        str(port),
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(argv, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                config = httpx.get(f"http://127.0.0.1:{port}/api/config", timeout=2).json()
                break
            except httpx.HTTPError:
                assert proc.poll() is None, proc.communicate()
                assert time.monotonic() < deadline, "blackgold app did not start"
                time.sleep(0.2)
        assert config["chain_id"] == web3.eth.chain_id
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=10)
    assert f"at http://127.0.0.1:{port}/" in out


def test_blackgold_app_refuses_a_deployment_of_another_chain(deployment_file, rpc_url, tmp_path):
    from blackgold.cli import main

    record = json.loads(deployment_file.read_text())
    record["chain_id"] = 1
    other = tmp_path / "other.json"
    other.write_text(json.dumps(record))
    err = io.StringIO()
    code = main(["app", "--rpc", rpc_url, "--deployment", str(other), "--port", "1"], out=io.StringIO(), err=err)
    assert code == 2 and "is for chain id 1 but the node" in err.getvalue()

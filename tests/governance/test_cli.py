"""The `blackgold` CLI (blackgold/cli): the whole issuance lifecycle through its commands, and its one-line errors.

The commands run in-process (`main([...])`) against the test chain over its RPC URL (`--rpc`), with the deployment
file written from the real deploy function; one test runs the installed `blackgold` console script as a
subprocess from another directory. Time is moved with the helpers that read mined block timestamps.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from blackgold import chain as chain_module
from blackgold.cli import main
from blackgold.deployment import write_record
from blackgold.units import GRAM
from scripts.deploy import deployment_record
from tests.governance.helpers import latest_timestamp, wait_for_deadline, wait_for_eta, wait_for_voting


@pytest.fixture(autouse=True)
def _holders(holders):
    """Every test here starts with the holders funded and delegated."""


@pytest.fixture(scope="module")
def rpc(web3):
    return web3.provider.endpoint_uri


@pytest.fixture(scope="module")
def deployment_file(system, deployer, tmp_path_factory):
    path = tmp_path_factory.mktemp("deployments") / "ganache.json"
    write_record(deployment_record(system, deployer), path)
    return path


def run_cli(argv):
    out, err = io.StringIO(), io.StringIO()
    code = main([str(a) for a in argv], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def cli(deployment_file, accounts, rpc):
    """cli(*args, account=holder) -> (exit code, stdout, stderr)."""

    def run(*args, account=None):
        argv = ["--rpc", rpc, "--deployment", str(deployment_file)]
        if account is not None:
            argv += ["--account", str(list(accounts).index(account))]
        return run_cli(argv + list(args))

    return run


def assert_one_line_error(result, *fragments):
    code, out, err = result
    assert code == 2, (code, out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


def ok(result):
    code, out, err = result
    assert code == 0, (code, out, err)
    return out


# ---- the lifecycle through the commands --------------------------------------------------------------------


def test_cli_raise_lifecycle(cli, chain, token, governor, alice, bob, carol, eve):
    out = ok(cli("power", account=alice))
    assert "300,000 grams" in out and "voting power     300,000 grams" in out
    out = ok(cli("delegate", account=eve))
    assert "delegates 0 grams of votes to yourself" in out and "holds no grams yet" in out

    out = ok(cli("propose", "raise", "50,000,000", "--description", "Room for year two", account=alice))
    assert "proposal #1 created" in out and "raise the cap by 50,000,000 grams" in out
    out = ok(cli("status", "1"))
    assert "#1 Room for year two  [Pending]" in out
    assert "cap       1,000,000,000 -> 1,050,000,000 grams (would be +50,000,000)" in out
    assert "about 40,020 grams" in out

    pid = governor.proposalDetailsAt(0)[0]
    wait_for_voting(chain, governor, pid)
    assert "with 300,000 grams" in ok(cli("vote", "#1", "for", account=alice))
    assert "voted against" in ok(cli("vote", str(pid), "against", "--reason", "too early", account=carol))
    assert "voted abstain" in ok(cli("vote", "1", "abstain", account=bob))
    out = ok(cli("status"))
    assert "1 proposal" in out and "[Active]" in out
    assert "for 300,000 / against 100,000 / abstain 200,000 grams" in out
    assert "quorum    40,020 grams (for + abstain): reached" in out

    wait_for_deadline(chain, governor, pid)
    assert "[Succeeded]" in ok(cli("status", "1"))
    assert "queued in the timelock" in ok(cli("queue", "1", account=carol))
    wait_for_eta(chain, governor, pid)
    out = ok(cli("execute", "1", account=carol))
    assert "cap 1,000,000,000 -> 1,050,000,000 grams" in out
    assert token.cap() == 1_050_000_000 * GRAM
    out = ok(cli("status", "1"))
    assert "[Executed]" in out
    assert "cap       1,000,000,000 -> 1,050,000,000 grams (was +50,000,000)" in out


def test_cli_grant_lifecycle(cli, chain, token, governor, alice, bob, fund):
    out = ok(cli("propose", "grant", "1,234,567.5", "--recipient", fund.address, account=bob))
    assert f"mint them to {fund.address}" in out
    pid = governor.proposalDetailsAt(governor.proposalCount() - 1)[0]
    wait_for_voting(chain, governor, pid)
    ok(cli("vote", "1", "for", account=alice))
    wait_for_deadline(chain, governor, pid)
    ok(cli("queue", "1", account=alice))
    wait_for_eta(chain, governor, pid)
    ok(cli("execute", "1", account=alice))
    assert token.balanceOf(fund) == 1_234_567 * GRAM + GRAM // 2
    assert "(was +1,234,567.5)" in ok(cli("status", "1"))


def test_cli_cancel(cli, governor, alice):
    ok(cli("propose", "b", "1,000", "--recipient", alice.address, account=alice))
    assert "cancelled" in ok(cli("cancel", "1", account=alice))
    assert "[Canceled]" in ok(cli("status", "1"))


# ---- errors: one line, saying what to do -------------------------------------------------------------------


def test_error_wrong_proposal_id(cli, alice):
    assert_one_line_error(cli("status", "3"), "no proposal #3", "run `status`")
    assert_one_line_error(
        cli("vote", "123456789012345678901234567890", "for", account=alice), "no proposal with id", "status"
    )
    assert_one_line_error(cli("queue", "abc", account=alice), "is not a proposal")
    ok(cli("propose", "raise", "1,000", account=alice))
    assert_one_line_error(cli("execute", "2", account=alice), "no proposal #2", "there is 1")


def test_error_vote_outside_window(cli, chain, governor, alice, bob):
    ok(cli("propose", "raise", "1,000", account=alice))
    pid = governor.proposalDetailsAt(0)[0]
    assert_one_line_error(cli("vote", "1", "for", account=bob), "has not started", "opens", "vote then")
    wait_for_deadline(chain, governor, pid)
    assert_one_line_error(cli("vote", "1", "for", account=bob), "is closed", "Defeated")


def test_error_second_vote(cli, chain, governor, alice):
    ok(cli("propose", "raise", "1,000", account=alice))
    wait_for_voting(chain, governor, governor.proposalDetailsAt(0)[0])
    ok(cli("vote", "1", "for", account=alice))
    assert_one_line_error(cli("vote", "1", "against", account=alice), "already voted", "once per proposal")


def test_error_no_voting_power(cli, chain, token, governor, alice, eve, whale):
    ok(cli("propose", "raise", "1,000", account=alice))
    wait_for_voting(chain, governor, governor.proposalDetailsAt(0)[0])
    token.transfer(eve, 10_000 * GRAM, {"from": whale})
    ok(cli("delegate", account=eve))
    assert_one_line_error(cli("vote", "1", "for", account=eve), "no voting power", "snapshot", "delegate")


def test_error_too_little_power_to_propose(cli, chain, token, minter, dave, eve):
    assert_one_line_error(
        cli("propose", "raise", "1,000", account=dave), "has 500 grams of voting power", "needs 1,000", "delegations"
    )
    token.mint(eve, 2_000 * GRAM, {"from": minter})
    assert_one_line_error(cli("propose", "raise", "1,000", account=eve), "has 0 grams", "run `delegate` first")


def test_error_bad_proposal_input(cli, alice):
    assert_one_line_error(cli("propose", "grant", "1,000", account=alice), "needs --recipient")
    assert_one_line_error(
        cli("propose", "grant", "1,000", "--recipient", "0x12", account=alice), "not a non-zero address"
    )
    assert_one_line_error(
        cli("propose", "raise", "1,000", "--recipient", alice.address, account=alice), "only for `grant`"
    )
    assert_one_line_error(cli("propose", "raise", "12,34", account=alice), "not a number of grams")
    assert_one_line_error(cli("propose", "raise", "0", account=alice), "more than 0")
    assert_one_line_error(cli("propose", "mint", "5", account=alice), "unknown proposal kind")
    assert_one_line_error(cli("vote", "1", "yes", account=alice), "for, against or abstain")
    ok(cli("propose", "raise", "1,000", "--description", "same", account=alice))
    assert_one_line_error(
        cli("propose", "raise", "1,000", "--description", "same", account=alice), "identical proposal"
    )


def test_error_queue_and_execute_out_of_order(cli, chain, governor, alice, bob):
    ok(cli("propose", "raise", "1,000", account=alice))
    pid = governor.proposalDetailsAt(0)[0]
    assert_one_line_error(cli("queue", "1", account=alice), "still Pending", "after voting closes")
    assert_one_line_error(cli("execute", "1", account=alice), "still Pending")
    wait_for_voting(chain, governor, pid)
    ok(cli("vote", "1", "for", account=bob))
    assert_one_line_error(cli("queue", "1", account=alice), "still Active")
    wait_for_deadline(chain, governor, pid)
    assert_one_line_error(cli("execute", "1", account=alice), "not queued", "run `queue` first")
    ok(cli("queue", "1", account=alice))
    assert_one_line_error(cli("queue", "1", account=alice), "already queued")
    assert_one_line_error(cli("execute", "1", account=alice), "timelock delay", "execute then")
    wait_for_eta(chain, governor, pid)
    ok(cli("execute", "1", account=alice))
    assert_one_line_error(cli("execute", "1", account=alice), "already executed")


def test_error_defeated_cannot_be_queued(cli, chain, governor, alice, dave):
    ok(cli("propose", "raise", "1,000", account=alice))
    pid = governor.proposalDetailsAt(0)[0]
    wait_for_voting(chain, governor, pid)
    ok(cli("vote", "1", "for", account=dave))
    wait_for_deadline(chain, governor, pid)
    assert_one_line_error(cli("queue", "1", account=alice), "defeated", "quorum not reached")


def test_error_cancel(cli, chain, governor, alice, bob):
    ok(cli("propose", "raise", "1,000", account=alice))
    assert_one_line_error(cli("cancel", "1", account=bob), "only the proposer")
    wait_for_voting(chain, governor, governor.proposalDetailsAt(0)[0])
    assert_one_line_error(cli("cancel", "1", account=alice), "only before voting starts")


def test_error_setup_problems(cli, tmp_path, rpc):
    assert_one_line_error(cli("delegate"), "--account")
    assert_one_line_error(cli("power", account=None), "--account")
    assert_one_line_error(cli("--account", "99", "delegate"), "out of range")
    assert_one_line_error(cli("--account", "0x" + "ab" * 20, "delegate"), "not unlocked on this node")
    assert_one_line_error(cli("--account", "env:BG_TEST_NO_SUCH_VAR", "delegate"), "BG_TEST_NO_SUCH_VAR is empty")
    assert_one_line_error(cli("--account", str(tmp_path / "key.json"), "delegate"), "no such keystore file")
    missing = tmp_path / "none.json"
    assert_one_line_error(
        run_cli(["--rpc", rpc, "--deployment", missing, "status"]), "no deployment file", "scripts/deploy.py"
    )
    assert_one_line_error(cli("frobnicate"), "invalid choice")
    assert_one_line_error(run_cli(["--rpc", "http://user:hunter2@127.0.0.1:9", "status"]), "no chain answers", "***")
    assert "hunter2" not in run_cli(["--rpc", "http://user:hunter2@127.0.0.1:9", "status"])[2]


def test_error_stale_or_foreign_deployment_file(tmp_path, rpc, web3):
    fake = "0x" + "12" * 20
    contracts = {"BlackGold": fake, "TimelockController": fake, "IssuanceGovernor": fake}
    stale = write_record({"chain_id": web3.eth.chain_id, "contracts": contracts}, tmp_path / "stale.json")
    assert_one_line_error(run_cli(["--rpc", rpc, "--deployment", stale, "status"]), "no BlackGold contract", "redeploy")
    foreign = write_record({"chain_id": 5, "contracts": contracts}, tmp_path / "foreign.json")
    assert_one_line_error(run_cli(["--rpc", rpc, "--deployment", foreign, "status"]), "chain id 5", "--rpc")
    (tmp_path / "broken.json").write_text("{not json")
    assert_one_line_error(
        run_cli(["--rpc", rpc, "--deployment", tmp_path / "broken.json", "status"]), "not readable JSON"
    )


# ---- as a real command ----------------------------------------------------------------------------------------


def test_cli_as_subprocess_from_any_directory(cli, deployment_file, alice, rpc, tmp_path):
    """The installed `blackgold` script works from any directory with --rpc, and never prints a traceback."""
    ok(cli("propose", "raise", "2,000,000", "--description", "from a shell", account=alice))
    exe = shutil.which("blackgold", path=str(Path(sys.executable).parent))
    assert exe, "make setup installs the blackgold console script into the venv"
    base = [exe, "--rpc", rpc, "--deployment", str(deployment_file)]
    done = subprocess.run(base + ["status"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "#1 from a shell  [Pending]" in done.stdout
    assert "1,000,000,000 -> 1,002,000,000" in done.stdout
    assert "Warning" not in done.stderr
    done = subprocess.run(
        base + ["--account", "3", "vote", "1", "for"], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines()[-1].startswith("error: voting on proposal #1 has not started")


def test_power_of_any_address(cli, bob):
    out = ok(cli("power", bob.address))
    assert "balance          200,000 grams" in out and f"delegates to     {bob.address}" in out


def test_advance_moves_the_local_clock(cli, chain, monkeypatch):
    before = latest_timestamp(chain)
    assert "chain clock moved 10m forward" in ok(cli("chain", "advance", "10m"))
    assert chain[-1].timestamp >= before + 600
    assert_one_line_error(cli("chain", "advance", "soon"), "not a duration")
    monkeypatch.setattr(chain_module, "is_dev_chain", lambda w3: False)
    assert_one_line_error(cli("chain", "advance", "60"), "not a local development chain")


def test_chain_info(cli, system):
    out = ok(cli("chain", "info"))
    assert "IssuanceGovernor" in out and system.governor.address in out

"""The holders' commands (scripts/holders.py): the whole lifecycle through the CLI, and its one-line errors.

The commands run in-process against the test chain (`main([...])` with the deployment file written by the real
deploy function); one test runs the CLI as a subprocess connected to the same Ganache over RPC.
"""
from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from scripts.deploy import GRAM, deployment_record, write_deployment
from scripts import holders
from scripts.holders import HolderError, format_grams, parse_grams, wait_for_deadline, wait_for_eta, wait_for_voting

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _holders(holders):
    """Every test here starts with the holders funded and delegated."""


@pytest.fixture(scope="module")
def deployment_file(system, deployer, tmp_path_factory):
    path = tmp_path_factory.mktemp("deployments") / "ganache-b.json"
    write_deployment(deployment_record(system, deployer), path=path)
    return path


@pytest.fixture
def cli(deployment_file, accounts):
    """cli(*args, account=holder) -> (exit code, stdout, stderr)."""

    def run(*args, account=None):
        argv = ["--deployment", str(deployment_file)]
        if account is not None:
            argv += ["--account", str(list(accounts).index(account))]
        out, err = io.StringIO(), io.StringIO()
        code = holders.main(argv + [str(a) for a in args], out=out, err=err)
        return code, out.getvalue(), err.getvalue()

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


# ---- grams ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text,wei", [
    ("50,000,000", 50_000_000 * GRAM), ("50000000", 50_000_000 * GRAM), ("1_000", 1_000 * GRAM),
    ("2,500.5", 2_500 * GRAM + GRAM // 2), ("0.000000000000000001", 1), ("7", 7 * GRAM),
])
def test_parse_grams(text, wei):
    assert parse_grams(text) == wei


@pytest.mark.parametrize("text", ["12,34", "-5", "1e6", "abc", "", "1,000,00", "0.0000000000000000001", "1.2.3"])
def test_parse_grams_rejects(text):
    with pytest.raises(HolderError):
        parse_grams(text)


def test_format_grams():
    assert format_grams(1_000_000_000 * GRAM) == "1,000,000,000"
    assert format_grams(2_500 * GRAM + GRAM // 2) == "2,500.5"
    assert format_grams(0) == "0"
    assert format_grams(1) == "0.000000000000000001"


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
    assert_one_line_error(cli("vote", "123456789012345678901234567890", "for", account=alice),
                          "no proposal with id", "status")
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
    assert_one_line_error(cli("propose", "raise", "1,000", account=dave),
                          "has 500 grams of voting power", "needs 1,000", "delegations")
    token.mint(eve, 2_000 * GRAM, {"from": minter})
    assert_one_line_error(cli("propose", "raise", "1,000", account=eve), "has 0 grams", "run `delegate` first")


def test_error_bad_proposal_input(cli, alice):
    assert_one_line_error(cli("propose", "grant", "1,000", account=alice), "needs --recipient")
    assert_one_line_error(cli("propose", "grant", "1,000", "--recipient", "0x12", account=alice), "not a non-zero address")
    assert_one_line_error(cli("propose", "raise", "1,000", "--recipient", alice.address, account=alice),
                          "only for `grant`")
    assert_one_line_error(cli("propose", "raise", "12,34", account=alice), "not a number of grams")
    assert_one_line_error(cli("propose", "raise", "0", account=alice), "more than 0")
    assert_one_line_error(cli("propose", "mint", "5", account=alice), "unknown proposal kind")
    assert_one_line_error(cli("vote", "1", "yes", account=alice), "for, against or abstain")
    ok(cli("propose", "raise", "1,000", "--description", "same", account=alice))
    assert_one_line_error(cli("propose", "raise", "1,000", "--description", "same", account=alice),
                          "identical proposal")


def test_error_queue_and_execute_out_of_order(cli, chain, governor, alice, bob):
    ok(cli("propose", "raise", "1,000", account=alice))
    pid = governor.proposalDetailsAt(0)[0]
    assert_one_line_error(cli("queue", "1", account=alice), "still Pending", "after voting closes")
    assert_one_line_error(cli("execute", "1", account=alice), "still Pending")
    wait_for_voting(chain, governor, pid)
    ok(cli("vote", "1", "for", account=bob))
    assert_one_line_error(cli("queue", "1", account=alice), "still Active")
    wait_for_deadline(chain, governor, pid)
    assert_one_line_error(cli("execute", "1", account=alice), "not queued", "`queue 1` first")
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


def test_error_setup_problems(cli, tmp_path, accounts):
    code, out, err = cli("delegate")
    assert_one_line_error((code, out, err), "--account")
    assert_one_line_error(cli("power", account=None), "--account")
    assert_one_line_error(cli("--account", "99", "delegate"), "out of range")
    assert_one_line_error(cli("--account", "0x" + "ab" * 20, "delegate"), "not an unlocked account")
    missing = tmp_path / "none.json"
    result = holders.main(["--deployment", str(missing), "status"], out=io.StringIO(), err=(err := io.StringIO()))
    assert_one_line_error((result, "", err.getvalue()), "no deployment file", "scripts/deploy.py")
    assert_one_line_error(cli("frobnicate"), "invalid choice")


def test_error_stale_deployment_file(tmp_path, deployer):
    path = tmp_path / "stale.json"
    fake = "0x" + "12" * 20
    write_deployment({"contracts": {"BlackGold": fake, "TimelockController": fake, "IssuanceGovernor": fake}},
                     path=path)
    err = io.StringIO()
    code = holders.main(["--deployment", str(path), "status"], out=io.StringIO(), err=err)
    assert_one_line_error((code, "", err.getvalue()), "no BlackGold contract", "redeploy")


# ---- as a real command ----------------------------------------------------------------------------------------


def test_cli_as_subprocess(cli, deployment_file, alice):
    """`python -m scripts.holders` connects to the running chain (ganache-b here) and never prints a traceback."""
    from brownie import network

    ok(cli("propose", "raise", "2,000,000", "--description", "from a shell", account=alice))
    env = dict(os.environ)
    base = [sys.executable, "-m", "scripts.holders", "--network", network.show_active(),
            "--deployment", str(deployment_file)]
    done = subprocess.run(base + ["status"], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "#1 from a shell  [Pending]" in done.stdout
    assert "1,000,000,000 -> 1,002,000,000" in done.stdout
    done = subprocess.run(base + ["--account", "3", "vote", "1", "for"], cwd=PROJECT_ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines()[-1].startswith("error: voting on proposal #1 has not started")


def test_power_of_any_address(cli, bob):
    out = ok(cli("power", bob.address))
    assert "balance          200,000 grams" in out and f"delegates to     {bob.address}" in out


def test_advance_moves_the_local_clock(cli, chain, monkeypatch):
    before = chain[-1].timestamp  # the latest mined block, not the wall clock
    assert "chain clock moved 10m forward" in ok(cli("advance", "10m"))
    assert chain[-1].timestamp >= before + 600
    assert_one_line_error(cli("advance", "soon"), "not a duration")
    monkeypatch.setattr(holders, "is_local_chain", lambda name: False)
    assert_one_line_error(cli("advance", "60"), "not a local development chain")

"""`blackgold dividends status|deposit|claim` over --rpc on the real deploy (Test USD registered)."""

from __future__ import annotations

import io

import pytest
from brownie import chain

from blackgold.cli import main
from blackgold.deployment import write_record
from scripts.deploy import LOCAL_SETTINGS, chain_hooks, deploy_system, deployment_record, mining_hook, stablecoin_hook
from tests.dividends.conftest import GRAM, USD, WEEK, sleep_to


@pytest.fixture(scope="module")
def system(accounts):
    deployer = accounts[0]
    hook = chain_hooks(mining_hook(deployer, [accounts[9]]), stablecoin_hook(deployer))
    return deploy_system(deployer, LOCAL_SETTINGS, extra_minters=[accounts[1]], before_renounce=hook)


@pytest.fixture(scope="module")
def cli(system, accounts, tmp_path_factory, web3):
    path = write_record(deployment_record(system, accounts[0]), tmp_path_factory.mktemp("dep") / "d.json")

    def run(*args, account=None):
        argv = ["--rpc", web3.provider.endpoint_uri, "--deployment", str(path)]
        argv += ["--account", str(list(accounts).index(account))] if account is not None else []
        out, err = io.StringIO(), io.StringIO()
        code = main(argv + [str(a) for a in args], out, err)
        return code, out.getvalue(), err.getvalue()

    return run


def ok(result):
    code, out, err = result
    assert code == 0, err
    return out


def test_deposit_stream_status_and_claims(cli, system, accounts):
    token, coin = system.token, system.extra["TestStablecoin"]
    holder, other, depositor, payee, relayer = accounts[2], accounts[3], accounts[5], accounts[6], accounts[7]
    token.mint(holder, 75 * GRAM, {"from": accounts[1]})
    token.mint(other, 25 * GRAM, {"from": accounts[1]})
    coin.mint(depositor, 10_000 * USD, {"from": depositor})
    out = ok(cli("dividends", "deposit", "7,000", account=depositor))
    assert "deposited 7,000 tUSD" in out and "streams to holders until" in out
    start = token.periodEnd(coin) - WEEK
    out = ok(cli("dividends", "status", holder.address))
    assert "[streaming]" in out and "deposited 7,000 tUSD" in out and "streaming 1,000 tUSD a day" in out
    sleep_to(start + WEEK + 1)
    chain.mine()  # views read the latest block: anvil answers eth_call at its timestamp (Ganache at its own clock)
    out = ok(cli("dividends", "status", holder.address))
    assert "claimable 5,250 tUSD" in out and "[idle]" in out
    out = ok(cli("dividends", "claim", "--to", payee.address, account=holder))
    assert "claimed 5,250 tUSD" in out and f"paid to {payee.address}" in out
    assert coin.balanceOf(payee) == 5_250 * USD
    out = ok(cli("dividends", "claim", "--for", other.address, account=relayer))
    assert coin.balanceOf(other) == 1_750 * USD and coin.balanceOf(relayer) == 0


def test_errors_are_one_line(cli, accounts):
    code, _, err = cli("dividends", "claim", account=accounts[8])
    assert code == 2 and "nothing to claim" in err and len(err.strip().splitlines()) == 1
    code, _, err = cli("dividends", "deposit", "0.0000001", account=accounts[5])
    assert code == 2 and "more than 6 decimals" in err
    code, _, err = cli("dividends", "deposit", "5", "--asset", "DAI", account=accounts[5])
    assert code == 2 and "not a payout asset" in err and "tUSD" in err
    code, _, err = cli("dividends", "deposit", "5", account=accounts[8])
    assert code == 2 and "holds only 0" in err

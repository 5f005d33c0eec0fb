"""`blackgold mining params|quote` and the mined-per-role line of `power`, on the real deploy, over --rpc."""

from __future__ import annotations

import io

import pytest

from blackgold.cli import main
from blackgold.deployment import write_record
from blackgold.units import format_grams
from scripts.deploy import LOCAL_SETTINGS, deploy_system, deployment_record, mining_hook
from tests.mining.conftest import addr, order_ref


@pytest.fixture(scope="module")
def full(accounts):
    deployer, oracle = accounts[0], accounts[9]
    return deploy_system(deployer, LOCAL_SETTINGS, before_renounce=mining_hook(deployer, [oracle])), oracle


@pytest.fixture(scope="module")
def cli(full, accounts, tmp_path_factory, web3):
    system, _ = full
    path = write_record(deployment_record(system, accounts[0]), tmp_path_factory.mktemp("dep") / "d.json")

    def run(*args):
        out, err = io.StringIO(), io.StringIO()
        code = main(["--rpc", web3.provider.endpoint_uri, "--deployment", str(path), *map(str, args)], out, err)
        assert code == 0, err.getvalue()
        return out.getvalue()

    return run


def test_quote_matches_the_contract(cli, full):
    mining = full[0].extra["PurchaseMining"]
    for amount, referred, bps in ((19_900, True, 0), (19_900, False, 0), (1_000_000, True, 3_000)):
        args = ["mining", "quote", amount, "--referrer-bps", bps] + ([] if referred else ["--no-referrer"])
        out = cli(*args)
        grams = mining.quote(amount, referred, bps)
        for role, value in zip(("consumer", "referrer", "supplier", "platform"), grams, strict=True):
            assert f"{role:<10} {format_grams(value)} grams" in out
        assert f"total      {format_grams(sum(grams))} grams" in out


def test_params(cli, full):
    out = cli("mining", "params")
    assert "epoch 0" in out and "consumer 50% / referrer 20% / supplier 20% / platform 10%" in out
    assert "1,000,000 of 1,000,000 grams available" in out


def test_power_shows_grams_mined_per_role(cli, full):
    system, oracle = full
    mining = system.extra["PurchaseMining"]
    consumer, referrer, supplier = addr("cli-consumer"), addr("cli-referrer"), addr("cli-supplier")
    mining.mintBatch([(order_ref(), consumer, referrer, supplier, 19_900, 0)], {"from": oracle})
    out = cli("power", consumer)
    assert "mined            consumer 99.5 / referrer 0 / supplier 0 / platform 0 grams" in out
    assert "referrer 39.8" in cli("power", referrer)

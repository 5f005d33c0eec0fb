"""The real deploy: wiring, parameters, deployment file, and a deployer left with no privilege at all."""

from __future__ import annotations

import json

import brownie
import pytest

import scripts.deploy as deploy_module
from blackgold.deployment import Deployment
from scripts.deploy import (
    GRAM,
    LOCAL_DEV_ALLOCATION_GRAMS,
    LOCAL_SETTINGS,
    PRODUCTION_SETTINGS,
    GovernanceSettings,
    deploy_and_record,
    deploy_system,
)
from tests.governance.helpers import reverts_with


def _assert_deployer_powerless(deployer, token, timelock, other):
    """Every privileged entry point of the token and the timelock refuses the deployer."""
    for role in (token.DEFAULT_ADMIN_ROLE(), token.CAP_RAISER_ROLE(), token.MINTER_ROLE()):
        assert not token.hasRole(role, deployer)
    for role in (
        timelock.DEFAULT_ADMIN_ROLE(),
        timelock.PROPOSER_ROLE(),
        timelock.EXECUTOR_ROLE(),
        timelock.CANCELLER_ROLE(),
    ):
        assert not timelock.hasRole(role, deployer)
    tx = {"from": deployer}
    with reverts_with("AccessControlUnauthorizedAccount"):
        token.raiseCap(1_000 * GRAM, tx)
    with reverts_with("AccessControlUnauthorizedAccount"):
        token.grant(deployer, 1_000 * GRAM, tx)
    with reverts_with("AccessControlUnauthorizedAccount"):
        token.mint(deployer, 1, tx)
    for role in (token.MINTER_ROLE(), token.CAP_RAISER_ROLE(), token.DEFAULT_ADMIN_ROLE()):
        with reverts_with("AccessControlUnauthorizedAccount"):
            token.grantRole(role, other, tx)
        with reverts_with("AccessControlUnauthorizedAccount"):
            token.grantRole(role, deployer, tx)
    for role in (timelock.PROPOSER_ROLE(), timelock.EXECUTOR_ROLE(), timelock.DEFAULT_ADMIN_ROLE()):
        with reverts_with("AccessControlUnauthorizedAccount"):
            timelock.grantRole(role, deployer, tx)
    with reverts_with("TimelockUnauthorizedCaller"):
        timelock.updateDelay(0, tx)


def test_wiring(system, deployer, minter):
    token, timelock, governor = system.token, system.timelock, system.governor
    assert token.hasRole(token.DEFAULT_ADMIN_ROLE(), timelock)
    assert token.hasRole(token.CAP_RAISER_ROLE(), timelock)
    assert token.hasRole(token.MINTER_ROLE(), minter)  # extra_minters
    for role in (timelock.PROPOSER_ROLE(), timelock.CANCELLER_ROLE(), timelock.EXECUTOR_ROLE()):
        assert timelock.hasRole(role, governor)
    assert not timelock.hasRole(timelock.EXECUTOR_ROLE(), "0x" + "0" * 40)  # execution is not open
    assert timelock.hasRole(timelock.DEFAULT_ADMIN_ROLE(), timelock)  # self-administered
    assert governor.timelock() == timelock
    assert governor.token() == token
    assert governor.CLOCK_MODE() == "mode=timestamp"


def test_parameters(system, settings):
    governor, timelock = system.governor, system.timelock
    assert governor.votingDelay() == settings.voting_delay
    assert governor.votingPeriod() == settings.voting_period
    assert governor.proposalThreshold() == settings.proposal_threshold_grams * GRAM
    assert governor.quorumNumerator() == settings.quorum_percent
    assert governor.quorumDenominator() == 100
    assert governor.lateQuorumVoteExtension() == settings.late_quorum_extension
    assert governor.executionWindow() == settings.execution_window
    assert timelock.getMinDelay() == settings.timelock_delay


def test_deployer_cannot_raise_cap_or_grant_roles_after_deploy(system, deployer, accounts):
    _assert_deployer_powerless(deployer, system.token, system.timelock, accounts[9])


def test_deploy_and_record_writes_the_deployment_file(tmp_path, accounts, chain):
    deployer = accounts[9]
    path = tmp_path / "net.json"
    system, written = deploy_and_record(deployer, LOCAL_SETTINGS, path=path)
    assert written == path
    record = json.loads(path.read_text())
    assert Deployment.load(path).record == json.loads(json.dumps(record))
    assert set(record["contracts"]) <= set(record["abi"]), "every contract's ABI travels in the file"
    assert record["contracts"] == {
        "BlackGold": system.token.address,
        "TimelockController": system.timelock.address,
        "IssuanceGovernor": system.governor.address,
    }
    assert record["chain_id"] == chain.id
    assert record["deployer"] == deployer.address
    assert record["governance"] == {
        "voting_delay": 60,
        "voting_period": 600,
        "proposal_threshold_grams": 1_000,
        "quorum_percent": 4,
        "late_quorum_extension": 300,
        "timelock_delay": 120,
        "execution_window": 3_600,
        "clock_mode": "mode=timestamp",
        "executor": "IssuanceGovernor",
    }
    assert record["token"] == {"cap_grams": 1_000_000_000}
    assert record["deployed_at_block"] <= chain.height
    _assert_deployer_powerless(deployer, system.token, system.timelock, accounts[8])


def test_main_deploys_local_profile_with_dev_allocation(tmp_path, monkeypatch, accounts):
    path = tmp_path / "main.json"
    monkeypatch.setattr(deploy_module, "deployment_path", lambda network_name=None: path)
    system = deploy_module.main()
    token = system.token
    record = json.loads(path.read_text())
    assert record["contracts"]["BlackGold"] == token.address
    assert record["governance"]["voting_period"] == LOCAL_SETTINGS.voting_period
    for i, grams in enumerate(LOCAL_DEV_ALLOCATION_GRAMS):
        assert token.balanceOf(accounts[i + 1]) == grams * GRAM
    timelock = deploy_module.contract_container("TimelockController").at(record["contracts"]["TimelockController"])
    _assert_deployer_powerless(accounts[0], token, timelock, accounts[8])
    # PurchaseMining: wired as minter, the local oracle set, administered by the timelock alone.
    mining = system.extra["PurchaseMining"]
    assert record["contracts"]["PurchaseMining"] == mining.address
    assert record["blocks"]["PurchaseMining"] == mining.tx.block_number
    oracle = accounts[deploy_module.LOCAL_ORACLE_INDEX]
    assert record["oracles"] == [oracle.address]
    assert token.hasRole(token.MINTER_ROLE(), mining)
    assert mining.hasRole(mining.ORACLE_ROLE(), oracle)
    for role in (mining.DEFAULT_ADMIN_ROLE(), mining.PAUSER_ROLE()):
        assert mining.hasRole(role, timelock)
        assert not mining.hasRole(role, accounts[0])
    with brownie.reverts(revert_pattern="AccessControlUnauthorizedAccount: .*"):
        mining.grantRole(mining.ORACLE_ROLE(), accounts[0], {"from": accounts[0]})


def test_main_production_profile(tmp_path, monkeypatch):
    path = tmp_path / "prod.json"
    monkeypatch.setattr(deploy_module, "deployment_path", lambda network_name=None: path)
    deploy_module.main("production")
    gov = json.loads(path.read_text())["governance"]
    assert gov["voting_delay"] == PRODUCTION_SETTINGS.voting_delay == 86_400
    assert gov["voting_period"] == PRODUCTION_SETTINGS.voting_period == 604_800
    assert gov["proposal_threshold_grams"] == 100_000
    assert gov["quorum_percent"] == 4
    assert gov["late_quorum_extension"] == 172_800
    assert gov["timelock_delay"] == 172_800
    assert gov["execution_window"] == 1_209_600
    with pytest.raises(SystemExit):
        deploy_module.main("fast")


def test_before_renounce_hook_runs_while_deployer_is_admin(accounts, BlackGold):
    deployer, hooked = accounts[9], accounts[7]
    seen = {}

    def wire(token, timelock):
        seen["admin"] = token.hasRole(token.DEFAULT_ADMIN_ROLE(), deployer)
        seen["timelock_admin"] = timelock.hasRole(timelock.DEFAULT_ADMIN_ROLE(), deployer)
        token.grantRole(token.MINTER_ROLE(), hooked, {"from": deployer})
        side = BlackGold.deploy(1, deployer, {"from": deployer})  # stands in for PurchaseMining
        return {"SideContract": side}

    settings = GovernanceSettings(
        voting_delay=1,
        voting_period=10,
        proposal_threshold_grams=0,
        quorum_percent=1,
        late_quorum_extension=1,
        timelock_delay=1,
        execution_window=10,
    )
    system = deploy_system(deployer, settings, extra_minters=[accounts[6]], before_renounce=wire)
    assert seen == {"admin": True, "timelock_admin": True}
    assert system.token.hasRole(system.token.MINTER_ROLE(), hooked)
    assert system.token.hasRole(system.token.MINTER_ROLE(), accounts[6])
    assert "SideContract" in system.contract_addresses()
    _assert_deployer_powerless(deployer, system.token, system.timelock, accounts[8])

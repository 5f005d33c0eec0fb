"""Access: only oracles submit, only governance changes parameters (each change evented), pause stops purchase
minting only, and the contract has no power over holders' balances."""

from __future__ import annotations

import brownie
import pytest

from tests.conftest import GRAM
from tests.mining.conftest import addr, purchase

UNAUTHORIZED = "AccessControlUnauthorizedAccount: .*"


def test_non_oracle_cannot_submit(mining, stranger, governance, deployer):
    for who in (stranger, governance, deployer):
        with brownie.reverts(revert_pattern=UNAUTHORIZED):
            mining.mintBatch([purchase()], {"from": who})


def test_governance_adds_and_removes_oracles(mining, governance, stranger, oracle):
    role = mining.ORACLE_ROLE()
    with brownie.reverts(revert_pattern=UNAUTHORIZED):
        mining.grantRole(role, stranger, {"from": oracle})
    tx = mining.grantRole(role, stranger, {"from": governance})
    assert tx.events["RoleGranted"]["account"] == stranger
    mining.mintBatch([purchase()], {"from": stranger})
    tx = mining.revokeRole(role, stranger, {"from": governance})
    assert tx.events["RoleRevoked"]["account"] == stranger
    with brownie.reverts(revert_pattern=UNAUTHORIZED):
        mining.mintBatch([purchase()], {"from": stranger})


SETTERS = [
    ("setBaseRate", (2 * 10**16,), "BaseRateSet"),
    ("setSplit", (4000, 3000, 2000, 1000), "SplitSet"),
    ("setMaxReferrerBps", (3000,), "MaxReferrerBpsSet"),
    ("setDailyCeiling", (10 * GRAM,), "DailyCeilingSet"),
    ("setAllocation", (2_000 * GRAM,), "AllocationSet"),
    ("setPlatform", (addr("new-platform"),), "PlatformSet"),
    ("unpause", (), None),
]


@pytest.mark.parametrize("name, args, event", SETTERS)
def test_only_governance_changes_parameters(mining, stranger, oracle, governance, name, args, event):
    for who in (stranger, oracle):
        with brownie.reverts(revert_pattern=UNAUTHORIZED):
            getattr(mining, name)(*args, {"from": who})
    if event:
        tx = getattr(mining, name)(*args, {"from": governance})
        assert event in tx.events


def test_parameter_changes_are_applied(mining, governance, oracle):
    mining.setSplit(4000, 3000, 2000, 1000, {"from": governance})
    assert [int(x) for x in mining.split()] == [4000, 3000, 2000, 1000]
    mining.setMaxReferrerBps(7000, {"from": governance})
    assert mining.maxReferrerBps() == 7000
    mining.setPlatform(addr("p2"), {"from": governance})
    assert mining.platform() == addr("p2")
    q = mining.quote(10_000, True, 7000)
    assert q[0] == 0 and q[1] == 70 * GRAM  # the consumer share can be moved entirely to the referrer


def test_invalid_parameters_revert(mining, governance):
    with brownie.reverts("InvalidSplit: 9999"):
        mining.setSplit(5000, 2000, 2000, 999, {"from": governance})
    with brownie.reverts("InvalidMaxReferrerBps: 7001, 7000"):
        mining.setMaxReferrerBps(7001, {"from": governance})
    with brownie.reverts("InvalidMaxReferrerBps: 4000, 3000"):  # split would leave max above consumer+referrer
        mining.setSplit(2000, 1000, 5000, 2000, {"from": governance})
    with brownie.reverts("InvalidRate: 0"):
        mining.setBaseRate(0, {"from": governance})
    with brownie.reverts(f"InvalidRate: {2**96}"):
        mining.setBaseRate(2**96, {"from": governance})
    with brownie.reverts(f"InvalidAllocation: {2**128}, 0"):
        mining.setAllocation(2**128, {"from": governance})
    with brownie.reverts("ZeroAddress: platform"):
        mining.setPlatform("0x0000000000000000000000000000000000000000", {"from": governance})


def test_pause_stops_purchase_minting_only(mining, governance, oracle, stranger, token, accounts):
    holder = accounts[7]
    mining.mintBatch([purchase(consumer=holder.address)], {"from": oracle})
    with brownie.reverts(revert_pattern=UNAUTHORIZED):
        mining.pause({"from": stranger})
    tx = mining.pause({"from": governance})
    assert "Paused" in tx.events and mining.paused()
    with brownie.reverts("EnforcedPause: "):
        mining.mintBatch([purchase()], {"from": oracle})
    # transfers are untouched, quotes still work
    token.transfer(stranger, GRAM, {"from": holder})
    assert token.balanceOf(stranger) == GRAM
    assert mining.quote(100, True, 0)[0] > 0
    with brownie.reverts(revert_pattern=UNAUTHORIZED):
        mining.unpause({"from": oracle})
    mining.unpause({"from": governance})
    mining.mintBatch([purchase()], {"from": oracle})


def test_pauser_role_can_pause_but_not_unpause(mining, governance, stranger):
    mining.grantRole(mining.PAUSER_ROLE(), stranger, {"from": governance})
    mining.pause({"from": stranger})
    with brownie.reverts(revert_pattern=UNAUTHORIZED):
        mining.unpause({"from": stranger})


def test_without_minter_role_nothing_mints(mining, token, deployer, oracle):
    token.revokeRole(token.MINTER_ROLE(), mining, {"from": deployer})
    p = purchase()
    with brownie.reverts(revert_pattern=UNAUTHORIZED):
        mining.mintBatch([p], {"from": oracle})
    assert not mining.isMined(p[0])


def test_no_power_over_balances(mining):
    """The whole external surface: views, the oracle's mintBatch, governance setters and AccessControl."""
    names = {item["name"] for item in mining.abi if item["type"] == "function"}
    assert names == {
        "BPS",
        "DEFAULT_ADMIN_ROLE",
        "MAX_AMOUNT",
        "ORACLE_ROLE",
        "PAUSER_ROLE",
        "allocation",
        "baseRate",
        "currentRate",
        "dailyCeiling",
        "dailyRemaining",
        "epoch",
        "getRoleAdmin",
        "grantRole",
        "hasRole",
        "isMined",
        "maxReferrerBps",
        "mintBatch",
        "minedTotal",
        "nextHalvingAt",
        "pause",
        "paused",
        "platform",
        "quote",
        "remainingAllocation",
        "renounceRole",
        "revokeRole",
        "setAllocation",
        "setBaseRate",
        "setDailyCeiling",
        "setMaxReferrerBps",
        "setPlatform",
        "setSplit",
        "split",
        "supportsInterface",
        "token",
        "unpause",
    }


def test_constructor_rejects_bad_settings(PurchaseMining, token, governance, deployer, platform):
    good = [token, governance, platform, 10**16, 1000 * GRAM, 5000, 2000, 2000, 1000, 4000, GRAM]
    for index, value in (
        (0, brownie.ZERO_ADDRESS),
        (1, brownie.ZERO_ADDRESS),
        (2, brownie.ZERO_ADDRESS),
        (3, 0),
        (5, 5001),
        (9, 7001),
        (10, 0),
    ):
        args = list(good)
        args[index] = value
        with brownie.reverts(revert_pattern=None):
            PurchaseMining.deploy(*args, {"from": deployer})

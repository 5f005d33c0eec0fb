"""Fixtures of the purchase-mining tests: a PurchaseMining on the shared `token`, with a small allocation
(1,000 grams) so that halvings are reached with a few purchases, two oracles, and a governance account."""

from __future__ import annotations

import itertools

import pytest
from brownie import web3

from scripts.deploy import MiningSettings, add_oracle, deploy_mining, wire_mining
from tests.conftest import GRAM
from tests.mining.reference import MiningModel

BASE_RATE = 10**16  # 0.01 gram per fen = 1 gram per yuan
ALLOCATION = 1_000 * GRAM
BIG_CEILING = 10**27  # effectively no daily ceiling, except in the ceiling tests


@pytest.fixture(scope="module")
def governance(accounts):
    return accounts[2]


@pytest.fixture(scope="module")
def oracle(accounts):
    return accounts[3]


@pytest.fixture(scope="module")
def oracle2(accounts):
    return accounts[4]


@pytest.fixture(scope="module")
def platform(accounts):
    return accounts[5]


@pytest.fixture(scope="module")
def stranger(accounts):
    return accounts[6]


@pytest.fixture(scope="module")
def settings(platform):
    return MiningSettings(
        base_rate=BASE_RATE,
        allocation_wei=ALLOCATION,
        daily_ceiling_wei=BIG_CEILING,
        platform=platform.address,
    )


@pytest.fixture(scope="module")
def mining(token, governance, deployer, oracle, oracle2, settings):
    contract = deploy_mining(token, governance, deployer, settings)
    wire_mining(token, contract, deployer)
    add_oracle(contract, oracle, governance)
    add_oracle(contract, oracle2, governance)
    return contract


@pytest.fixture
def model(mining, token, settings):
    """The reference model at the mining contract's current state (fresh for every test)."""
    return MiningModel(
        base_rate=settings.base_rate,
        allocation=settings.allocation,
        split=settings.split,
        max_referrer_bps=settings.max_referrer_bps,
        cap_room=token.remainingMintable(),
        mined=mining.minedTotal(),
    )


_refs = itertools.count(1)


def order_ref(label: object = None) -> str:
    """A fresh bytes32 order reference (keccak of a label; unique per call when no label is given)."""
    text = f"order-{next(_refs)}" if label is None else f"order-{label}"
    return "0x" + bytes(web3.keccak(text=text)).hex()


def addr(label: object) -> str:
    """A deterministic address that is no test account (e.g. a consumer who never sends a transaction)."""
    return web3.to_checksum_address("0x" + bytes(web3.keccak(text=f"addr-{label}"))[-20:].hex())


def purchase(ref=None, consumer=None, referrer=None, supplier=None, amount=19_900, referrer_bps=0):
    """A Purchase tuple as mintBatch takes it; defaults to a referred purchase of 199.00 yuan."""
    zero = "0x0000000000000000000000000000000000000000"
    return (
        ref or order_ref(),
        consumer or addr("consumer"),
        zero if referrer is False else (referrer or addr("referrer")),
        supplier or addr("supplier"),
        amount,
        referrer_bps,
    )


def mined_events(tx):
    """The PurchaseMined events of a transaction, as dicts."""
    return [dict(e) for e in tx.events["PurchaseMined"]] if "PurchaseMined" in tx.events else []

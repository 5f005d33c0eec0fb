"""BlackGold unit tests: metadata, cap, minting rights, burning, permit, votes, cap raising."""

from __future__ import annotations

import brownie
import pytest
from brownie import chain, web3
from eth_account import Account
from eth_account.messages import encode_typed_data

from tests.conftest import CAP_GRAMS, GRAM

CAP = CAP_GRAMS * GRAM
UNAUTHORIZED = "AccessControlUnauthorizedAccount: .*"


def test_metadata(token):
    assert token.name() == "Black Gold"
    assert token.symbol() == "BGOLD"
    assert token.decimals() == 18
    assert token.cap() == CAP
    assert token.totalMinted() == 0
    assert token.totalBurned() == 0
    assert token.remainingMintable() == CAP
    assert token.CLOCK_MODE() == "mode=timestamp"
    assert token.clock() == web3.eth.get_block("latest").timestamp  # views run at the latest mined block


def test_constructor_rejects_zero_cap_and_zero_admin(BlackGold, deployer):
    with brownie.reverts(revert_pattern=None):
        BlackGold.deploy(0, deployer, {"from": deployer})
    with brownie.reverts(revert_pattern=None):
        BlackGold.deploy(CAP, brownie.ZERO_ADDRESS, {"from": deployer})


def test_constructor_emits_initial_cap(BlackGold, deployer):
    contract = BlackGold.deploy(CAP, deployer, {"from": deployer})
    event = contract.tx.events["CapRaised"]
    assert event["previousCap"] == 0 and event["newCap"] == CAP


def test_minter_mints_within_cap(token, minter, accounts):
    tx = token.mint(accounts[2], 5 * GRAM, {"from": minter})
    assert token.balanceOf(accounts[2]) == 5 * GRAM
    assert token.totalMinted() == 5 * GRAM
    assert token.remainingMintable() == CAP - 5 * GRAM
    assert tx.events["Transfer"]["to"] == accounts[2]


@pytest.mark.parametrize("who", [0, 2, 3])
def test_only_minters_mint(token, accounts, who):
    """Even the admin (accounts[0]) cannot mint without the minter role."""
    with brownie.reverts(revert_pattern=UNAUTHORIZED):
        token.mint(accounts[who], GRAM, {"from": accounts[who]})
    assert token.totalMinted() == 0


def test_mint_up_to_cap_exactly_then_one_wei_more_fails(token, minter, accounts):
    token.mint(accounts[2], CAP, {"from": minter})
    assert token.remainingMintable() == 0
    with brownie.reverts("CapExceeded: 1, 0"):
        token.mint(accounts[2], 1, {"from": minter})
    assert token.totalMinted() == CAP


def test_cap_error_states_requested_and_remaining(token, minter, accounts):
    token.mint(accounts[2], CAP - 7, {"from": minter})
    with brownie.reverts("CapExceeded: 10, 7"):
        token.mint(accounts[2], 10, {"from": minter})
    assert token.totalMinted() == CAP - 7


def test_burn_does_not_reopen_room(token, minter, accounts):
    holder = accounts[2]
    token.mint(holder, CAP, {"from": minter})
    token.burn(CAP // 2, {"from": holder})
    assert token.totalSupply() == CAP - CAP // 2
    assert token.totalBurned() == CAP // 2
    assert token.totalMinted() == CAP
    assert token.remainingMintable() == 0
    with brownie.reverts("CapExceeded: 1, 0"):
        token.mint(holder, 1, {"from": minter})


def test_nobody_burns_another_holders_grams_without_allowance(token, minter, accounts, deployer):
    holder = accounts[2]
    token.mint(holder, 10 * GRAM, {"from": minter})
    for attacker in (deployer, minter, accounts[3]):
        with brownie.reverts(revert_pattern=None):
            token.burnFrom(holder, GRAM, {"from": attacker})
        with brownie.reverts(revert_pattern=None):
            token.transferFrom(holder, attacker, GRAM, {"from": attacker})
    assert token.balanceOf(holder) == 10 * GRAM


def test_no_privileged_balance_functions_exist(token):
    """No function in the ABI can freeze, pause, seize or force-burn: the only state-changing entry points
    are ERC-20/Permit/Votes/Burnable/AccessControl ones, mint, mintBatch, raiseCap and grant, and the dividends'
    deposit/claim/administration (none of which touches a balance of grams)."""
    mutating = {
        item["name"]
        for item in token.abi
        if item["type"] == "function" and item["stateMutability"] not in ("view", "pure")
    }
    assert mutating == {
        "approve",
        "transfer",
        "transferFrom",
        "burn",
        "burnFrom",
        "permit",
        "delegate",
        "delegateBySig",
        "grantRole",
        "revokeRole",
        "renounceRole",
        "mint",
        "mintBatch",
        "raiseCap",
        "grant",
        "deposit",
        "depositWithPermit",
        "claim",
        "claimAll",
        "claimFor",
        "claimBySig",
        "registerPayoutAsset",
        "retirePayoutAsset",
        "setDistributionPeriod",
    }


def test_raise_cap_only_by_cap_raiser_and_emits(token, deployer, minter, accounts):
    for outsider in (minter, accounts[3]):
        with brownie.reverts(revert_pattern=UNAUTHORIZED):
            token.raiseCap(GRAM, {"from": outsider})
    tx = token.raiseCap(1_000 * GRAM, {"from": deployer})
    assert token.cap() == CAP + 1_000 * GRAM
    assert tx.events["CapRaised"]["previousCap"] == CAP
    assert tx.events["CapRaised"]["newCap"] == CAP + 1_000 * GRAM


def test_raise_cap_rejects_zero_and_overflowing_votes(token, deployer):
    with brownie.reverts(revert_pattern="ZeroCap.*"):
        token.raiseCap(0, {"from": deployer})
    with brownie.reverts(revert_pattern="CapTooLarge: .*"):
        token.raiseCap(2**208, {"from": deployer})
    assert token.cap() == CAP


def test_raised_cap_makes_room(token, deployer, minter, accounts):
    token.mint(accounts[2], CAP, {"from": minter})
    token.raiseCap(5 * GRAM, {"from": deployer})
    token.mint(accounts[2], 5 * GRAM, {"from": minter})
    assert token.totalMinted() == CAP + 5 * GRAM


def test_grant_raises_cap_and_mints_atomically(token, deployer, minter, accounts):
    token.mint(accounts[2], 100 * GRAM, {"from": minter})
    tx = token.grant(accounts[4], 50 * GRAM, {"from": deployer})
    assert token.cap() == CAP + 50 * GRAM
    assert token.balanceOf(accounts[4]) == 50 * GRAM
    assert token.remainingMintable() == CAP - 100 * GRAM  # old room untouched
    assert tx.events["IssuanceGranted"]["recipient"] == accounts[4]
    assert tx.events["IssuanceGranted"]["amount"] == 50 * GRAM
    with brownie.reverts(revert_pattern=None):
        token.grant(accounts[4], GRAM, {"from": minter})


def test_minter_role_is_granted_and_revoked_by_admin_only(token, deployer, accounts):
    role = token.MINTER_ROLE()
    with brownie.reverts(revert_pattern=UNAUTHORIZED):
        token.grantRole(role, accounts[3], {"from": accounts[3]})
    tx = token.grantRole(role, accounts[3], {"from": deployer})
    assert "RoleGranted" in tx.events
    token.mint(accounts[3], GRAM, {"from": accounts[3]})
    token.revokeRole(role, accounts[3], {"from": deployer})
    with brownie.reverts(revert_pattern=UNAUTHORIZED):
        token.mint(accounts[3], GRAM, {"from": accounts[3]})


def test_admin_renounce_leaves_nobody_able_to_raise_cap(token, deployer):
    token.renounceRole(token.CAP_RAISER_ROLE(), deployer, {"from": deployer})
    token.renounceRole(token.DEFAULT_ADMIN_ROLE(), deployer, {"from": deployer})
    with brownie.reverts(revert_pattern=UNAUTHORIZED):
        token.raiseCap(GRAM, {"from": deployer})
    with brownie.reverts(revert_pattern=UNAUTHORIZED):
        token.grantRole(token.CAP_RAISER_ROLE(), deployer, {"from": deployer})


def _permit_signature(token, owner: Account, spender: str, value: int, deadline: int) -> tuple[int, bytes, bytes]:
    typed = {
        "types": {
            "EIP712Domain": [
                {"name": "name", "type": "string"},
                {"name": "version", "type": "string"},
                {"name": "chainId", "type": "uint256"},
                {"name": "verifyingContract", "type": "address"},
            ],
            "Permit": [
                {"name": "owner", "type": "address"},
                {"name": "spender", "type": "address"},
                {"name": "value", "type": "uint256"},
                {"name": "nonce", "type": "uint256"},
                {"name": "deadline", "type": "uint256"},
            ],
        },
        "primaryType": "Permit",
        "domain": {"name": "Black Gold", "version": "1", "chainId": chain.id, "verifyingContract": token.address},
        "message": {
            "owner": owner.address,
            "spender": spender,
            "value": value,
            "nonce": token.nonces(owner.address),
            "deadline": deadline,
        },
    }
    signed = owner.sign_message(encode_typed_data(full_message=typed))
    return signed.v, signed.r.to_bytes(32, "big"), signed.s.to_bytes(32, "big")


def test_permit_sets_allowance_with_a_real_signature(token, minter, accounts):
    owner = Account.create()
    token.mint(owner.address, 10 * GRAM, {"from": minter})
    deadline = chain[-1].timestamp + 3600  # from the latest mined block (not the wall clock)
    v, r, s = _permit_signature(token, owner, accounts[5].address, 3 * GRAM, deadline)
    token.permit(owner.address, accounts[5], 3 * GRAM, deadline, v, r, s, {"from": accounts[6]})
    assert token.allowance(owner.address, accounts[5]) == 3 * GRAM
    assert token.nonces(owner.address) == 1
    token.transferFrom(owner.address, accounts[5], 3 * GRAM, {"from": accounts[5]})
    assert token.balanceOf(accounts[5]) == 3 * GRAM
    # replaying the same signature fails: the nonce moved on
    with brownie.reverts(revert_pattern=None):
        token.permit(owner.address, accounts[5], 3 * GRAM, deadline, v, r, s, {"from": accounts[6]})


def test_permit_rejects_expired_and_wrong_signer(token, accounts):
    owner, impostor = Account.create(), Account.create()
    expired = chain[-1].timestamp - 10  # the next block's timestamp is >= the latest mined one: expired
    v, r, s = _permit_signature(token, owner, accounts[5].address, GRAM, expired)
    with brownie.reverts(revert_pattern=None):
        token.permit(owner.address, accounts[5], GRAM, expired, v, r, s, {"from": accounts[6]})
    deadline = chain[-1].timestamp + 3600
    v, r, s = _permit_signature(token, impostor, accounts[5].address, GRAM, deadline)
    with brownie.reverts(revert_pattern=None):
        token.permit(owner.address, accounts[5], GRAM, deadline, v, r, s, {"from": accounts[6]})
    assert token.allowance(owner.address, accounts[5]) == 0


def test_votes_need_delegation_and_checkpoint(token, minter, accounts):
    alice, bob = accounts[2], accounts[3]
    token.mint(alice, 100 * GRAM, {"from": minter})
    assert token.getVotes(alice) == 0  # undelegated grams do not vote
    tx = token.delegate(alice, {"from": alice})
    assert "DelegateChanged" in tx.events and "DelegateVotesChanged" in tx.events
    assert token.getVotes(alice) == 100 * GRAM
    t_before = tx.timestamp  # the mined block of the delegation
    chain.sleep(5)
    assert token.delegate(bob, {"from": alice}).timestamp > t_before
    assert token.getVotes(alice) == 0
    assert token.getVotes(bob) == 100 * GRAM
    assert token.numCheckpoints(alice) == 2
    chain.sleep(5)
    chain.mine()
    assert token.getPastVotes(alice, t_before) == 100 * GRAM
    assert token.getPastTotalSupply(t_before) == 100 * GRAM


def test_votes_follow_transfers_and_burns(token, minter, accounts):
    alice, bob = accounts[2], accounts[3]
    token.mint(alice, 100 * GRAM, {"from": minter})
    token.delegate(alice, {"from": alice})
    token.delegate(bob, {"from": bob})
    token.transfer(bob, 40 * GRAM, {"from": alice})
    token.burn(10 * GRAM, {"from": alice})
    assert token.getVotes(alice) == 50 * GRAM
    assert token.getVotes(bob) == 40 * GRAM

"""Stateful property test: random mint / mintBatch / burn / transfer / delegate / cap-raise sequences keep the
token's invariants: totalMinted <= cap; sum of balances == totalSupply; totalSupply == totalMinted - totalBurned;
voting power equals delegated balances; the latest total-supply checkpoint equals totalSupply."""

from __future__ import annotations

import brownie
import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from tests.conftest import GRAM
from tests.stateful_support import run_on_chain

SMALL_CAP = 1_000 * GRAM  # small enough that random mints hit the cap often
HOLDERS = 5

holder_index = st.integers(min_value=0, max_value=HOLDERS - 1)
amounts = st.integers(min_value=0, max_value=400 * GRAM)


@pytest.fixture
def invariant_token(BlackGold, accounts):
    admin = accounts[0]
    contract = BlackGold.deploy(SMALL_CAP, admin, {"from": admin})
    contract.grantRole(contract.MINTER_ROLE(), admin, {"from": admin})
    return contract


def make_machine(token, admin, holders):
    class TokenInvariants(RuleBasedStateMachine):
        """The model tracks what it expects (minted, burned, cap, delegates) and compares with the chain."""

        def __init__(self) -> None:
            super().__init__()
            self.minted = 0
            self.burned = 0
            self.cap = SMALL_CAP
            self.delegate_of: dict[str, str] = {}

        @rule(holder=holder_index, amount=amounts)
        def mint(self, holder: int, amount: int) -> None:
            to = holders[holder]
            remaining = self.cap - self.minted
            if amount > remaining:
                with brownie.reverts(f"CapExceeded: {amount}, {remaining}"):
                    token.mint(to, amount, {"from": admin})
            else:
                token.mint(to, amount, {"from": admin})
                self.minted += amount

        @rule(pairs=st.lists(st.tuples(holder_index, amounts), min_size=0, max_size=4))
        def mint_batch(self, pairs: list[tuple[int, int]]) -> None:
            recipients = [holders[h] for h, _ in pairs]
            values = [v for _, v in pairs]
            total = sum(values)
            remaining = self.cap - self.minted
            before = [token.balanceOf(h) for h in holders]
            if total > remaining:
                with brownie.reverts(f"CapExceeded: {total}, {remaining}"):
                    token.mintBatch(recipients, values, {"from": admin})
                assert [token.balanceOf(h) for h in holders] == before
            else:
                tx = token.mintBatch(recipients, values, {"from": admin})
                self.minted += total
                transfers = [(e["to"], e["value"]) for e in tx.events["Transfer"]] if values else []
                assert transfers == [(r.address, v) for r, v in zip(recipients, values)]
                for i, h in enumerate(holders):
                    got = sum(v for r, v in zip(recipients, values) if r == h)
                    assert token.balanceOf(h) == before[i] + got

        @rule(holder=holder_index, amount=amounts)
        def burn(self, holder: int, amount: int) -> None:
            account = holders[holder]
            value = amount % (token.balanceOf(account) + 1)
            token.burn(value, {"from": account})
            self.burned += value

        @rule(holder=holder_index, other=holder_index, amount=amounts)
        def transfer(self, holder: int, other: int, amount: int) -> None:
            sender = holders[holder]
            value = amount % (token.balanceOf(sender) + 1)
            token.transfer(holders[other], value, {"from": sender})

        @rule(holder=holder_index, other=holder_index)
        def delegate(self, holder: int, other: int) -> None:
            token.delegate(holders[other], {"from": holders[holder]})
            self.delegate_of[holders[holder].address] = holders[other].address

        @rule(increase=st.integers(min_value=1, max_value=300 * GRAM))
        def raise_cap(self, increase: int) -> None:
            token.raiseCap(increase, {"from": admin})
            self.cap += increase

        @invariant()
        def issuance_is_capped_and_counted(self) -> None:
            assert token.cap() == self.cap
            assert token.totalMinted() == self.minted <= self.cap
            assert token.totalBurned() == self.burned
            assert token.totalSupply() == self.minted - self.burned

        @invariant()
        def balances_sum_to_supply(self) -> None:
            assert sum(token.balanceOf(h) for h in holders) == token.totalSupply()

        @invariant()
        def votes_equal_delegated_balances(self) -> None:
            expected = {h.address: 0 for h in holders}
            for holder, delegatee in self.delegate_of.items():
                expected[delegatee] += token.balanceOf(holder)
            for address, votes in expected.items():
                assert token.getVotes(address) == votes

        @invariant()
        def total_supply_checkpoint_matches(self) -> None:
            # Timepoints from mined blocks only (views run at the latest block's timestamp; a lookup at or past it
            # reverts with ERC5805FutureLookup): `last` is the block of the latest rule's transaction, if any.
            last = brownie.chain[-1].timestamp
            assert token.getPastTotalSupply(last - 1) <= token.totalMinted()
            brownie.chain.sleep(1)
            brownie.chain.mine()
            assert brownie.chain[-1].timestamp > last
            assert token.getPastTotalSupply(last) == token.totalSupply()

    return TokenInvariants


def test_token_invariants(invariant_token, accounts):
    machine = make_machine(invariant_token, accounts[0], list(accounts[1 : 1 + HOLDERS]))
    run_on_chain(machine, max_examples=25, step_count=15)

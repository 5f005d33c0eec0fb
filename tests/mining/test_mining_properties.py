"""Property test: random purchase streams (batches with repeats, referrers or not, overrides, allocation raises)
keep the chain equal to the reference model, token totals equal to the sum of PurchaseMined events, every
balance rebuildable from events alone, and mining under the allocation and the cap.

Runs on the pinned hypothesis 6.27.3 through tests/stateful_support.run_on_chain (Brownie's own
`state_machine` is broken in eth-brownie 1.22.2, see that module)."""

from __future__ import annotations

from collections import defaultdict

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from tests.conftest import GRAM
from tests.mining.conftest import addr, order_ref
from tests.mining.reference import MiningModel
from tests.stateful_support import run_on_chain

ZERO = "0x0000000000000000000000000000000000000000"
PEOPLE = [addr(f"prop-{i}") for i in range(6)]

purchase_st = st.tuples(
    st.integers(min_value=0, max_value=5),  # consumer
    st.integers(min_value=-1, max_value=5),  # referrer (-1 = none)
    st.integers(min_value=0, max_value=5),  # supplier
    st.one_of(st.integers(min_value=1, max_value=200), st.integers(min_value=1, max_value=300_000)),  # fen
    st.sampled_from([0, 0, 1, 500, 4000]),  # override
    st.booleans(),  # reuse an order already submitted
)


def test_random_purchase_streams(mining, token, oracle, oracle2, governance, settings):
    oracles = [oracle, oracle2]

    class Streams(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.model = MiningModel(
                base_rate=settings.base_rate,
                allocation=settings.allocation,
                split=settings.split,
                max_referrer_bps=settings.max_referrer_bps,
                cap_room=token.remainingMintable(),
                mined=mining.minedTotal(),
            )
            self.refs: list[str] = []
            self.from_events: dict[str, int] = defaultdict(int)
            self.event_total = 0

        @rule(batch=st.lists(purchase_st, min_size=1, max_size=6), submitter=st.integers(0, 1))
        def submit(self, batch, submitter) -> None:
            purchases = []
            for consumer, referrer, supplier, amount, override, reuse in batch:
                ref = self.refs[amount % len(self.refs)] if reuse and self.refs else order_ref()
                self.refs.append(ref)
                purchases.append(
                    (
                        ref,
                        PEOPLE[consumer],
                        ZERO if referrer < 0 else PEOPLE[referrer],
                        PEOPLE[supplier],
                        amount,
                        override,
                    )
                )
            tx = mining.mintBatch(purchases, {"from": oracles[submitter]})
            mined = list(tx.events["PurchaseMined"]) if "PurchaseMined" in tx.events else []
            skipped = list(tx.events["PurchaseSkipped"]) if "PurchaseSkipped" in tx.events else []
            i = j = 0
            for p in purchases:
                expected = self.model.submit(p[0], p[4], p[2] != ZERO, p[5])
                if expected is None:
                    assert skipped[j]["orderRef"] == p[0]
                    j += 1
                    continue
                ev = mined[i]
                i += 1
                got = (ev["consumerGrams"], ev["referrerGrams"], ev["supplierGrams"], ev["platformGrams"])
                assert got == expected.as_tuple() and ev["rate"] == expected.rate
                for who, grams in (
                    (ev["consumer"], got[0]),
                    (ev["referrer"], got[1]),
                    (ev["supplier"], got[2]),
                    (mining.platform(), got[3]),
                ):
                    if grams:
                        self.from_events[who] += grams
                self.event_total += sum(got)
            assert i == len(mined) and j == len(skipped) and tx.return_value == len(mined)

        @rule(grams=st.integers(min_value=1, max_value=500))
        def raise_allocation(self, grams) -> None:
            new = mining.allocation() + grams * GRAM
            mining.setAllocation(new, {"from": governance})
            self.model.allocation = new

        @invariant()
        def totals_match_events_and_stay_under_allocation(self) -> None:
            assert token.totalSupply() == self.event_total == mining.minedTotal() == self.model.mined
            assert mining.minedTotal() <= mining.allocation()
            assert token.totalMinted() <= token.cap()
            assert mining.epoch() == self.model.epoch

        @invariant()
        def balances_rebuild_from_events(self) -> None:
            for who in PEOPLE + [mining.platform()]:
                assert token.balanceOf(who) == self.from_events.get(who, 0)

    run_on_chain(Streams, max_examples=20, step_count=15)

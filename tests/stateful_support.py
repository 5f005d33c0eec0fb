"""Stateful (property) testing on the chain with the pinned hypothesis 6.27.3.

Why not `brownie.test.state_machine`: in eth-brownie 1.22.2 that module is compiled with mypyc, and its
compiled `_BrownieStateMachine.__init__` rejects the subclass Brownie itself generates
(`TypeError: ... _BrownieStateMachine object expected; got ...BrownieStateMachine`). This helper does the
same job in a few lines: snapshot the chain once, and revert to that snapshot before every generated run.
Write machines as plain `hypothesis.stateful.RuleBasedStateMachine` subclasses.
"""

from __future__ import annotations

from typing import Any

from brownie import chain
from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine, run_state_machine_as_test


def run_on_chain(
    machine: type[RuleBasedStateMachine], max_examples: int = 25, step_count: int = 20, **extra: Any
) -> None:
    """Run `machine` as a hypothesis test, each run starting from the chain state at the time of the call."""
    chain.snapshot()

    class ChainIsolated(machine):  # type: ignore[valid-type, misc]
        def __init__(self) -> None:
            chain.revert()
            super().__init__()

    run_state_machine_as_test(
        ChainIsolated,
        settings=settings(
            max_examples=max_examples,
            stateful_step_count=step_count,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            **extra,
        ),
    )

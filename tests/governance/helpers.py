"""Helpers shared by the governance tests."""
from __future__ import annotations

import contextlib

import pytest
from brownie.exceptions import VirtualMachineError

#: Grams each holder gets at setup (all self-delegated; `eve` holds nothing).
HOLDINGS = {"alice": 300_000, "bob": 200_000, "carol": 100_000, "dave": 500, "whale": 400_000}
TOTAL_SUPPLY = sum(HOLDINGS.values())  # 1,000,500 grams -> quorum 4% = 40,020 grams


@contextlib.contextmanager
def reverts_with(error_name: str):
    """Expect a revert whose decoded reason (custom error name or string) starts with `error_name`."""
    with pytest.raises(VirtualMachineError) as info:
        yield info
    message = str(info.value.revert_msg or "")
    assert message.startswith(error_name), f"reverted with {message!r}, expected {error_name}"

"""Unit tests: pure Python, no chain. Run with plain pytest (`make unit`), without Brownie's plugin."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def isolation():
    """Overrides the suite-wide chain snapshot fixture: nothing to isolate without a chain."""

"""The web app's settings that need no chain: the eth_getLogs window the page reads logs in."""

from __future__ import annotations

import pytest

from blackgold.app.server import DEFAULT_LOG_WINDOW, resolve_log_window
from blackgold.errors import BlackGoldError


def test_log_window_from_the_argument_then_the_environment_then_the_default(monkeypatch):
    monkeypatch.delenv("BG_LOG_WINDOW", raising=False)
    assert resolve_log_window(None) == DEFAULT_LOG_WINDOW == 5_000
    monkeypatch.setenv("BG_LOG_WINDOW", " 1000 ")
    assert resolve_log_window(None) == 1_000
    assert resolve_log_window(3) == 3  # the argument wins


@pytest.mark.parametrize(("argument", "env", "message"), [(0, "", "at least 1"), (None, "lots", "not a number")])
def test_a_bad_log_window_is_refused(monkeypatch, argument, env, message):
    monkeypatch.setenv("BG_LOG_WINDOW", env)
    with pytest.raises(BlackGoldError, match=message):
        resolve_log_window(argument)

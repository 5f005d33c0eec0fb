"""Grams and amounts: parsing is exact and refuses anything ambiguous; formatting is for people."""

from __future__ import annotations

import pytest

from blackgold.errors import BlackGoldError
from blackgold.units import (
    GRAM,
    format_amount,
    format_duration,
    format_grams,
    format_time,
    parse_amount,
    parse_duration,
    parse_grams,
)


@pytest.mark.parametrize(
    "text,wei",
    [
        ("50,000,000", 50_000_000 * GRAM),
        ("50000000", 50_000_000 * GRAM),
        ("1_000", 1_000 * GRAM),
        ("2,500.5", 2_500 * GRAM + GRAM // 2),
        ("0.000000000000000001", 1),
        ("7", 7 * GRAM),
        (7, 7 * GRAM),
    ],
)
def test_parse_grams(text, wei):
    assert parse_grams(text) == wei


@pytest.mark.parametrize(
    "text", ["12,34", "-5", "1e6", "abc", "", "1,000,00", "0.0000000000000000001", "1.2.3", -1, True]
)
def test_parse_grams_rejects(text):
    with pytest.raises(BlackGoldError):
        parse_grams(text)


def test_format_grams():
    assert format_grams(1_000_000_000 * GRAM) == "1,000,000,000"
    assert format_grams(2_500 * GRAM + GRAM // 2) == "2,500.5"
    assert format_grams(0) == "0"
    assert format_grams(1) == "0.000000000000000001"
    assert format_grams(-GRAM) == "-1"


def test_asset_amounts_with_their_own_decimals():
    assert parse_amount("10,000", 6, "tUSD") == 10_000_000_000
    assert parse_amount("0.000001", 6) == 1
    with pytest.raises(BlackGoldError, match="more than 6 decimals"):
        parse_amount("0.0000001", 6, "tUSD")
    assert format_amount(10_000_123_400, 6) == "10,000.1234"


def test_durations_and_times():
    assert [parse_duration(t) for t in ("600", "10m", "2h", "1d", "5s")] == [600, 600, 7200, 86400, 5]
    for bad in ("soon", "-5", "1w", "1.5h"):
        with pytest.raises(BlackGoldError, match="not a duration"):
            parse_duration(bad)
    assert format_duration(90061) == "1d 1h"
    assert format_time(1_000_060, 1_000_000).endswith("(in 1m)")
    assert format_time(1_000_000, 1_000_000).endswith("(now)")
    assert format_time(999_000, 1_000_000).endswith("(16m 40s ago)")

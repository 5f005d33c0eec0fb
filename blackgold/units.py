"""Grams and asset amounts: parse what a person types, format what a person reads.

A gram is the token's unit with 18 decimals (1 gram = 10**18 wei of grams). Payout assets have their own
decimals (the test stablecoin has 6). Parsing is exact (Decimal, never float) and refuses anything ambiguous:
`12,34` could be a European decimal or a typo, so it is an error, not a guess.
"""

from __future__ import annotations

import datetime as _dt
import re
from decimal import Decimal, InvalidOperation

from .errors import BlackGoldError

GRAM_DECIMALS = 18
GRAM = 10**GRAM_DECIMALS

_AMOUNT_RE = re.compile(r"^\d{1,3}(,\d{3})*(\.\d+)?$|^\d+(_\d+)*(\.\d+)?$")
_DURATION_RE = re.compile(r"^(\d+)([smhd]?)$")
_DURATION_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_amount(text: str | int, decimals: int, unit: str = "units") -> int:
    """'50,000,000' / '50_000_000' / '2,500.5' in whole `unit`s -> base units (10**decimals per unit).

    An int is taken as whole units. Raises BlackGoldError naming the problem; never rounds.
    """
    if isinstance(text, bool):
        raise BlackGoldError(f"amount {text!r} is not a number of {unit}")
    if isinstance(text, int):
        if text < 0:
            raise BlackGoldError(f"amount must not be negative: {text}")
        return text * int(10**decimals)
    cleaned = str(text).strip()
    if not _AMOUNT_RE.match(cleaned):
        raise BlackGoldError(
            f"amount {text!r} is not a number of {unit}: write it like 50,000,000 or 50000000 (decimals with a dot)"
        )
    try:
        value = Decimal(cleaned.replace(",", "").replace("_", ""))
    except InvalidOperation:  # pragma: no cover - the regex already rejects these
        raise BlackGoldError(f"amount {text!r} is not a number of {unit}") from None
    base = value * int(10**decimals)
    if base != base.to_integral_value():
        raise BlackGoldError(f"amount {text!r} has more than {decimals} decimals; {unit} have {decimals}")
    return int(base)


def format_amount(base: int, decimals: int) -> str:
    """Base units -> '50,000,000' or '2,500.5' (thousands separators, no trailing zeros)."""
    base = int(base)
    sign = "-" if base < 0 else ""
    whole, frac = divmod(abs(base), 10**decimals)
    text = f"{sign}{whole:,}"
    if frac:
        text += "." + f"{frac:0{decimals}d}".rstrip("0")
    return text


def parse_grams(text: str | int) -> int:
    """Grams as typed ('50,000,000', '2,500.5', 7) -> wei of grams."""
    return parse_amount(text, GRAM_DECIMALS, "grams")


def format_grams(wei: int) -> str:
    """Wei of grams -> '50,000,000' or '2,500.5'."""
    return format_amount(wei, GRAM_DECIMALS)


def parse_duration(text: str) -> int:
    """'600', '10m', '2h', '1d' -> seconds."""
    match = _DURATION_RE.match(str(text).strip())
    if not match:
        raise BlackGoldError(f"{text!r} is not a duration: write seconds (600) or 10m, 2h, 1d")
    return int(match.group(1)) * _DURATION_UNITS[match.group(2)]


def format_duration(seconds: int) -> str:
    """Seconds -> '2d 3h' (the two largest units), for people reading a status."""
    seconds = abs(int(seconds))
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            parts.append(f"{seconds // size}{unit}")
            seconds %= size
    if seconds or not parts:
        parts.append(f"{seconds}s")
    return " ".join(parts[:2])


def format_time(ts: int, now: int) -> str:
    """A chain timestamp as UTC with how far it is from the chain's `now` (never the wall clock)."""
    when = _dt.datetime.fromtimestamp(int(ts), _dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    delta = int(ts) - int(now)
    rel = f"in {format_duration(delta)}" if delta > 0 else ("now" if delta == 0 else f"{format_duration(delta)} ago")
    return f"{when} ({rel})"

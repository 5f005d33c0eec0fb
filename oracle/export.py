"""CSV export of every purchase (the CLI's `export`): the columns are oracle.models.EXPORT_COLUMNS. Text that a
spreadsheet would run as a formula (starting with = + - @, tab or CR) is written with a leading `'`."""

from __future__ import annotations

import csv
from typing import Any, TextIO

from .models import EXPORT_COLUMNS, TIME_COLUMNS, Purchase, iso
from .store import Store

#: A cell starting with one of these is a formula to a spreadsheet (CSV injection): it gets a leading quote.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(purchase: Purchase, column: str) -> Any:
    value = getattr(purchase, column)
    if column in TIME_COLUMNS:
        return iso(value)
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def export_csv(store: Store, out: TextIO) -> int:
    """Write the header and one row per purchase to `out`; the number of purchases."""
    w = csv.writer(out)
    w.writerow(EXPORT_COLUMNS)
    n = 0
    for p in store.iter_purchases():
        w.writerow([cell(p, c) for c in EXPORT_COLUMNS])
        n += 1
    return n

"""The `blackgold` command: holders' and operators' tools over the SDK. Parses and prints; no chain logic here.

    blackgold [--rpc URL] [--deployment FILE] [--account SPEC] COMMAND ...

Each command group is one module: `governance` (power, delegate, propose, vote, queue, execute, cancel,
status), `mining` (params, quote), `chain` (info, advance). Every failure the user can fix is printed as one
line starting with "error:" and exits with status 2.
"""

from __future__ import annotations

from .main import entry, main

__all__ = ["entry", "main"]

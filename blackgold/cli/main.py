"""Argument parsing, dispatch and the one-line error contract of the `blackgold` command."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import TextIO

from .. import __version__
from ..errors import BlackGoldError
from ..redact import redact_text
from . import app, chain, dividends, governance, mining
from .context import Context, add_global_options

Handler = Callable[[Context, argparse.Namespace, TextIO], None]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]  # one line, not argparse's usage dump
        raise BlackGoldError(f"{message} (see `{self.prog} --help`)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="blackgold",
        description=__doc__,
        epilog="Run `blackgold COMMAND --help` for a command's options. Amounts are in whole grams "
        "(thousands separators welcome: 50,000,000).",
    )
    parser.add_argument("--version", action="version", version=f"blackgold {__version__}")
    add_global_options(parser, defaults=True)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser, metavar="COMMAND")

    def command(
        group: argparse._SubParsersAction[argparse.ArgumentParser],
        name: str,
        text: str,
        handler: Handler,
    ) -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = group.add_parser(name, help=text, description=text)
        add_global_options(p, defaults=False)
        p.set_defaults(handler=handler)
        return p

    governance.register(sub, command)
    mining.register(sub, command)
    dividends.register(sub, command)
    chain.register(sub, command)
    app.register(sub, command)
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Entry point; returns the exit status (0 ok, 2 a failure the user can fix, 1 anything else)."""
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        args = build_parser().parse_args(list(sys.argv[1:] if argv is None else argv))
        args.handler(Context.from_args(args), args, out)
        return 0
    except BlackGoldError as exc:
        print(f"error: {redact_text(str(exc))}", file=err)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted", file=err)
        return 130
    except Exception as exc:  # noqa: BLE001 - a node error we did not foresee: still one line, no secrets
        first = str(exc).splitlines()[0] if str(exc) else ""
        print(f"error: {type(exc).__name__}: {redact_text(first)}", file=err)
        return 1


def entry() -> None:
    sys.exit(main())

"""Mining commands: the rule's parameters and a quote for a purchase."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from .. import mining
from ..errors import BlackGoldError
from ..units import format_grams
from .context import Context


def register(sub: Any, command: Any) -> None:
    group = sub.add_parser(
        "mining",
        help="the purchase-mining rule: params, quote",
        description="the purchase-mining rule as PurchaseMining states it",
    )
    inner = group.add_subparsers(dest="mining_command", required=True, metavar="COMMAND", parser_class=type(group))
    command(inner, "params", "rate, epoch, next halving, allocation, split and daily ceiling", cmd_params)
    p = command(inner, "quote", "grams per role for a purchase if it were mined now", cmd_quote)
    p.add_argument("amount", help="amount paid in minor currency units (fen): 10000 = 100.00 yuan")
    p.add_argument("--no-referrer", action="store_true", help="a purchase without a referrer")
    p.add_argument("--referrer-bps", default="0", help="merchant override of the referrer share (0 = default)")


def _int(text: str, what: str) -> int:
    cleaned = str(text).replace(",", "").replace("_", "").strip()
    if not cleaned.isdigit():
        raise BlackGoldError(f"{what} {text!r} must be a whole non-negative number")
    return int(cleaned)


def cmd_params(ctx: Context, args: argparse.Namespace, out: TextIO) -> None:
    p = mining.parameters(ctx.system)
    c, r, s, pl = p.split_bps
    print(
        f"rate             {format_grams(p.current_rate)} grams per minor unit (epoch {p.epoch}; "
        f"base {format_grams(p.base_rate)})",
        file=out,
    )
    print(
        f"next halving     when {format_grams(p.next_halving_at)} grams are mined "
        f"({format_grams(p.mined_total)} so far)",
        file=out,
    )
    print(f"allocation       {format_grams(p.allocation)} grams; {format_grams(p.remaining_allocation)} left", file=out)
    print(
        f"split            consumer {c / 100:g}% / referrer {r / 100:g}% / supplier {s / 100:g}% / "
        f"platform {pl / 100:g}% (referrer override up to {p.max_referrer_bps / 100:g}%)",
        file=out,
    )
    print(
        f"daily ceiling    {format_grams(p.daily_remaining)} of {format_grams(p.daily_ceiling)} grams available",
        file=out,
    )


def cmd_quote(ctx: Context, args: argparse.Namespace, out: TextIO) -> None:
    amount = _int(args.amount, "amount")
    bps = _int(args.referrer_bps, "--referrer-bps")
    q = mining.quote(ctx.system, amount, not args.no_referrer, bps)
    for role, grams in zip(mining.ROLES, (q.consumer, q.referrer, q.supplier, q.platform), strict=True):
        print(f"{role:<10} {format_grams(grams)} grams", file=out)
    print(f"{'total':<10} {format_grams(q.total)} grams", file=out)

"""Dividend commands: status, deposit, claim. Asset amounts in the asset's units (10,000 tUSD), grams in grams."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from .. import dividends as dv
from ..chain import chain_now
from ..units import format_amount, format_grams, format_time, parse_amount
from .context import Context


def register(sub: Any, command: Any) -> None:
    group = sub.add_parser(
        "dividends",
        help="dividends by share: status, deposit, claim",
        description="payout assets streamed to every gram; claims by holders",
    )
    inner = group.add_subparsers(dest="dividends_command", required=True, metavar="COMMAND", parser_class=type(group))
    command(inner, "status", "payout assets, their streams and what an address can claim", cmd_status).add_argument(
        "address", nargs="?", help="whose claimable amounts to show (default: the --account, if given)"
    )
    p = command(inner, "deposit", "deposit a payout asset: it streams to holders over the period", cmd_deposit)
    p.add_argument("amount", help="in the asset's units, e.g. 10,000")
    p.add_argument("--asset", default=None, help="address or symbol (default: the only payout asset)")
    p = command(inner, "claim", "claim what your grams earned", cmd_claim)
    p.add_argument("--asset", default=None, help="address or symbol (default: the only payout asset)")
    p.add_argument("--to", default=None, metavar="ADDRESS", help="pay to this address (default: yourself)")
    p.add_argument(
        "--for",
        dest="holder",
        default=None,
        metavar="HOLDER",
        help="pay HOLDER what it earned (you pay the gas; the asset goes to HOLDER)",
    )


def _tx(receipt: Any) -> str:
    return "0x" + bytes(receipt["transactionHash"]).hex()


def cmd_status(ctx: Context, args: argparse.Namespace, out: TextIO) -> None:
    system = ctx.system
    who = args.address or (ctx.signer.address if ctx.account else None)
    now = chain_now(system.w3)
    supply = system.token.total_supply()
    print(
        f"distribution period {int(system.token.call('distributionPeriod')) // 86_400} days; "
        f"supply {format_grams(supply)} grams",
        file=out,
    )
    if who:
        print(f"holder              {who}: {format_grams(system.token.balance_of(who))} grams", file=out)
    for address in dv.payout_assets(system):
        a = dv.info(system, address)
        state = "retired" if a.retired else ("streaming" if a.period_end > now else "idle")
        print(f"\n{a.symbol} {a.address} [{state}]", file=out)
        print(f"  deposited {a.units(a.total_deposited)}; claimed {a.units(a.total_claimed)}", file=out)
        if a.period_end > now:
            print(f"  streaming {a.units(a.per_day())} a day until {format_time(a.period_end, now)}", file=out)
        if who:
            print(f"  claimable {a.units(dv.claimable(system, who, address))}", file=out)


def cmd_deposit(ctx: Context, args: argparse.Namespace, out: TextIO) -> None:
    system = ctx.system
    address = dv.resolve_asset(system, args.asset)
    a = dv.info(system, address)
    amount = parse_amount(args.amount, a.decimals, a.symbol)
    receipt = dv.deposit(system, ctx.signer, address, amount)
    end = int(system.token.call("periodEnd", address))
    print(
        f"deposited {format_amount(amount, a.decimals)} {a.symbol} (tx {_tx(receipt)}); it streams to holders "
        f"until {format_time(end, chain_now(system.w3))}",
        file=out,
    )


def cmd_claim(ctx: Context, args: argparse.Namespace, out: TextIO) -> None:
    system = ctx.system
    address = dv.resolve_asset(system, args.asset)
    a = dv.info(system, address)
    holder = args.holder or ctx.signer.address
    amount = dv.claimable(system, holder, address)
    if args.holder:
        receipt = dv.claim_for(system, ctx.signer, args.holder, address)
        to = args.holder
    else:
        receipt = dv.claim(system, ctx.signer, address, args.to)
        to = args.to or holder
    paid = sum(int(e["amount"]) for e in system.token.events("DividendsClaimed", receipt))
    print(
        f"claimed {format_amount(paid or amount, a.decimals)} {a.symbol} earned by {holder}, paid to {to} "
        f"(tx {_tx(receipt)})",
        file=out,
    )

"""Command line: `python -m oracle [--config FILE] COMMAND`.

    serve [--host H] [--port P] [--no-batcher]   run the HTTP API (and the batcher, unless disabled)
    backend add ID ADDRESS [--note TEXT]         register (or re-key and re-enable) a shop backend
    backend list                                 list backends
    backend disable ID | backend enable ID       stop / resume accepting a backend's receipts
    status REF | status --backend B --order O    one purchase as JSON
    reconcile                                    finish open batches and match the store to the chain
    requeue REF                                  put a set-aside purchase back in the queue
    export [--output FILE]                       CSV of all purchases with tx hashes and grams
    domain                                       the EIP-712 domain receipts must be signed with
    config                                       the resolved settings (secrets masked)

Settings come from the file (--config or ORACLE_CONFIG) and ORACLE_* variables; see oracle.config.
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import sys
from collections.abc import Callable

from blackgold.errors import BlackGoldError

from .config import ConfigError, Settings, load_signing_key
from .logs import configure as configure_logging


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m oracle", description="Black Gold mint oracle")
    p.add_argument("--config", help="TOML settings file (default: $ORACLE_CONFIG)")
    sub = p.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the HTTP API and the batcher")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--no-batcher", action="store_true", help="API only (run the batcher elsewhere)")
    serve.add_argument("--log-level", default="info")

    backend = sub.add_parser("backend", help="manage shop backends")
    bsub = backend.add_subparsers(dest="backend_command", required=True)
    add = bsub.add_parser("add", help="register a backend id and its signing address")
    add.add_argument("id")
    add.add_argument("address")
    add.add_argument("--note", default="")
    bsub.add_parser("list", help="list backends")
    dis = bsub.add_parser("disable", help="disable a backend")
    dis.add_argument("id")
    en = bsub.add_parser("enable", help="enable a backend")
    en.add_argument("id")

    status = sub.add_parser("status", help="show one purchase")
    status.add_argument("ref", nargs="?")
    status.add_argument("--backend")
    status.add_argument("--order")

    sub.add_parser("reconcile", help="match the store with the chain now")
    requeue = sub.add_parser("requeue", help="put a set-aside purchase back in the queue")
    requeue.add_argument("ref")
    export = sub.add_parser("export", help="CSV of purchases")
    export.add_argument("--output", "-o", help="file (default: stdout)")
    sub.add_parser("domain", help="print the EIP-712 domain")
    sub.add_parser("config", help="print the resolved settings (secrets masked)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.load(args.config)
        return COMMANDS[args.command](settings, args)
    except BlackGoldError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2


def _backend(settings: Settings, args: argparse.Namespace) -> int:
    from .service import validate_backend
    from .store import NotFound, Store

    store = Store(settings.database_url)
    if args.backend_command == "add":
        problems = validate_backend(args.id, args.address)
        for pr in problems:
            print(f"{pr.field}: {pr.message}", file=sys.stderr)
        if problems:
            return 2
        b = store.add_backend(args.id, args.address, args.note)
        print(f"backend {b.id} registered with key {b.address} (active)")
    elif args.backend_command == "list":
        rows = store.list_backends()
        if not rows:
            print("no backends")
        for b in rows:
            print(f"{b.id:24} {b.address} {'active' if b.active else 'disabled'} {b.note}")
    else:
        try:
            b = store.set_backend_active(args.id, args.backend_command == "enable")
        except NotFound:
            print(f"no backend {args.id!r}", file=sys.stderr)
            return 1
        print(f"backend {b.id} {'enabled' if b.active else 'disabled'}")
    return 0


def _status(settings: Settings, args: argparse.Namespace) -> int:
    from .receipts import order_ref
    from .store import Store

    if args.ref:
        ref = args.ref.lower()
    elif args.backend and args.order:
        ref = order_ref(args.backend, args.order)
    else:
        print("give REF or --backend and --order", file=sys.stderr)
        return 2
    record = Store(settings.database_url).get(ref)
    if record is None:
        print(f"no purchase {ref}", file=sys.stderr)
        return 1
    print(json.dumps(record.to_dict(), indent=2))
    return 0


def _export(settings: Settings, args: argparse.Namespace) -> int:
    from .export import export_csv
    from .store import Store

    store = Store(settings.database_url)
    if args.output:
        with open(args.output, "w", newline="") as f:
            n = export_csv(store, f)
        print(f"{n} purchases written to {args.output}", file=sys.stderr)
    else:
        export_csv(store, sys.stdout)
    return 0


def _domain(settings: Settings, args: argparse.Namespace) -> int:
    from .chain import Chain
    from .service import resolve_domain

    chain = Chain.from_settings(settings, load_signing_key(settings))
    print(json.dumps(resolve_domain(settings, chain).as_dict(), indent=2))
    return 0


def _reconcile(settings: Settings, args: argparse.Namespace) -> int:
    from .batcher import Batcher
    from .chain import Chain
    from .store import Store

    key = load_signing_key(settings)
    if key is None:
        raise ConfigError("reconcile needs the oracle key (ORACLE_PRIVATE_KEY or keystore_file)")
    configure_logging("info", "%(levelname)s %(name)s: %(message)s")
    result = Batcher(settings, Store(settings.database_url), Chain.from_settings(settings, key)).reconcile()
    print(json.dumps(result))
    return 0


def _requeue(settings: Settings, args: argparse.Namespace) -> int:
    from .store import Store

    record = Store(settings.database_url).requeue_set_aside(args.ref.lower())
    if record is None:
        print(f"no set-aside purchase {args.ref}", file=sys.stderr)
        return 1
    print(f"purchase {record.ref} is queued again")
    return 0


def _config(settings: Settings, args: argparse.Namespace) -> int:
    print(json.dumps(settings.public_dict(), indent=2))
    return 0


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    from .api import create_app

    if args.host:
        settings.host = args.host
    if args.port:
        settings.port = args.port
    if args.no_batcher:
        settings.batcher_enabled = False
    configure_logging(args.log_level)
    key = load_signing_key(settings)
    if key is None and settings.batcher_enabled:
        logging.getLogger("oracle").warning("no oracle key configured: accepting only, nothing will be minted")
    else:
        logging.getLogger("oracle").info("oracle key %s", key.address if key else None)
    app = create_app(settings, key)
    _freeze_heap()
    # log_config=None: uvicorn's loggers propagate to the root handler, which redacts (oracle.logs)
    uvicorn.run(
        app, host=settings.host, port=settings.port, log_level=args.log_level.lower(), access_log=False, log_config=None
    )
    return 0


def _freeze_heap() -> None:
    """Move everything start-up allocated (modules, web3, SQLAlchemy, the app: ~140,000 objects) out of the cyclic
    collector's reach. Otherwise each full collection walks all of it (~90 ms on the bench machine) while the event
    loop stands still, which every request in flight pays: the accept path's p99. Objects allocated later are
    collected as before."""
    gc.collect()
    gc.freeze()


COMMANDS: dict[str, Callable[[Settings, argparse.Namespace], int]] = {
    "serve": _serve,
    "backend": _backend,
    "status": _status,
    "reconcile": _reconcile,
    "requeue": _requeue,
    "export": _export,
    "domain": _domain,
    "config": _config,
}


def entry() -> None:
    """Console script `blackgold-oracle`."""
    sys.exit(main())

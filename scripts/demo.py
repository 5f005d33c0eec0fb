"""`make demo`: Black Gold end to end on a fresh local chain (Ganache; `NETWORK=anvil make demo`: anvil).

1. Deploy the token, the issuance vote (governor + timelock) and PurchaseMining, wired and renounced
   (scripts/deploy.py), writing the deployment file.
2. Start the mint oracle (`python -m oracle serve`, SQLite in .demo/oracle.db) with a fresh key funded by a dev account.
3. Register a demo shop backend and play a small shop: a few hundred purchases by dozens of consumers, some
   through referrers, across several suppliers, signed and sent with `oracle.client` (real EIP-712 signatures,
   real HTTP), and wait until the oracle has minted them all.
4. Print grams per role and per account, with the on-chain balances checked against the oracle's records.
5. Run one issuance vote from proposal to executed cap raise, several holders voting, printing the state.

Run with `make demo` (or `brownie run scripts/demo.py --network ganache-cli`; `--network anvil` works too). Options through the environment:
DEMO_PURCHASES (default 300), DEMO_CONSUMERS (40), DEMO_SEED (7). Nothing is left running when it ends,
including on Ctrl-C: the oracle is stopped here, the chain by Brownie.
"""

from __future__ import annotations

import contextlib
import io
import os
import random
import secrets
import signal
import time
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from brownie import accounts, network, web3
from eth_account import Account

from blackgold import dividends as dv
from blackgold import governance as gov
from blackgold.accounts import NodeSigner
from blackgold.chain import mine_until
from blackgold.cli.governance import format_status
from blackgold.contracts import Bound, System
from blackgold.deployment import Deployment
from blackgold.paths import PROJECT_ROOT
from blackgold.proposals import proposal_status
from blackgold.units import GRAM, format_grams
from oracle.process import OracleProcess, ProcessError, clean_env
from scripts.deploy import deployment_path
from scripts.deploy import main as deploy

DEMO_DIR = PROJECT_ROOT / ".demo"
BACKEND_ID = "demo-shop"
ROLES = ("consumer", "referrer", "supplier", "platform")


@dataclass
class Shop:
    """The demo's cast: deterministic addresses so every run tells the same story."""

    consumers: list[str]
    referrers: list[str]
    suppliers: list[str]

    @classmethod
    def make(cls, rng: random.Random, consumers: int) -> Shop:
        def addresses(n: int) -> list[str]:
            return [Account.from_key(rng.randbytes(32)).address for _ in range(n)]

        return cls(consumers=addresses(consumers), referrers=addresses(8), suppliers=addresses(5))


def step(title: str) -> None:
    print(f"\n== {title}", flush=True)


def start_oracle(database: Path, oracle_key: str, admin_token: str) -> tuple[OracleProcess, dict[str, Any]]:
    """The oracle as a child process (oracle.process), healthy; the caller stops it (also on error and Ctrl-C)."""
    log_path = DEMO_DIR / "oracle.log"
    log_path.unlink(missing_ok=True)
    env = clean_env(
        ORACLE_DATABASE_URL=f"sqlite:///{database}",
        ORACLE_RPC_URL=web3.provider.endpoint_uri,
        ORACLE_NETWORK=network.show_active(),  # its deployment file: deployments/local/<network>.json
        ORACLE_PRIVATE_KEY=oracle_key,
        ORACLE_ADMIN_TOKEN=admin_token,
        ORACLE_BATCH_SIZE=100,
        ORACLE_BATCH_WAIT_SECONDS=0.5,
        ORACLE_SETTLEMENT_SECONDS=0,
    )
    oracle = OracleProcess(env, DEMO_DIR, log_path=log_path)
    try:
        oracle.start(wait=False)
        return oracle, oracle.wait_healthy(timeout=30, require_ok=True)
    except ProcessError as exc:
        oracle.stop()
        raise SystemExit(f"the oracle did not start: {str(exc).splitlines()[0]}") from None


def register_backend(oracle: OracleProcess, admin_token: str, address: str) -> None:
    resp = httpx.post(
        f"{oracle.url}/admin/backends",
        json={"id": BACKEND_ID, "address": address, "note": "make demo"},
        headers={"Authorization": f"Bearer {admin_token}"},
        timeout=10,
    )
    if resp.status_code != 201:
        raise SystemExit(f"registering the demo backend failed: {resp.status_code} {resp.text}")


def shop_orders(rng: random.Random, shop: Shop, count: int) -> Iterator[dict[str, Any]]:
    """Purchases: amounts 9.90-999.00 yuan in fen, 60% referred, a few with a merchant's referrer override."""
    for n in range(count):
        referred = rng.random() < 0.6
        yield {
            "order_id": f"demo-{n:05d}",
            "consumer": rng.choice(shop.consumers),
            "supplier": rng.choice(shop.suppliers),
            "referrer": rng.choice(shop.referrers) if referred else None,
            "amount": rng.randrange(990, 99_900),
            "referrer_bps": rng.choice((0, 0, 0, 1_000, 3_000)) if referred else 0,
        }


def play_shop(oracle_url: str, backend_key: str, orders: list[dict[str, Any]]) -> list[str]:
    """Send every order through oracle.client from 8 threads (a busy shop backend); returns the refs."""
    from oracle.client import OracleClient

    refs: list[str] = []
    done = 0
    with ThreadPoolExecutor(max_workers=8) as pool:
        clients = [OracleClient(oracle_url, BACKEND_ID, backend_key) for _ in range(8)]
        futures = [pool.submit(clients[i % 8].submit_purchase, **order) for i, order in enumerate(orders)]
        for future in as_completed(futures):
            refs.append(future.result()["ref"])
            done += 1
            if done % 50 == 0 or done == len(orders):
                print(f"   accepted {done}/{len(orders)}", flush=True)
        for client in clients:
            client.close()
    return refs


def wait_all_minted(oracle_url: str, total: int, timeout: float = 180.0) -> None:
    deadline = time.monotonic() + timeout
    last = -1
    while True:
        backlog = httpx.get(f"{oracle_url}/health", timeout=5).json()["backlog"]
        minted = backlog.get("minted", 0)
        if minted != last:
            print(
                f"   minted {minted}/{total} (queued {backlog.get('queued', 0)}, submitted {backlog.get('submitted', 0)})",
                flush=True,
            )
            last = minted
        if minted >= total:
            return
        if backlog.get("rejected", 0):
            raise SystemExit(f"{backlog['rejected']} purchases were rejected; see the oracle log")
        if time.monotonic() > deadline:
            raise SystemExit(f"only {minted}/{total} minted after {timeout:.0f}s; see {DEMO_DIR / 'oracle.log'}")
        time.sleep(0.5)


def grams_from_records(database: Path, platform: str) -> tuple[dict[str, int], dict[str, dict[str, int]], int]:
    """From the oracle's store: grams per role, grams per account per role, and the number of minted records."""
    from oracle.store import Store

    store = Store(f"sqlite:///{database}")
    per_role: dict[str, int] = defaultdict(int)
    per_account: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    minted = 0
    try:
        for record in store.iter_purchases():
            if record.status != "minted":
                continue
            minted += 1
            owners = {
                "consumer": record.consumer,
                "referrer": record.referrer,
                "supplier": record.supplier,
                "platform": platform,
            }
            for role in ROLES:
                grams = int(getattr(record, f"{role}_grams") or 0)
                per_role[role] += grams
                if grams:
                    per_account[owners[role]][role] += grams
    finally:
        store.close()
    return per_role, per_account, minted


def print_tables(
    token: Any, mining: Any, shop: Shop, platform: str, per_role: dict[str, int], per_account: dict[str, dict[str, int]]
) -> bool:
    """Grams per role and per account; every account's balance on chain must equal the oracle's records."""
    print("\n   grams per role (oracle records)")
    print(f"   {'role':<10}{'grams':>20}")
    for role in ROLES:
        print(f"   {role:<10}{format_grams(per_role[role]):>20}")
    total = sum(per_role.values())
    print(f"   {'total':<10}{format_grams(total):>20}")

    labels = {a: f"consumer {i + 1}" for i, a in enumerate(shop.consumers)}
    labels.update({a: f"referrer {i + 1}" for i, a in enumerate(shop.referrers)})
    labels.update({a: f"supplier {i + 1}" for i, a in enumerate(shop.suppliers)})
    labels[platform] = "platform"
    ok = True
    rows = sorted(per_account.items(), key=lambda item: -sum(item[1].values()))
    print(f"\n   grams per account ({len(rows)} accounts; the 15 largest shown, every one checked)")
    print(f"   {'account':<13}{'address':<44}{'oracle records':>18}{'on-chain balance':>20}  check")
    for i, (address, by_role) in enumerate(rows):
        expected = sum(by_role.values())
        balance = int(token.balanceOf(address))
        match = balance == expected
        ok &= match
        if i < 15 or not match:
            print(
                f"   {labels.get(address, '?'):<13}{address:<44}{format_grams(expected):>18}{format_grams(balance):>20}  {'ok' if match else 'MISMATCH'}"
            )
    mined_total = int(mining.minedTotal())
    print(
        f"\n   PurchaseMining.minedTotal {format_grams(mined_total)} grams vs oracle records {format_grams(total)}: {'ok' if mined_total == total else 'MISMATCH'}"
    )
    return ok and mined_total == total


def show(system: System, pid: int, label: str) -> None:
    print(f"\n   -- {label}")
    print("   " + format_status(proposal_status(system, pid)).replace("\n", "\n   "))


def issuance_vote() -> None:
    """Kind (b): raise the cap by 10,000,000 grams and grant them to an ecosystem fund; 4 holders vote.

    Runs through the SDK (web3.py), exactly as the `blackgold` CLI would, against the demo's chain.
    """
    system = System.connect(web3, Deployment.load(deployment_path()))
    token, governor = system.token, system.governor
    holders = [NodeSigner(accounts[i].address) for i in (1, 2, 3, 4)]
    for holder in holders:
        gov.delegate(system, holder)
    mine_until(web3, int(web3.eth.get_block("latest")["timestamp"]) + 2)  # delegations are in the past now
    fund = Account.from_key(b"\x01" * 32).address
    amount = 10_000_000 * GRAM
    for holder in holders:
        print(f"   holder {holder.address} delegated to itself: {format_grams(token.votes(holder.address))} votes")
    pid = gov.propose(
        system, holders[0], "grant", amount, fund, "Grant 10,000,000 grams to the ecosystem fund"
    ).proposal_id
    show(system, pid, "proposed (waiting for the voting delay)")
    mine_until(web3, governor.snapshot(pid) + 1)
    for holder, support, reason in (
        (holders[0], "for", "Fund the ecosystem"),
        (holders[1], "for", None),
        (holders[2], "against", "Dilutes holders"),
        (holders[3], "abstain", None),
    ):
        gov.vote(system, holder, pid, gov.Support.parse(support), reason)
    show(system, pid, "four holders voted: for, for, against, abstain")
    mine_until(web3, governor.deadline(pid) + 1)
    show(system, pid, "voting closed")
    gov.queue(system, holders[0], pid)
    show(system, pid, "queued in the timelock")
    mine_until(web3, governor.eta(pid))
    gov.execute(system, holders[0], pid)
    show(system, pid, "executed")
    print(
        f"\n   ecosystem fund {fund} holds {format_grams(token.balance_of(fund))} grams; "
        f"cap is now {format_grams(token.cap())} grams"
    )


def dividends_step(shop: Shop) -> None:
    """The platform deposits 10,000 tUSD; after the 7-day stream every holder's payout equals its share of grams.

    Holders with keys (the dev accounts) claim themselves; shop addresses have no keys, so the platform pays
    them with claimFor (the asset goes to the holder, the caller only pays gas).
    """
    system = System.connect(web3, Deployment.load(deployment_path()))
    token, platform = system.token, NodeSigner(accounts[0].address)
    coin = dv.resolve_asset(system, "tUSD")
    info = dv.info(system, coin)
    amount = 10_000 * 10**info.decimals
    test_usd = web3.eth.contract(address=coin, abi=system.deployment.abi("TestStablecoin"))  # local chains only
    Bound(web3, test_usd, system.token.decoder).transact(platform, "mint", platform.address, amount)
    receipt = dv.deposit(system, platform, coin, amount)
    end = int(token.call("periodEnd", coin))
    print(
        f"   deposited {info.units(amount)} (tx 0x{bytes(receipt['transactionHash']).hex()[:10]}...); "
        f"streams until the chain's clock passes {end}"
    )
    mine_until(web3, end + 1)
    supply = token.total_supply()
    dev = [NodeSigner(accounts[i].address) for i in (1, 2, 3, 4)]
    holders = [(s.address, s) for s in dev] + [(a, None) for a in shop.suppliers[:3] + shop.consumers[:3]]
    print(f"\n   {'holder':<44}{'grams':>16}{'share':>10}{'payout':>16}{'of 10,000':>11}")
    paid_total = 0
    for address, signer in holders:
        before = int(dv.asset(system, coin).call("balanceOf", address))
        if signer is not None:
            dv.claim(system, signer, coin)
        else:
            dv.claim_for(system, platform, address, coin)
        paid = int(dv.asset(system, coin).call("balanceOf", address)) - before
        paid_total += paid
        grams = token.balance_of(address)
        print(
            f"   {address:<44}{format_grams(grams):>16}{100 * grams / supply:>9.3f}%"
            f"{info.units(paid):>16}{100 * paid / amount:>10.3f}%"
        )
    print(
        f"   ... {info.units(paid_total)} paid to these {len(holders)} holders; every other holder can claim its "
        f"share the same way (`blackgold dividends claim`)"
    )


def new_oracle_account() -> Any:
    """A fresh key for the oracle (the node's dev accounts are unlocked, not exported), funded with gas money."""
    oracle = accounts.add()
    accounts[0].transfer(oracle, "100 ether")
    return oracle


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Brownie prints every transaction; the demo prints its own progress instead."""
    with contextlib.redirect_stdout(io.StringIO()):
        yield


def deploy_step() -> tuple[Any, Any]:
    """Step 1: a fresh oracle key with gas money, then the whole system deployed and renounced."""
    step("1/6 deploy token, issuance vote, PurchaseMining and Test USD to a fresh local chain")
    with quiet():
        oracle_account = new_oracle_account()
        system = deploy(oracle=oracle_account.address)
    for name, address in system.contract_addresses().items():
        print(f"   {name:<20}{address}")
    print(f"   the deployer renounced every role; oracle {oracle_account.address}")
    return oracle_account, system


def main() -> None:
    started = time.monotonic()
    purchases = int(os.environ.get("DEMO_PURCHASES", "300"))
    consumers = int(os.environ.get("DEMO_CONSUMERS", "40"))
    rng = random.Random(int(os.environ.get("DEMO_SEED", "7")))
    DEMO_DIR.mkdir(exist_ok=True)
    database = DEMO_DIR / "oracle.db"
    for stale in (database, database.with_name("oracle.db-wal"), database.with_name("oracle.db-shm")):
        stale.unlink(missing_ok=True)

    oracle_account, system = deploy_step()
    token, mining = system.token, system.extra["PurchaseMining"]

    step("2/6 start the mint oracle")
    admin_token = secrets.token_hex(16)
    previous_sigterm = signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    oracle, health = start_oracle(database, oracle_account.private_key, admin_token)
    try:
        print(f"   oracle at {oracle.url} (docs {oracle.url}/docs), signer {health['signer']['address']}")
        backend_key = "0x" + rng.randbytes(32).hex()
        register_backend(oracle, admin_token, Account.from_key(backend_key).address)
        print(f"   registered backend {BACKEND_ID!r} with key {Account.from_key(backend_key).address}")

        shop = Shop.make(rng, consumers)
        orders = list(shop_orders(rng, shop, purchases))
        step(
            f"3/6 play the shop: {purchases} purchases, {consumers} consumers, {len(shop.referrers)} referrers, {len(shop.suppliers)} suppliers"
        )
        t0 = time.monotonic()
        play_shop(oracle.url, backend_key, orders)
        wait_all_minted(oracle.url, purchases)
        print(f"   {purchases} purchases accepted and minted in {time.monotonic() - t0:.1f}s")

        step("4/6 grams mined, checked against the chain")
        platform = mining.platform()
        per_role, per_account, minted = grams_from_records(database, platform)
        if minted != purchases:
            raise SystemExit(f"the oracle recorded {minted} minted purchases, expected {purchases}")
        if not print_tables(token, mining, shop, platform, per_role, per_account):
            raise SystemExit("on-chain balances do not match the oracle's records")
        print("   every on-chain balance equals the oracle's records")
    finally:
        oracle.stop()
        signal.signal(signal.SIGTERM, previous_sigterm)

    step("5/6 issuance vote: raise the cap and grant 10,000,000 grams to an ecosystem fund")
    issuance_vote()

    step("6/6 dividends: the platform deposits 10,000 tUSD, the chain clock moves 7 days, holders claim")
    dividends_step(shop)

    print(f"\nDone in {time.monotonic() - started:.0f}s.")
    print(f"  deployment file  {deployment_path()}")
    print(f"  oracle database  {database}  (log: {DEMO_DIR / 'oracle.log'})")
    print("  the oracle is stopped; Brownie stops the chain now.")

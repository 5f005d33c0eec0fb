"""Fixtures for the browser tests: the real deploy on Ganache, the app server in-process, Debian's Chromium.

The system comes from the deploy script's functions (local profile, dev allocation to accounts 1..4, oracle
accounts[9]) with a few purchases mined; the deployment file is written to a tmp path; the app (uvicorn) runs in a
thread on a free port; Playwright drives /usr/bin/chromium (`make chromium` installs it). Pages get a test
EIP-1193 wallet (wallet_provider.js) that forwards to Ganache, whose unlocked accounts sign (keys Ganache does
not know sign typed data in Python). Modules with WITH_RELAY = True get the gasless relay mounted at /relay;
LOG_WINDOW = n makes the page read logs n blocks per eth_getLogs.
Time moves only with evm_increaseTime + evm_mine (chain.sleep / chain.mine), to targets read from the governor.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from pathlib import Path

import pytest
import uvicorn
from eth_account import Account
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect, sync_playwright

from blackgold.app import create_app
from blackgold.contracts import System as SdkSystem
from blackgold.deployment import Deployment, write_record
from blackgold.params import LOCAL_DEV_ALLOCATION_GRAMS, LOCAL_ORACLE_INDEX, LOCAL_SETTINGS
from oracle.relay import build_relay
from scripts.app import mine_purchases, sample_purchases
from scripts.deploy import chain_hooks, deploy_system, deployment_record, mining_hook, stablecoin_hook

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
WALLET_JS = (Path(__file__).parent / "wallet_provider.js").read_text()
DESKTOP = {"width": 1100, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def oracle(accounts):
    return accounts[LOCAL_ORACLE_INDEX]


@pytest.fixture(scope="module")
def system(deployer, accounts, oracle):
    """What `make app` deploys: local profile, dev allocation to accounts 1..4, PurchaseMining, Test USD (tUSD) as
    a payout asset, purchases mined."""
    allocation = {accounts[i + 1]: grams for i, grams in enumerate(LOCAL_DEV_ALLOCATION_GRAMS)}
    hooks = chain_hooks(mining_hook(deployer, [oracle]), stablecoin_hook(deployer))
    deployed = deploy_system(deployer, LOCAL_SETTINGS, initial_allocation=allocation, before_renounce=hooks)
    purchases = sample_purchases(
        [accounts[i] for i in (1, 2, 3, 4)], [accounts[2], accounts[5]], [accounts[6], accounts[7]]
    )
    mine_purchases(deployed.extra["PurchaseMining"], oracle, purchases)
    return deployed


@pytest.fixture(scope="module")
def deployment_file(system, deployer, oracle, tmp_path_factory):
    path = tmp_path_factory.mktemp("deployments") / "ganache-cli.json"
    return write_record(deployment_record(system, deployer, [oracle]), path)


@pytest.fixture(scope="module")
def sdk(deployment_file, web3):
    return SdkSystem.connect(web3, Deployment.load(deployment_file))


@pytest.fixture(scope="module")
def rpc_url(web3):
    return web3.provider.endpoint_uri


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def relay(request, deployment_file, rpc_url, accounts, tmp_path_factory):
    """The gasless relay (its own funded key, SQLite in a tmp folder) for modules that set WITH_RELAY = True."""
    if not getattr(request.module, "WITH_RELAY", False):
        yield None
        return
    key = Account.create()
    accounts[0].transfer(key.address, 10 * 10**18)
    db = tmp_path_factory.mktemp("relay") / "relay.db"
    env = {"BG_RELAY_PRIVATE_KEY": key.key.hex()}
    relay = build_relay(Deployment.load(deployment_file), rpc_url, env, database_url=f"sqlite:///{db}")
    yield relay
    relay.stop()  # the app's shutdown stops it too; this makes sure it is stopped before Ganache is


@pytest.fixture(scope="module")
def app_url(request, deployment_file, rpc_url, relay):
    """The app server (uvicorn) in a thread on a free port, for this module's deployment (and relay, if any).
    A module's LOG_WINDOW sets how many blocks the page reads per eth_getLogs."""
    port = free_port()
    app = create_app(deployment_file, rpc_url, relay=relay, log_window=getattr(request.module, "LOG_WINDOW", None))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the app server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make chromium` (apt-get install chromium)")
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def open_app(browser, app_url, rpc_url, web3):
    """open_app(account=..., wallet_chain=None, known_chains=None, viewport=DESKTOP, ...) -> a loaded page.

    account=None opens the page without any wallet (read-only). wallet_chain is the chain id the test wallet
    starts on (default: the deployment's); known_chains the chains it knows (default: only its starting one).
    on_request(request) sees every request the page makes, from the first.
    """
    contexts = []
    errors: list[str] = []
    chain_hex = hex(web3.eth.chain_id)

    def open_(
        account=None,
        wallet_chain=None,
        known_chains=None,
        viewport=DESKTOP,
        lang="en",
        local_signers=(),
        on_request=None,
    ):
        context = browser.new_context(viewport=viewport, locale="en-US", timezone_id="Asia/Shanghai")
        keys = {s.address.lower(): s for s in local_signers}
        if keys:
            context.expose_function("__bgSignTypedData", lambda address, data: sign_locally(keys, address, data))
        contexts.append(context)
        context.add_init_script(script=f"localStorage.setItem('bg-lang', '{lang}');")
        if account is not None:
            start = wallet_chain or chain_hex
            config = {
                "rpc": rpc_url,
                "chainId": chain_hex,
                "walletChainId": start,
                "account": str(account),
                "knownChains": known_chains or [start],
                "localSigners": list(keys),
            }
            context.add_init_script(script=WALLET_JS.replace("__CONFIG__", json.dumps(config)))
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        if on_request is not None:
            page.on("request", on_request)
        page.goto(app_url)
        try:
            page.wait_for_selector("body[data-ready='1']", timeout=20_000)
        except PlaywrightTimeout:
            message = page.get_by_test_id("message").text_content()
            pytest.fail(f"the page did not get ready; it says: {message!r}; errors: {errors}")
        return page

    yield open_
    for context in contexts:
        context.close()
    assert not errors, f"JavaScript errors in the page: {errors}"


def sign_locally(keys, address: str, data: str) -> str:
    """eth_signTypedData_v4 for a key Ganache does not know (the test wallet's local signers)."""
    signature = keys[address.lower()].sign_typed_data(None, json.loads(data))
    return "0x" + bytes(signature).hex()


def synced(page, web3, timeout=15_000):
    """Wait until the page has rendered the chain's latest block."""
    page.wait_for_selector(f"body[data-block='{web3.eth.block_number}']", timeout=timeout)
    return page


def advance_to(chain, web3, timestamp: int) -> int:
    """Mine a block at or after `timestamp` (evm_increaseTime + evm_mine); returns its timestamp."""
    now = web3.eth.get_block("latest")["timestamp"]
    if timestamp > now:
        chain.sleep(int(timestamp - now))
    chain.mine()
    return web3.eth.get_block("latest")["timestamp"]


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def switch_account(page, address):
    """The test wallet switches to `address` (accountsChanged); wait until the page shows it."""
    page.evaluate("a => window.__testWallet.setAccount(a)", address)
    expect(page.get_by_test_id("account")).to_have_attribute("title", address)


def rendered_block(page) -> int:
    """The block the page rendered last (body[data-block])."""
    return int(page.get_attribute("body", "data-block"))


def deposit_usd(system, depositor, units: int):
    """Mint `units` of Test USD (6 decimals) to `depositor` and deposit them as dividends; returns the deposit tx."""
    coin, token = system.extra["TestStablecoin"], system.token
    coin.mint(depositor, units, {"from": depositor})
    coin.approve(token, units, {"from": depositor})
    return token.deposit(coin, units, {"from": depositor})

"""`make app`: a fresh local chain with the system deployed, a few purchases mined, and the holders' web app.

Run: `brownie run scripts/app.py --network ganache-cli` (Brownie starts Ganache and stops it when this ends).

1. Deploy with the local profile (scripts/deploy.py: accounts 1..4 get the dev allocation, accounts[9] is the
   oracle) and write the deployment file.
2. Mine a few purchases: PurchaseMining.mintBatch from the oracle account directly (the oracle service would do
   the same after verifying the shop's receipts).
3. Print how to import a dev account into MetaMask: the private keys of accounts 1..4, derived from Ganache's
   mnemonic with the standard path m/44'/60'/0'/0/i and checked against the node's accounts.
4. Start the gasless relay with a fresh key funded by accounts[0] (its store in .app/relay.db), so a holder without
   ETH can delegate, vote and claim; then serve the app (blackgold.app) with the relay at /relay until Ctrl-C.
"""

from __future__ import annotations

import hashlib
import os
import unicodedata
from collections.abc import Sequence
from typing import Any

from brownie import accounts, network
from brownie._config import CONFIG
from eth_account import Account
from eth_account.hdaccount import key_from_seed

from blackgold.params import LOCAL_DEV_ALLOCATION_GRAMS, LOCAL_ORACLE_INDEX
from blackgold.units import format_grams
from scripts import deploy

APP_HOST = os.environ.get("BG_APP_HOST", "127.0.0.1")
APP_PORT = int(os.environ.get("BG_APP_PORT", "8000"))
DEV_ACCOUNTS = range(1, 1 + len(LOCAL_DEV_ALLOCATION_GRAMS))


def dev_private_keys(mnemonic: str, indexes: Sequence[int]) -> dict[int, str]:
    """Private keys (0x hex) of m/44'/60'/0'/0/i for each i, as Ganache derives them from `mnemonic`.

    Ganache takes any phrase (BIP-39's PBKDF2 seed, no word-list check), so the seed is computed here rather than
    with Account.from_mnemonic, which rejects a phrase such as "brownie" that is not a valid BIP-39 mnemonic.
    """
    phrase = unicodedata.normalize("NFKD", mnemonic)
    seed = hashlib.pbkdf2_hmac("sha512", phrase.encode(), b"mnemonic", 2048)
    return {i: "0x" + key_from_seed(seed, f"m/44'/60'/0'/0/{i}").hex() for i in indexes}


def sample_purchases(
    consumers: Sequence[Any], referrers: Sequence[Any], suppliers: Sequence[Any], count: int = 8
) -> list[tuple]:
    """A few purchases (PurchaseMining.Purchase tuples): 19.90-999.00 yuan in fen, most referred, one override."""
    out = []
    for n in range(count):
        referred = n % 4 != 3
        out.append(
            (
                "0x" + hashlib.sha256(f"app-order-{n}".encode()).hexdigest(),
                str(consumers[n % len(consumers)]),
                str(referrers[n % len(referrers)]) if referred else "0x" + "0" * 40,
                str(suppliers[n % len(suppliers)]),
                1_990 + 12_345 * n,
                3_000 if n == 5 else 0,
            )
        )
    return out


def mine_purchases(mining: Any, oracle: Any, purchases: list[tuple]) -> Any:
    """One PurchaseMining.mintBatch from the oracle account."""
    return mining.mintBatch(purchases, {"from": oracle})


def print_metamask_steps(keys: dict[int, str], rpc_url: str, chain_id: int) -> None:
    print("\nImport a dev account into MetaMask (local chain only; these keys are public knowledge):")
    print(f"  1. MetaMask > Networks > Add a network manually: RPC URL {rpc_url}, chain id {chain_id}, symbol ETH")
    print("     (or open the app and click the switch button in the wrong-network banner).")
    print("  2. MetaMask > Add account or hardware wallet > Import account > paste one private key:")
    for i, key in keys.items():
        grams = format_grams(deploy.GRAM * LOCAL_DEV_ALLOCATION_GRAMS[i - 1])
        print(f"     accounts[{i}] {accounts[i].address}  {grams} grams  key {key}")
    print("  3. Connect the wallet in the app, delegate to yourself, then propose and vote.")
    print("     Move the chain's clock past a deadline with `blackgold chain advance 10m`.\n")


def main() -> None:
    name = network.show_active()
    if not deploy.is_local_network(name):
        raise SystemExit(f"scripts/app.py is for local chains (got {name}): on real networks run `blackgold app`")
    system = deploy.main()
    mining = system.extra["PurchaseMining"]
    oracle = accounts[LOCAL_ORACLE_INDEX]
    purchases = sample_purchases(
        consumers=[accounts[i] for i in DEV_ACCOUNTS],
        referrers=[accounts[2], accounts[5]],
        suppliers=[accounts[6], accounts[7]],
    )
    tx = mine_purchases(mining, oracle, purchases)
    print(
        f"mined {len(purchases)} purchases in block {tx.block_number}: {format_grams(mining.minedTotal())} grams so far"
    )

    keys = dev_private_keys(CONFIG.active_network["cmd_settings"]["mnemonic"], list(DEV_ACCOUNTS))
    for i, key in keys.items():
        if Account.from_key(key).address != accounts[i].address:
            raise SystemExit(f"the key derived for accounts[{i}] does not match the node's account: check the mnemonic")
    rpc_url = network.web3.provider.endpoint_uri
    print_metamask_steps(keys, rpc_url, network.chain.id)

    import uvicorn

    from blackgold.app import create_app

    relay = start_relay(rpc_url)
    print(f"The app: http://{APP_HOST}:{APP_PORT}/  (Ctrl-C stops the app, the relay and the chain)")
    app = create_app(deploy.deployment_path(), rpc_url, relay=relay)
    uvicorn.run(app, host=APP_HOST, port=APP_PORT, log_level="warning")


def start_relay(rpc_url: str) -> Any:
    """The relay of `make app`: a new key with 10 ETH of gas money from accounts[0], a fresh store in .app/."""
    from pathlib import Path

    from blackgold.deployment import Deployment
    from oracle.relay import build_relay

    folder = Path(deploy.deployment_path()).resolve().parents[2] / ".app"
    folder.mkdir(exist_ok=True)
    (folder / "relay.db").unlink(missing_ok=True)
    key = Account.create()
    accounts[0].transfer(key.address, "10 ether")
    env = {"BG_RELAY_PRIVATE_KEY": key.key.hex(), "BG_RELAY_DATABASE_URL": f"sqlite:///{folder / 'relay.db'}"}
    relay = build_relay(Deployment.load(deploy.deployment_path()), rpc_url, env=env)
    print(f"relay {key.address} (10 ETH for gas) at /relay: holders without ETH delegate, vote and claim by signature")
    return relay

"""Gas of the holders' issuance-vote transactions on Ganache (Shanghai, optimizer 200 runs).

    .venv/bin/python -m bench.gas_governance [--network ganache-cli]

Deploys the real system (scripts/deploy.py, short local parameters), runs both proposal kinds through their
whole lifecycle and records the gas of delegate, propose, castVote, castVoteWithReason, queue and execute, with an
ERC-20 transfer of the same token as the reference row. Prints a markdown table and writes
bench/results/gas_governance.json. Brownie launches the network's Ganache if none is running (and stops it at the
end); takes a few seconds.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import sys
import warnings
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "gas_governance.json"


def _deployed() -> Any:
    """The real system with short local parameters and three holders, wrapped by the SDK."""
    from brownie import accounts, web3

    from blackgold.contracts import System
    from blackgold.deployment import Deployment
    from scripts.deploy import LOCAL_SETTINGS, deploy_system, deployment_record

    allocation = {accounts[1]: 300_000, accounts[2]: 200_000, accounts[3]: 100_000}
    system = deploy_system(accounts[0], LOCAL_SETTINGS, initial_allocation=allocation)
    return System.connect(web3, Deployment.from_record(deployment_record(system, accounts[0])))


def measure() -> list[tuple[str, int, str]]:
    """Deploy with Brownie, then run the vote through the SDK (web3.py), as holders' tools do."""
    from brownie import accounts, web3

    from blackgold import governance as g
    from blackgold.accounts import NodeSigner
    from blackgold.chain import mine_until
    from blackgold.units import GRAM

    sdk = _deployed()
    alice, bob, carol = (NodeSigner(accounts[i].address) for i in (1, 2, 3))
    fund = accounts[4].address
    gov = sdk.governor
    rows: list[tuple[str, int, str]] = []

    def row(name: str, receipt: Any, note: str = "") -> None:
        rows.append((name, int(receipt["gasUsed"]), note))

    row("token.transfer (reference)", sdk.token.transfer(carol, fund, 1 * GRAM), "ERC-20 transfer, no delegates")
    row("delegate", g.delegate(sdk, alice), "first self-delegation of a holder")
    g.delegate(sdk, bob)
    g.delegate(sdk, carol)
    mine_until(web3, int(web3.eth.get_block("latest")["timestamp"]) + 2)

    proposed = g.propose(sdk, alice, "raise", 50_000_000 * GRAM)
    pid = proposed.proposal_id
    row("propose (a: raise cap)", proposed.receipt, "1 action; GovernorStorage keeps it on chain")
    mine_until(web3, gov.snapshot(pid) + 1)
    row(
        "castVote (reaches quorum)",
        g.vote(sdk, alice, pid, g.Support.FOR).receipt,
        "first vote; reaching quorum stores the late-quorum deadline",
    )
    row(
        "castVoteWithReason",
        g.vote(sdk, bob, pid, g.Support.AGAINST, "Too much, too soon: half of it.").receipt,
        "quorum already reached; 31-byte reason",
    )
    row("castVote", g.vote(sdk, carol, pid, g.Support.ABSTAIN).receipt, "quorum already reached")
    mine_until(web3, gov.deadline(pid) + 1)
    row("queue", g.queue(sdk, carol, pid), "schedules the batch in the timelock")
    mine_until(web3, gov.eta(pid))
    row("execute (a: raise cap)", g.execute(sdk, carol, pid), "timelock -> token.raiseCap")

    proposed = g.propose(sdk, bob, "grant", 1_000_000 * GRAM, recipient=fund)
    pid = proposed.proposal_id
    row("propose (b: grant)", proposed.receipt, "1 action")
    mine_until(web3, gov.deadline(pid) - 20)
    row(
        "castVote (late quorum)",
        g.vote(sdk, alice, pid, g.Support.FOR).receipt,
        "reaches quorum late: extends the deadline",
    )
    mine_until(web3, gov.deadline(pid) + 1)
    g.queue(sdk, carol, pid)
    mine_until(web3, gov.eta(pid))
    row("execute (b: grant)", g.execute(sdk, carol, pid), "timelock -> token.grant (raise + mint)")
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--network", default="ganache-cli")
    args = parser.parse_args(argv)

    from brownie import network, project

    warnings.filterwarnings("ignore", message=r"rpc\..* should not be called directly", category=FutureWarning)

    p = project.load(ROOT, name="BlackGoldGasBench")
    p.load_config()
    network.connect(args.network)
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # Brownie's per-transaction lines
            rows = measure()
        chain_id = network.chain.id
    finally:
        network.disconnect()
    print("| operation | gas | note |")
    print("|---|---:|---|")
    for name, gas, note in rows:
        print(f"| {name} | {gas:,} | {note} |")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "bench": "gas_governance",
                "network": args.network,
                "chain_id": chain_id,
                "evm_version": "shanghai",
                "optimizer_runs": 200,
                "results": [{"operation": n, "gas": g, "note": note} for n, g, note in rows],
            },
            indent=2,
        )
        + "\n"
    )
    print(f"\nwritten {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

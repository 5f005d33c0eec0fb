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

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "gas_governance.json"


def measure() -> list[tuple[str, int, str]]:
    from brownie import accounts, chain

    from scripts.deploy import GRAM, LOCAL_SETTINGS, deploy_system
    from scripts.holders import (
        cast_vote,
        delegate_votes,
        execute_proposal,
        propose_issuance,
        queue_proposal,
        wait_for_deadline,
        wait_for_eta,
        wait_for_voting,
        wait_until,
    )

    deployer, alice, bob, carol, fund = accounts[0], accounts[1], accounts[2], accounts[3], accounts[4]
    system = deploy_system(deployer, LOCAL_SETTINGS, initial_allocation={alice: 300_000, bob: 200_000, carol: 100_000})
    token, gov = system.token, system.governor
    rows: list[tuple[str, int, str]] = []

    def row(name: str, tx, note: str = "") -> None:
        rows.append((name, int(tx.gas_used), note))

    row("token.transfer (reference)", token.transfer(fund, 1 * GRAM, {"from": carol}), "ERC-20 transfer, no delegates")
    row("delegate", delegate_votes(token, alice), "first self-delegation of a holder")
    delegate_votes(token, bob)
    delegate_votes(token, carol)
    chain.sleep(2)
    chain.mine()

    pid, tx = propose_issuance(gov, token, "raise", 50_000_000 * GRAM, alice)
    row("propose (a: raise cap)", tx, "1 action; GovernorStorage keeps it on chain")
    wait_for_voting(chain, gov, pid)
    row(
        "castVote (reaches quorum)",
        cast_vote(gov, pid, "for", alice),
        "first vote; reaching quorum stores the late-quorum deadline",
    )
    row(
        "castVoteWithReason",
        cast_vote(gov, pid, "against", bob, reason="Too much, too soon: half of it."),
        "quorum already reached; 31-byte reason",
    )
    row("castVote", cast_vote(gov, pid, "abstain", carol), "quorum already reached")
    wait_for_deadline(chain, gov, pid)
    row("queue", queue_proposal(gov, pid, carol), "schedules the batch in the timelock")
    wait_for_eta(chain, gov, pid)
    row("execute (a: raise cap)", execute_proposal(gov, pid, carol), "timelock -> token.raiseCap")

    pid, tx = propose_issuance(gov, token, "grant", 1_000_000 * GRAM, bob, recipient=fund)
    row("propose (b: grant)", tx, "1 action")
    wait_for_voting(chain, gov, pid)
    wait_until(chain, gov.proposalDeadline(pid) - 20)
    row("castVote (late quorum)", cast_vote(gov, pid, "for", alice), "reaches quorum late: extends the deadline")
    wait_for_deadline(chain, gov, pid)
    queue_proposal(gov, pid, carol)
    wait_for_eta(chain, gov, pid)
    row("execute (b: grant)", execute_proposal(gov, pid, carol), "timelock -> token.grant (raise + mint)")
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

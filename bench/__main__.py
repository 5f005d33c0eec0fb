"""`make bench` = `.venv/bin/python -m bench`: every benchmark in one process, one chain, each figure side by side
with its baseline measured in the same run. Prints markdown tables, writes bench/results/*.json and
bench/results/latest.md.

    .venv/bin/python -m bench [--only gas,governance,oracle,scaling] [--quick] [--network ganache-cli]
                              [--port 8801] [--store-max 1000000] [--no-postgres] [--chains ganache-cli,anvil]

Sections:
  gas         BlackGold.mint; PurchaseMining.mintBatch 1/10/50/100/200 (new, returning) vs naive vs floor
  governance  delegate, propose, castVote, castVoteWithReason, queue, execute
  oracle      POST /purchases accepted/s, p50/p99; end-to-end minted/s batched vs batch_size=1
  scaling     minted/s and gas/purchase per batch size; POST latency as the store grows (SQLite, PostgreSQL)
  pipeline    the chain's raw capacity vs the oracle end to end, latency at half capacity, batchers on PostgreSQL,
              gas vs floor; on a fresh node of each chain of --chains (default ganache-cli,anvil)

Brownie launches the network's Ganache (and stops it at the end); oracle servers, PostgreSQL and their temporary
files are started on ports 8800-8899 and removed when the run ends (also on Ctrl-C).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
SECTIONS = ("gas", "gasmodel", "governance", "dividends", "oracle", "scaling", "pipeline")
TARGETS = """Targets (issue 6; measured, not asserted):
- batched gas per purchase (batch 100, returning) >= 5x lower than naive and within 1.5x of the floor
- end-to-end minted/s >= 20x the one-transaction-per-purchase baseline
- POST /purchases >= 1,000 signed purchases/s on 2 cores with p99 < 50 ms

Targets (issues 10 and 12):
- every balance change through `_update`: mintBatch gas per purchase within +2% of the token before (the gas section's
  before/after table; BlackGold there carries the dividends extension with no payout asset registered)
- one payout asset: a mining batch's gas per purchase at most +15%, a transfer at most +30% (the dividends section
  marks each met or not)

Targets (issue 14; the pipeline section marks each met or not, per chain):
- oracle end to end >= 80% of the chain's raw capacity on Ganache; on anvil >= 80% of the lower of the raw capacity
  and the accept path's rate in the same run
- accept->minted p50 <= 3 s at half the end-to-end rate on anvil
- gas per purchase at batch 100, returning, <= 1.3x the storage floor
- `make bench` under 15 minutes"""


def machine() -> dict[str, Any]:
    def cmd(*args: str) -> str:
        try:
            return subprocess.run(args, capture_output=True, text=True, timeout=30, cwd=ROOT).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return "?"

    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "?"
    try:
        kb = int(
            next(
                line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")
            ).split()[1]
        )
        mem = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration, ValueError):
        pass
    import sqlite3

    ganache = ROOT / "node_modules" / ".bin" / "ganache"
    return {
        "cpus": os.cpu_count(),
        "cpu_model": cpu,
        "memory": mem,
        "os": f"{platform.system()} {platform.release()} {platform.machine()}",
        "python": platform.python_version(),
        "node": cmd("node", "--version"),
        "ganache": cmd(str(ganache), "--version").splitlines()[0] if ganache.exists() else "?",
        "sqlite": sqlite3.sqlite_version,
        "anvil": cmd("anvil", "--version").splitlines()[0] if shutil.which("anvil") else "not installed",
        "load_average_at_start": os.getloadavg(),
    }


def _write(name: str, data: Any) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(data, indent=2, default=str) + "\n")


@dataclass
class Run:
    """One bench run: its options, the machine info, the tables so far and what sections share."""

    args: argparse.Namespace
    info: dict[str, Any]
    workdir: Path
    tables: list[str] = field(default_factory=list)
    section_texts: list[str] = field(default_factory=list)
    oracle: dict[str, Any] | None = None

    def emit(self, text: str) -> None:
        self.tables.append(text)
        self.section_texts.append(text)
        print("\n" + text + "\n", flush=True)


def section_gas(run: Run) -> None:
    from bench import chain as bench_chain
    from bench import gas_mining, gas_token

    print("== gas: BlackGold.mint, PurchaseMining.mintBatch vs naive vs floor (about a minute)", flush=True)
    with bench_chain.quiet():
        token_figures = gas_token.measure()
        t0 = time.time()
        mining = gas_mining.measure()
        mining["seconds"] = round(time.time() - t0, 1)
    _write("gas_token", {"taken": run.info["taken"], "results": token_figures})
    _write("gas_mining", mining)
    run.emit(gas_token.table(token_figures))
    run.emit(gas_mining.render(mining))


def section_gasmodel(run: Run) -> None:
    from bench import chain as bench_chain
    from bench import gas_model

    print("== gas model: the oracle's batch gas limits against measured receipts (about two minutes)", flush=True)
    with bench_chain.quiet():
        results = gas_model.measure()
    _write("gas_model", {"taken": run.info["taken"], **results})
    run.emit(gas_model.render(results))


def section_governance(run: Run) -> None:
    from bench import chain as bench_chain
    from bench import gas_governance

    print("== governance gas (delegate, propose, vote, queue, execute)", flush=True)
    with bench_chain.quiet():
        rows = gas_governance.measure()
    _write(
        "gas_governance",
        {
            "bench": "gas_governance",
            "taken": run.info["taken"],
            "network": run.args.network,
            "evm_version": "shanghai",
            "optimizer_runs": 200,
            "results": [{"operation": n, "gas": g, "note": note} for n, g, note in rows],
        },
    )
    run.emit(
        "\n".join(
            [
                "### Governance gas (IssuanceGovernor + TimelockController)",
                "",
                "| operation | gas | note |",
                "|---|---:|---|",
            ]
            + [f"| {n} | {g:,} | {note} |" for n, g, note in rows]
        )
    )


def section_dividends(run: Run) -> None:
    from bench import chain as bench_chain
    from bench import gas_dividends

    print("== dividends gas (BlackGold with 0/1/2 payout assets vs the token before dividends)", flush=True)
    with bench_chain.quiet():
        results = gas_dividends.measure()
    _write("gas_dividends", {"taken": run.info["taken"], **results})
    run.emit(gas_dividends.render(results))


def section_oracle(run: Run) -> None:
    from bench import oracle_throughput

    print("== oracle throughput on Ganache (API, end to end batched vs batch_size=1)", flush=True)
    res = oracle_throughput.measure(quick=run.args.quick, workdir=run.workdir, batched_size=run.args.batch_size)
    dep = res.pop("deployment")
    _write("oracle_throughput", {"taken": run.info["taken"], **res})
    run.emit(oracle_throughput.render(res))
    res["deployment"] = dep
    run.oracle = res


def section_scaling(run: Run) -> None:
    from bench import scaling
    from bench.oracle_throughput import Deployment

    print("== scaling: batch size sweep on Ganache", flush=True)
    known = {r["batch_size"]: r for r in (run.oracle or {}).get("end_to_end", [])}
    dep = (run.oracle or {}).get("deployment") or Deployment(run.workdir)
    sweep = scaling.batch_sweep(dep, run.workdir, (1, 10, 50, 100, 200), run.args.quick, known)
    run.emit(scaling.render_sweep(sweep))
    print(f"== scaling: POST /purchases as the store grows to {run.args.store_max:,}", flush=True)
    growth = scaling.measure_store(run.args.quick, run.args.store_max, run.workdir, postgres=not run.args.no_postgres)
    _write("scaling", {"taken": run.info["taken"], "batch_sweep": sweep, "store_growth": growth})
    run.emit(scaling.render_store(growth))


def section_pipeline(run: Run) -> None:
    """Each chain in turn on a fresh node of its own (Brownie stops the previous chain and launches the next on the
    same port), so every chain starts empty and "purchases mined before" counts only this section's. It is the
    last section: nothing after it expects the run's network."""
    from bench import chain as bench_chain
    from bench import pipeline

    results: dict[str, Any] = {"taken": run.info["taken"], "chains": []}
    for net in run.args.chains:
        print(f"== pipeline on a fresh {net}: raw capacity, oracle end to end, latency, batchers, gas", flush=True)
        bench_chain.disconnect()
        bench_chain.connect(net, run.args.port)
        with_scaling = net in run.args.scaling_chains
        res = pipeline.measure(net, run.workdir, quick=run.args.quick, with_scaling=with_scaling)
        results["chains"].append(res)
        run.emit(pipeline.render(res))
    _write("pipeline", results)


RUNNERS = {
    "gas": section_gas,
    "gasmodel": section_gasmodel,
    "governance": section_governance,
    "dividends": section_dividends,
    "oracle": section_oracle,
    "scaling": section_scaling,
    "pipeline": section_pipeline,
}


def _write_section(name: str, texts: list[str]) -> None:
    """Each section's tables, with the machine line of the run that took them, in results/sections/<name>.md."""
    folder = RESULTS / "sections"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.md").write_text("\n\n".join(texts) + "\n")


def _latest() -> str:
    """latest.md: the newest tables of every section (a run with --only refreshes its sections, keeps the rest)."""
    parts = [
        "# Benchmark results\n\nEach section says when and on what machine it was taken (`make bench` takes all "
        "of them in one run; `python -m bench --only ...` refreshes some)."
    ]
    for name in SECTIONS:
        path = RESULTS / "sections" / f"{name}.md"
        if path.exists():
            parts.append(f"## {name}\n\n" + path.read_text().strip())
    parts.append(TARGETS)
    return "\n\n".join(parts) + "\n"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(SECTIONS), help="comma-separated: " + ", ".join(SECTIONS))
    parser.add_argument("--quick", action="store_true", help="smaller sizes (a few minutes in all)")
    parser.add_argument("--network", default="ganache-cli", help="Brownie network id (default ganache-cli)")
    parser.add_argument("--port", type=int, help="run the network's Ganache on this port instead (e.g. 8801)")
    parser.add_argument(
        "--store-max",
        type=int,
        default=1_000_000,
        help="largest store size for the growth table (default 1,000,000; 100000 saves minutes)",
    )
    parser.add_argument("--no-postgres", action="store_true", help="store growth on SQLite only")
    parser.add_argument("--batch-size", type=int, default=100, help="the oracle's batch size in the oracle section")
    parser.add_argument(
        "--chains", default="ganache-cli,anvil", help="Brownie networks the pipeline section runs on, in turn"
    )
    parser.add_argument(
        "--scaling-chains", default="anvil", help="chains where the pipeline section runs 1/2/4 batchers on PostgreSQL"
    )
    args = parser.parse_args(argv)
    args.sections = [s.strip() for s in args.only.split(",") if s.strip()]
    args.chains = [c.strip() for c in args.chains.split(",") if c.strip()]
    args.scaling_chains = {c.strip() for c in args.scaling_chains.split(",") if c.strip()}
    unknown = set(args.sections) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown section(s): {', '.join(sorted(unknown))}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.time()
    info = machine()
    info.update(
        taken=time.strftime("%Y-%m-%d %H:%M:%S %z"),
        command="python -m bench " + " ".join(argv or sys.argv[1:]),
        network=args.network,
        quick=args.quick,
    )
    run = Run(args, info, Path(tempfile.mkdtemp(prefix="bench-")))
    run.tables.append(
        f"Taken {info['taken']} on {info['cpus']} x {info['cpu_model']}, {info['memory']}, {info['os']}; "
        f"Python {info['python']}, Node {info['node']}, {info['ganache']}, SQLite {info['sqlite']}; "
        f"anvil: {info['anvil']}. Load average at start: {', '.join(f'{x:.2f}' for x in info['load_average_at_start'])}."
    )
    print(run.tables[0], flush=True)
    from bench import chain as bench_chain

    try:
        if any(s in args.sections for s in SECTIONS if s != "pipeline"):  # pipeline connects to its own chains
            print(f"== connecting to {args.network}" + (f" on port {args.port}" if args.port else ""), flush=True)
            bench_chain.connect(args.network, args.port)
            from brownie import web3

            info["client_version"] = web3.client_version
        for name in SECTIONS:
            if name in args.sections:
                run.section_texts = [run.tables[0]]
                RUNNERS[name](run)
                _write_section(name, run.section_texts)
    finally:
        bench_chain.disconnect()
        shutil.rmtree(run.workdir, ignore_errors=True)

    info["seconds"] = round(time.time() - started, 1)
    info["load_average_at_end"] = os.getloadavg()
    _write("machine", info)
    (RESULTS / "latest.md").write_text(_latest())
    print(TARGETS)
    print(f"\nwritten bench/results/*.json and bench/results/latest.md in {info['seconds']:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

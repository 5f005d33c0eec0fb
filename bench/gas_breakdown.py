"""Where the gas of a 100-purchase `PurchaseMining.mintBatch` of returning consumers goes, from an opcode trace.

    .venv/bin/python -m bench.gas_breakdown [--network ganache-cli] [--batch 100]

Why: the 1.3x-of-floor target (issue 14) needs to know which parts of the ~58k gas per purchase are the floor
(SSTOREs and LOGs the rule requires) and which are overhead that code could remove. Guessing from the source misled
before, so this traces the real transaction: bench/gas_mining.py's set-up, then one batch of new consumers and the
same consumers returning (the measured one), `debug_traceTransaction` without stack, memory and storage (Ganache
and anvil both accept those options), and every step's gas is attributed to its contract (call depth) and to the
function and source line its program counter maps to (Brownie's pcMap). A CALL's own cost is what the caller paid
beyond what the callee used; the intrinsic 21,000 and the calldata are what the receipt charged beyond the trace.
Prints a markdown table per purchase (by opcode class, and by region) and writes nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.gas_mining import AMOUNT, SUPPLIERS, _address, _new_second, _ref, _setup  # noqa: E402

OP_CLASSES = {
    "SSTORE": "SSTORE",
    "SLOAD": "SLOAD",
    "LOG1": "LOG",
    "LOG2": "LOG",
    "LOG3": "LOG",
    "LOG4": "LOG",
    "CALL": "CALL",
    "STATICCALL": "CALL",
    "KECCAK256": "KECCAK256",
    "SHA3": "KECCAK256",
    "CALLDATALOAD": "calldata read",
    "CALLDATACOPY": "calldata read",
    "MLOAD": "memory",
    "MSTORE": "memory",
    "MSTORE8": "memory",
}


def step_costs(logs: list[dict[str, Any]]) -> list[int]:
    """Own gas of every step: the gas drop to the next step at the same depth, minus what a call's callee used."""
    n = len(logs)
    costs = [0] * n
    # index of the next step at the same depth (or -1 when the frame ends)
    stack: list[int] = []
    nxt = [-1] * n
    for i in range(n):
        d = logs[i]["depth"]
        while stack and logs[stack[-1]]["depth"] > d:
            stack.pop()
        if stack and logs[stack[-1]]["depth"] == d:
            nxt[stack.pop()] = i
        stack.append(i)
    child_used = [0] * n
    for i in range(n):
        j = nxt[i]
        if j == -1 or logs[j]["depth"] != logs[i]["depth"]:
            costs[i] = _last_cost(logs[i]) if j == -1 else int(logs[i]["gas"]) - int(logs[j]["gas"])
        else:
            costs[i] = int(logs[i]["gas"]) - int(logs[j]["gas"])
        if i + 1 < n and logs[i + 1]["depth"] > logs[i]["depth"] and j != -1:
            # a call: the callee's steps are counted on their own
            child_used[i] = _frame_used(logs, i + 1, j)
            costs[i] -= child_used[i]
    return costs


def _frame_used(logs: list[dict[str, Any]], start: int, end: int) -> int:
    """Gas a callee frame used: its first step's gas minus what was left after its last step."""
    last = end - 1
    return int(logs[start]["gas"]) - (int(logs[last]["gas"]) - _last_cost(logs[last]))


def _last_cost(step: dict[str, Any]) -> int:
    """A frame's last step (RETURN/STOP/REVERT): Ganache reports minus the gas handed back; count it as 0."""
    return max(int(step["gasCost"]), 0)


def _source_line(build: dict[str, Any], entry: dict[str, Any], cache: dict[str, list[int]]) -> str:
    path_id = entry.get("path")
    if path_id is None or "offset" not in entry:
        return "?"
    path = build["allSourcePaths"][path_id]
    if path not in cache:
        text = (ROOT / path).read_text() if (ROOT / path).exists() else (ROOT / "node_modules" / path).read_text()
        starts = [0]
        for k, ch in enumerate(text):
            if ch == "\n":
                starts.append(k + 1)
        cache[path] = starts
    starts = cache[path]
    off = entry["offset"][0]
    line = max(k for k, s in enumerate(starts) if s <= off) + 1
    return f"{Path(path).name}:{line}"


def attribute(logs: list[dict[str, Any]], builds: dict[int, dict[str, Any]]) -> dict[str, Counter[str]]:
    """Gas per (op class), per (contract, function), per (contract, source line)."""
    costs = step_costs(logs)
    by_op: Counter[str] = Counter()
    by_fn: Counter[str] = Counter()
    by_line: Counter[str] = Counter()
    line_cache: dict[str, list[int]] = {}
    line_memo: dict[tuple[int, int], str] = {}
    for step, cost in zip(logs, costs, strict=True):
        depth = int(step["depth"])
        build = builds.get(depth)
        op = step["op"]
        by_op[f"{depth}:{OP_CLASSES.get(op, 'other')}"] += cost
        if build is None:
            continue
        entry = build["pcMap"].get(str(step["pc"]), {})
        by_fn[f"{build['contractName']}:{entry.get('fn') or '?'}"] += cost
        key = (depth, int(step["pc"]))
        if key not in line_memo:
            line_memo[key] = _source_line(build, entry, line_cache)
        by_line[f"{build['contractName']}:{line_memo[key]}"] += cost
    return {"op": by_op, "fn": by_fn, "line": by_line}


def _build(name: str) -> dict[str, Any]:
    """The compiled artefact with its pcMap (a deployed contract's `_build` may lack it)."""
    build: dict[str, Any] = json.loads((ROOT / "build" / "contracts" / f"{name}.json").read_text())
    return build


def trace(web3: Any, txid: str) -> list[dict[str, Any]]:
    opts = {"disableStack": True, "disableMemory": True, "disableStorage": True}
    answer = web3.provider.make_request("debug_traceTransaction", [txid, opts])
    if "error" in answer:
        raise RuntimeError(answer["error"])
    logs: list[dict[str, Any]] = answer["result"]["structLogs"]
    for step in logs:  # Ganache answers hex strings, anvil integers
        for field in ("gas", "gasCost", "pc", "depth"):
            value = step[field]
            step[field] = int(value, 0) if isinstance(value, str) else int(value)
    return logs


def run_batch(n: int) -> tuple[Any, Any, Any]:
    """bench/gas_mining.py's set-up, a batch of n new consumers, then the same consumers returning: that tx."""
    from brownie import accounts, web3

    from scripts.deploy import contract_container

    token, mining, suppliers = _setup(contract_container("BlackGold"), accounts, web3)
    consumers = [_address(web3, f"c-{n}-{i}") for i in range(n)]
    referrers = [_address(web3, f"r-{n}-{i}") for i in range(n)]
    txs = {}
    for kind in ("new", "returning"):
        batch = [
            (_ref(web3, f"{kind}-{n}-{i}"), consumers[i], referrers[i], suppliers[i % SUPPLIERS], AMOUNT, 0)
            for i in range(n)
        ]
        _new_second()
        txs[kind] = mining.mintBatch(batch, {"from": accounts[2]})
    return token, mining, txs


def report(n: int, tx: Any, parts: dict[str, Counter[str]], top: int) -> str:
    traced = sum(parts["op"].values())
    out = [
        f"gas used {tx.gas_used:,} = {tx.gas_used / n:,.0f} per purchase; traced {traced:,}; "
        f"intrinsic + calldata {tx.gas_used - traced:,} ({(tx.gas_used - traced) / n:,.0f} per purchase)",
        "",
    ]
    for name in ("op", "fn", "line"):
        out += [f"| {name} | gas | per purchase |", "|---|---:|---:|"]
        for key, gas in parts[name].most_common(top):
            out.append(f"| {key} | {gas:,} | {gas / n:,.1f} |")
        out.append("")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--network", default="ganache-cli")
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--top", type=int, default=60)
    parser.add_argument("--json", help="also write every counter (op, fn, line; both batches) to this file")
    args = parser.parse_args(argv)
    from brownie import network, project, web3

    proj = project.load(str(ROOT), name="BlackGoldBreakdown")
    proj.load_config()
    network.connect(args.network)
    try:
        import brownie

        brownie.network.main.CONFIG.argv["silent"] = True
        token, mining, txs = run_batch(args.batch)
        builds = {d: _build(name) for d, name in ((1, "PurchaseMining"), (2, "BlackGold"))}
        dump: dict[str, Any] = {}
        for kind in ("returning", "new"):
            parts = attribute(trace(web3, txs[kind].txid), builds)
            print(f"## batch {args.batch} {kind}\n")
            print(report(args.batch, txs[kind], parts, args.top))
            dump[kind] = {"gas_used": txs[kind].gas_used, **{k: dict(v) for k, v in parts.items()}}
        if args.json:
            Path(args.json).write_text(json.dumps(dump, indent=1))
    finally:
        network.disconnect()


if __name__ == "__main__":
    main()

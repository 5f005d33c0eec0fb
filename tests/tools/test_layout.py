"""Contract folder layout: contracts/interfaces, contracts/libraries, contracts/test (test/bench only).

Nothing under contracts/test/ may be deployed by the deploy scripts: every contract the scripts in scripts/ name
(through `contract_container("Name")` or a `Name.deploy(...)` call) must be defined outside contracts/test/.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONTRACTS = ROOT / "contracts"
DEFINITION = re.compile(r"^\s*(?:abstract\s+)?(?:contract|interface|library)\s+(\w+)", re.MULTILINE)
CONTAINER = re.compile(r"""contract_container\(\s*["'](\w+)["']\s*\)|\b([A-Z]\w+)\.deploy\(""")


def defined_in() -> dict[str, Path]:
    out: dict[str, Path] = {}
    for path in CONTRACTS.rglob("*.sol"):
        for name in DEFINITION.findall(path.read_text()):
            out[name] = path.relative_to(ROOT)
    return out


def test_folders():
    folders = {p.name for p in CONTRACTS.iterdir() if p.is_dir()}
    # extensions/: token extensions (ERC20Dividends); dev/: contracts the deploy script deploys on local chains only
    # (Test USD); test/: test and bench contracts, never deployed by a script.
    assert folders == {"interfaces", "libraries", "extensions", "dev", "test"}, folders


def test_deploy_scripts_never_deploy_test_contracts():
    where = defined_in()
    named: set[str] = set()
    for script in (ROOT / "scripts").glob("*.py"):
        for a, b in CONTAINER.findall(script.read_text()):
            named.add(a or b)
    assert {"BlackGold", "PurchaseMining", "IssuanceGovernor"} <= named, named  # the parser still sees them
    test_only = {n: where[n] for n in named if n in where and where[n].parts[:2] == ("contracts", "test")}
    assert not test_only, f"scripts/ deploy test-only contracts: {test_only}"

r"""Static analysis: slither over every contract in contracts/ (recursively), failing on any finding that
contracts/SLITHER_TRIAGE.md does not accept.

Run: `make lint` (or `.venv/bin/python tools/lint.py [-v]`, from any directory). Exit status 0 = no untriaged finding.

How it compiles (no internet: solc-select cannot download a compiler): all sources go into ONE solc
standard-JSON compilation, compiled by the project's own compiler launcher `.solcx/solc-v<version>`
(tools/solc-launcher.js over the npm `solc` package, installed by `make setup`), with the same remapping,
EVM version and optimizer as brownie-config.yaml. The launcher only speaks `--standard-json`, which is exactly
what crytic-compile's SolcStandardJson platform uses. (`slither . --compile-force-framework brownie` does not
work here: crytic-compile cannot resolve the remapped @openzeppelin paths in Brownie's build artifacts.)
Every path is computed from this file's location, so it works from any clone and any working directory.

Triage file format: a markdown table whose rows start with `| \`check\` | \`Location\` |` — the slither
detector name and the finding's location (`Contract`, `Contract.function`, `Contract.function.variable`,
`Contract.stateVariable` or `Contract.Event`); `*` wildcards are allowed in the location. Findings in
node_modules (OpenZeppelin) are not reported.
"""

from __future__ import annotations

import argparse
import fnmatch
import inspect
import re
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]  # this file is <root>/tools/lint.py
CONTRACTS = ROOT / "contracts"
TRIAGE = CONTRACTS / "SLITHER_TRIAGE.md"
ROW = re.compile(r"^\|\s*`([^`]+)`\s*\|\s*`([^`]+)`\s*\|")


def compiler_settings() -> dict[str, Any]:
    """Compiler version, EVM version, optimizer and remappings from brownie-config.yaml."""
    config = yaml.safe_load((ROOT / "brownie-config.yaml").read_text())
    compiler = config.get("compiler", {})
    solc = compiler.get("solc", {})
    return {
        "version": str(solc.get("version")),
        "evm_version": compiler.get("evm_version", "shanghai"),
        "optimizer": solc.get("optimizer", {"enabled": True, "runs": 200}),
        "remappings": list(solc.get("remappings", [])),
    }


def solc_binary(version: str) -> Path:
    folder = Path(__import__("os").environ.get("SOLCX_BINARY_PATH", ROOT / ".solcx"))
    path = folder / f"solc-v{version}"
    if not path.exists():
        path = ROOT / ".solcx" / f"solc-v{version}"
    if not path.exists():
        raise SystemExit(f"lint: no compiler at {path}: run `make setup` first")
    return path


def read_triage() -> list[tuple[str, str]]:
    if not TRIAGE.exists():
        return []
    return [
        (m.group(1).strip(), m.group(2).strip()) for line in TRIAGE.read_text().splitlines() if (m := ROW.match(line))
    ]


def locate(element: dict[str, Any]) -> str:
    """Dotted location of a slither result element: Contract[.function][.name]."""
    names: list[str] = []
    node: dict[str, Any] | None = element
    while node:
        kind = node.get("type")
        name = node.get("name", "")
        if kind == "function" and "(" in name:
            name = name.split("(")[0]
        if kind not in ("node", "pragma") and name:
            names.append(name)
        node = node.get("type_specific_fields", {}).get("parent")
    return ".".join(reversed(names))


def run_slither(verbose: bool) -> list[dict[str, Any]]:
    """Compile everything in contracts/ as one unit and run every slither detector; returns findings."""
    from crytic_compile import CryticCompile
    from crytic_compile.platform.solc_standard_json import SolcStandardJson
    from slither import Slither
    from slither.detectors import all_detectors
    from slither.detectors.abstract_detector import AbstractDetector

    settings = compiler_settings()
    sources = sorted(p.relative_to(ROOT).as_posix() for p in CONTRACTS.rglob("*.sol"))
    standard = SolcStandardJson()
    for source in sources:
        standard.add_source_file(source)
    for remap in settings["remappings"]:
        standard.add_remapping(remap)
    standard._json["settings"]["evmVersion"] = settings["evm_version"]  # no public setter in crytic-compile 0.4
    standard._json["settings"]["optimizer"] = settings["optimizer"]
    compilation = CryticCompile(
        standard,
        solc=str(solc_binary(settings["version"])),
        solc_working_dir=str(ROOT),
        solc_disable_warnings=not verbose,
    )
    slither = Slither(compilation, filter_paths=["node_modules"], exclude_dependencies=True)
    for _, detector in inspect.getmembers(all_detectors, inspect.isclass):
        if issubclass(detector, AbstractDetector):
            slither.register_detector(detector)
    findings = []
    for group in slither.run_detectors():
        for result in group:
            element = result["elements"][0] if result["elements"] else {}
            findings.append(
                {
                    "check": result["check"],
                    "impact": result["impact"],
                    "confidence": result["confidence"],
                    "location": locate(element) if element else "?",
                    "file": element.get("source_mapping", {}).get("filename_relative", "?"),
                    "description": result["description"].strip(),
                }
            )
    print(f"lint: slither analysed {len(sources)} files in contracts/ ({', '.join(sources)})")
    return findings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="slither over contracts/, against contracts/SLITHER_TRIAGE.md")
    parser.add_argument("-v", "--verbose", action="store_true", help="show compiler warnings and accepted findings")
    args = parser.parse_args(argv)
    triage = read_triage()
    findings = run_slither(args.verbose)
    used: set[tuple[str, str]] = set()
    accepted, open_ = [], []
    for f in findings:
        match = next((t for t in triage if t[0] == f["check"] and fnmatch.fnmatchcase(f["location"], t[1])), None)
        if match:
            used.add(match)
            accepted.append(f)
        else:
            open_.append(f)
    if args.verbose:
        for f in accepted:
            print(f"  accepted  {f['check']:<28} {f['location']}")
    for f in open_:
        print(f"\nUNTRIAGED  [{f['impact']}/{f['confidence']}] {f['check']}  {f['location']}  ({f['file']})")
        print("  " + f["description"].replace("\n", "\n  "))
    stale = [t for t in triage if t not in used]
    for check, location in stale:
        print(f"  note: triage entry `{check}` `{location}` matched no finding (fixed? remove it)")
    print(
        f"\nlint: {len(findings)} findings: {len(accepted)} accepted in {TRIAGE.relative_to(ROOT)}, "
        f"{len(open_)} untriaged, {len(stale)} stale triage entries"
    )
    if open_:
        print("lint: FAILED: fix each untriaged finding or justify it in the triage file")
        return 1
    print("lint: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())

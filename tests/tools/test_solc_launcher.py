"""The compiler launcher (tools/solc-launcher.js) that py-solc-x and Brownie call as `solc-v<version>`."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import solcx

ROOT = Path(__file__).resolve().parents[2]
LAUNCHER = ROOT / "tools" / "solc-launcher.js"
VERSION = "0.8.37"


def run_launcher(*args: str, stdin: str = "", cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["node", str(LAUNCHER), *args], input=stdin, capture_output=True, text=True, cwd=cwd, timeout=120
    )


def standard_input(sources: dict[str, str], outputs: list[str]) -> str:
    return json.dumps(
        {
            "language": "Solidity",
            "sources": {name: {"content": text} for name, text in sources.items()},
            "settings": {"evmVersion": "shanghai", "outputSelection": {"*": {"*": outputs}}},
        }
    )


def test_version_answer_matches_py_solc_x_expectations():
    result = run_launcher("--version")
    assert result.returncode == 0
    assert f"Version: {VERSION}+commit." in result.stdout


def test_py_solc_x_sees_the_installed_launcher():
    assert solcx.get_installed_solc_versions(), "make setup installs .solcx/solc-v<version>"
    assert str(solcx.get_installed_solc_versions()[0]) == VERSION


def test_compile_resolves_imports_from_disk(tmp_path):
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "Base.sol").write_text(
        "// SPDX-License-Identifier: MIT\npragma solidity ^0.8.0;\ncontract Base { function one() external pure returns (uint256) { return 1; } }\n"
    )
    main = (
        '// SPDX-License-Identifier: MIT\npragma solidity ^0.8.0;\nimport "lib/Base.sol";\ncontract Main is Base {}\n'
    )
    result = run_launcher(
        "--standard-json", "--base-path", str(tmp_path), stdin=standard_input({"Main.sol": main}, ["abi"])
    )
    output = json.loads(result.stdout)
    assert not [e for e in output.get("errors", []) if e["severity"] == "error"], output.get("errors")
    assert output["contracts"]["Main.sol"]["Main"]["abi"][0]["name"] == "one"


def test_missing_import_is_reported_not_crashed(tmp_path):
    main = '// SPDX-License-Identifier: MIT\npragma solidity ^0.8.0;\nimport "nowhere/Missing.sol";\ncontract Main {}\n'
    result = run_launcher("--standard-json", stdin=standard_input({"Main.sol": main}, ["abi"]), cwd=tmp_path)
    output = json.loads(result.stdout)
    assert any("Missing.sol" in e["message"] for e in output["errors"])


def test_output_larger_than_64_kib_arrives_intact():
    # Many contracts with assembly and bytecode output: well past the 64 KiB pipe limit.
    body = "\n".join(
        f"contract C{i} {{ function f{i}(uint256 x) external pure returns (uint256) {{ return x * {i} + {i}; }} }}"
        for i in range(60)
    )
    source = "// SPDX-License-Identifier: MIT\npragma solidity ^0.8.0;\n" + body
    result = run_launcher(
        "--standard-json", stdin=standard_input({"Big.sol": source}, ["abi", "evm.bytecode.object", "evm.assembly"])
    )
    assert len(result.stdout.encode()) > 64 * 1024
    output = json.loads(result.stdout)  # truncated output would not parse
    assert len(output["contracts"]["Big.sol"]) == 60


def test_unknown_mode_fails_with_a_message():
    result = run_launcher("--bin", "x.sol")
    assert result.returncode == 1
    assert "only --version and --standard-json" in result.stderr

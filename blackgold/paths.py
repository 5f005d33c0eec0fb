"""Where the project's files are: the one definition of the project root.

The package is installed editable (`make setup` runs `pip install -e .`), so the project root is the folder
above this package. Tools that run outside a checkout pass explicit paths (`--deployment FILE`) instead.
"""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BUILD_DIR = PROJECT_ROOT / "build"
DEPLOYMENTS_DIR = PROJECT_ROOT / "deployments"

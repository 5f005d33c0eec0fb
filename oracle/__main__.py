"""`python -m oracle ...`: see oracle.cli."""

import sys

from .cli import main

sys.exit(main())

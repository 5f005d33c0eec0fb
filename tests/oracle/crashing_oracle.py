"""Test-only launcher: `python -m tests.oracle.crashing_oracle serve ...` is `python -m oracle serve ...` whose
batcher kills its own process with SIGKILL when a batch reaches the stage named by $BLACKGOLD_TEST_CRASH_AT
(one of oracle.batcher.STAGES). Only this file reads that variable: the production oracle has no crash setting.
"""

from __future__ import annotations

import logging
import os
import signal
import sys

from oracle.batcher import STAGES, Batcher, Stage
from oracle.cli import main

CRASH_ENV = "BLACKGOLD_TEST_CRASH_AT"


def install(stage: str) -> None:
    if stage not in STAGES:
        raise SystemExit(f"{CRASH_ENV} must be one of {', '.join(STAGES)}, not {stage!r}")

    def checkpoint(self: Batcher, reached: Stage) -> None:
        if reached == stage:
            logging.getLogger("oracle.batcher").error("%s=%s: killing the process (test launcher)", CRASH_ENV, stage)
            os.kill(os.getpid(), signal.SIGKILL)

    Batcher.checkpoint = checkpoint  # type: ignore[method-assign]


if __name__ == "__main__":
    install(os.environ.get(CRASH_ENV, ""))
    sys.exit(main())

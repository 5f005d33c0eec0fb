"""The holders' web app: a static front end (ethers 6 from npm, no build step) served by a small FastAPI app.

`create_app(deployment_path, rpc_url)` serves the page and three endpoints:

- `GET /api/deployment`: chain id, addresses and ABIs, read from the deployment file through
  `Deployment.load` (re-read when the file changes, so a redeploy needs no restart);
- `GET /api/config`: the RPC URL a wallet should add for this chain, and the read-only RPC the page uses;
- `POST /api/rpc`: a read-only JSON-RPC proxy to the node (calls, logs, blocks, receipts; never a method that
  signs, sends or moves a dev chain's clock), so browsing works without a wallet and without CORS on the node.

`blackgold app` (blackgold/cli/app.py) starts it; docs/app.md describes the page.
"""

from __future__ import annotations

from .server import READ_METHODS, create_app

__all__ = ["READ_METHODS", "create_app"]

"""Black Gold: the Python SDK every tool stands on (CLI, oracle, web app, bench, demo).

One job per module:

- `units`       grams and asset amounts: parse and format (thousands separators, exact decimals)
- `paths`       where the project's files are (one definition of the project root)
- `errors`      the one exception family a user can act on, and custom-error decoding of reverts
- `deployment`  the deployment file: one reader/writer, one error type
- `chain`       connecting to any RPC URL with web3.py; the chain clock; dev-chain time travel
- `accounts`    who signs: a private key (env), a keystore file, or a node's unlocked dev account
- `contracts`   typed wrappers over the deployed contracts (token, governor, timelock, mining)
- `governance`  the issuance vote: propose, vote, queue, execute, status, decoding of actions
- `mining`      the purchase-mining rule as the chain states it: quote, parameters, mined events
- `cli`         the `blackgold` command (parses and prints only)

Everything here talks to chains through web3.py only, so it works against any RPC URL; Brownie is used by
the project for compiling, testing and deploying, never at run time.
"""

from __future__ import annotations

__version__ = "0.2.0"

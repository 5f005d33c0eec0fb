"""Black Gold mint oracle: verifies signed purchase receipts from shop backends, stores them durably,
attests them on chain through PurchaseMining in batches and reports their status.

Modules (each does one thing):
    config        settings from a TOML file and ORACLE_* environment variables; the signing key
    receipts      the EIP-712 typed receipt and refund: domain, hashing, signing, recovery
    verification  schema, limits, freshness and signature checks with field-level errors
    store         SQLAlchemy 2 models and the repository (SQLite file by default, PostgreSQL by URL)
    chain         web3.py: PurchaseMining ABI from build artifacts, fees, nonce, send, receipts, events
    batcher       the loop that groups mintable purchases into batch transactions and recovers
    api           FastAPI application (HTTP API, OpenAPI docs at /docs)
    metrics       Prometheus metrics
    cli           `python -m oracle ...`
    client        a small client for shop backends
"""

__version__ = "0.1.0"

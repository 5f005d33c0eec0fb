"""Black Gold mint oracle: verifies signed purchase receipts from shop backends, stores them durably,
attests them on chain through PurchaseMining in batches and reports their status. Operator guide: docs/oracle.md.

Modules (each does one thing):
    config        settings from a TOML file and ORACLE_* environment variables; the deployment file; the key
    receipts      the one definition of the EIP-712 receipt and refund: domain, hashing, signing, recovery
    ecrecover     public-key recovery from libsecp256k1 without releasing the GIL (the accept path's event loop)
    verification  schema, limits, freshness and signature checks with field-level errors
    fields        the verifier's per-field parsers (each error names its field)
    status        the purchase and batch status enums
    models        SQLAlchemy 2 tables and how a purchase is shown
    store         the repository (SQLite file by default, PostgreSQL by URL)
    batch_store   the store's batcher side (queue, write-ahead batches, mints, refusals)
    group_commit  the accept path's single writer (one COMMIT for every row waiting)
    export        CSV export
    chain         web3.py: PurchaseMining's ABI, fees, nonce, send, receipts, events
    estimate      the batch the chain accepts now: reject, halve, set aside, or hold for the daily ceiling
    finality      confirmations per network; the verifier that requeues mints the chain forgot (reorgs)
    lease         one batcher per key: a lease row in the store (hot standbys take over when the holder dies)
    batcher       the loop that groups mintable purchases into batch transactions and recovers
    service       the running oracle and its request handlers (no HTTP)
    health        /health: ok / degraded / failing with reasons
    schemas       request/response models (pydantic), derived from receipts and status
    deps          FastAPI dependencies: the oracle, the size-limited body, the admin token
    guard         in front of every route: the admin token before any body, one body limit
    accept_path   POST /purchases answered inside the guard, past FastAPI's routing (the hot path)
    routes        the HTTP routes
    api           the FastAPI application factory (OpenAPI docs at /docs)
    metrics       Prometheus metrics
    logs          logging set-up: every line passes a filter that masks credentials in URLs
    cli           `python -m oracle ...` / `blackgold-oracle`
    client        a small client for shop backends
    process       run the oracle as a process, and a temporary PostgreSQL server (tests, bench, demo)
"""

__version__ = "0.1.0"

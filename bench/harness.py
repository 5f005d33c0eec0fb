"""What the oracle benches share: pre-signed receipts, a lean concurrent HTTP client and small statistics helpers;
the oracle server process and the temporary PostgreSQL server come from oracle.process (shared with the tests
and the demo), on ports of their own (8800-8899).

The client is a minimal HTTP/1.1 keep-alive client on asyncio streams with the requests pre-encoded: on a
2-core machine the client shares the CPU with the server, so the cheaper the client the more the figure says
about the server (httpx costs about as much CPU per request as the server does). Receipts are signed before
the clock starts (coincurve over the same EIP-712 digest the oracle checks), so signing is excluded.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from oracle.process import OracleProcess, TempPostgres, clean_env

__all__ = [
    "OracleServer",
    "Postgres",
    "addresses",
    "clean_env",
    "percentile",
    "post_all",
    "post_paced",
    "progress",
    "sign_bodies",
]

PORTS = (8800, 8899)


def progress(msg: str) -> None:
    print(f"  .. {msg}", file=sys.stderr, flush=True)


def percentile(values: Sequence[float], q: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    k = min(len(s) - 1, max(0, int(round(q / 100 * (len(s) - 1)))))
    return s[k]


# ---------------------------------------------------------------------- receipts
def sign_bodies(
    domain: Any,
    backend: str,
    private_key: bytes,
    n: int,
    *,
    prefix: str,
    consumers: Sequence[str],
    referrers: Sequence[str],
    suppliers: Sequence[str],
    amount: int = 19_900,
    paid_at: int | None = None,
) -> list[bytes]:
    """`n` JSON bodies of POST /purchases, signed by `private_key` (coincurve, recoverable, over the digest)."""
    import coincurve

    from oracle.receipts import Receipt

    key = coincurve.PrivateKey(private_key)
    paid_at = int(time.time()) - 5 if paid_at is None else paid_at
    bodies = []
    for i in range(n):
        r = Receipt(
            backend=backend,
            order_id=f"{prefix}-{i}",
            consumer=consumers[i % len(consumers)],
            referrer=referrers[i % len(referrers)],
            supplier=suppliers[i % len(suppliers)],
            amount=amount + (i % 97),
            currency="CNY",
            paid_at=paid_at,
            referrer_bps=0,
        )
        sig = key.sign_recoverable(r.digest(domain), hasher=None)
        bodies.append(
            json.dumps({"receipt": r.message(), "signature": "0x" + sig.hex()}, separators=(",", ":")).encode()
        )
    return bodies


def addresses(label: str, n: int) -> list[str]:
    from eth_hash.auto import keccak

    from oracle.receipts import to_checksum

    return [to_checksum("0x" + keccak(f"{label}-{i}".encode())[-20:].hex()) for i in range(n)]


# ---------------------------------------------------------------------- HTTP client
async def _post_all(
    host: str, port: int, bodies: Sequence[bytes], concurrency: int
) -> tuple[list[float], dict[int, int], float]:
    requests = [
        b"POST /purchases HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\nContent-Length: "
        + str(len(b)).encode()
        + b"\r\n\r\n"
        + b
        for b in bodies
    ]
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    it = iter(range(len(requests)))

    async def worker() -> None:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            for i in it:
                t0 = time.perf_counter()
                writer.write(requests[i])
                head = await reader.readuntil(b"\r\n\r\n")
                status = int(head[9:12])
                length = 0
                for line in head.split(b"\r\n"):
                    if line[:15].lower() == b"content-length:":
                        length = int(line[15:])
                if length:
                    await reader.readexactly(length)
                latencies.append(time.perf_counter() - t0)
                statuses[status] = statuses.get(status, 0) + 1
        finally:
            writer.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies, statuses, time.perf_counter() - t0


def post_all(url: str, bodies: Sequence[bytes], concurrency: int = 32) -> dict[str, Any]:
    """POST every body to url's /purchases with `concurrency` keep-alive connections; rate and latencies."""
    hostport = url.split("//", 1)[1]
    host, port = hostport.split(":")
    lat, statuses, elapsed = asyncio.run(_post_all(host, int(port), bodies, concurrency))
    return {
        "requests": len(bodies),
        "concurrency": concurrency,
        "seconds": elapsed,
        "per_second": len(bodies) / elapsed,
        "p50_ms": percentile(lat, 50) * 1000,
        "p90_ms": percentile(lat, 90) * 1000,
        "p99_ms": percentile(lat, 99) * 1000,
        "max_ms": max(lat) * 1000 if lat else float("nan"),
        "statuses": statuses,
    }


# ---------------------------------------------------------------------- the oracle process, PostgreSQL
def OracleServer(env: dict[str, str], workdir: Path, batcher: bool = True) -> OracleProcess:
    """`python -m oracle serve` on a free port in the benches' range (oracle.process.OracleProcess)."""
    args = ["--log-level", "warning"] + ([] if batcher else ["--no-batcher"])
    return OracleProcess(env, workdir, port_range=PORTS, serve_args=args)


def Postgres() -> TempPostgres:
    """A temporary PostgreSQL server with default durability: the figures are for a real set-up."""
    return TempPostgres(port_range=PORTS)


# ---------------------------------------------------------------------- paced (open-loop) posting
async def _post_paced(host: str, port: int, bodies: Sequence[bytes], rate: float, connections: int) -> float:
    """Release request i at t0 + i/rate to whichever of `connections` keep-alive connections is free."""
    queue: asyncio.Queue[bytes | None] = asyncio.Queue()

    async def worker() -> None:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            while (body := await queue.get()) is not None:
                head = b"POST /purchases HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n"
                writer.write(head + b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
                resp = await reader.readuntil(b"\r\n\r\n")
                length = next((int(x[15:]) for x in resp.split(b"\r\n") if x[:15].lower() == b"content-length:"), 0)
                if length:
                    await reader.readexactly(length)
        finally:
            writer.close()

    tasks = [asyncio.create_task(worker()) for _ in range(connections)]
    t0 = time.perf_counter()
    for i, body in enumerate(bodies):
        delay = t0 + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        queue.put_nowait(body)
    for _ in tasks:
        queue.put_nowait(None)
    await asyncio.gather(*tasks)
    return time.perf_counter() - t0


def post_paced(url: str, bodies: Sequence[bytes], rate: float, connections: int = 8) -> float:
    """POST every body at a fixed `rate` per second (open loop: a slow answer does not slow the schedule down while
    a connection is free); the seconds it took. Latency is read from the store (accepted/minted times), not here."""
    host, port = url.split("//", 1)[1].split(":")
    return asyncio.run(_post_paced(host, int(port), bodies, rate, connections))

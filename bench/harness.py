"""What the oracle benches share: ports, the oracle server process, pre-signed receipts, a lean concurrent
HTTP client, a temporary PostgreSQL server, and small statistics helpers.

The client is a minimal HTTP/1.1 keep-alive client on asyncio streams with the requests pre-encoded: on a
2-core machine the client shares the CPU with the server, so the cheaper the client the more the figure says
about the server (httpx costs about as much CPU per request as the server does). Receipts are signed before
the clock starts (coincurve over the same EIP-712 digest the oracle checks), so signing is excluded.
"""
from __future__ import annotations

import asyncio
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Optional, Sequence

ROOT = Path(__file__).resolve().parent.parent
PORTS = (8800, 8899)


def progress(msg: str) -> None:
    print(f"  .. {msg}", file=sys.stderr, flush=True)


def free_port(exclude: Sequence[int] = ()) -> int:
    ports = [p for p in range(PORTS[0], PORTS[1] + 1) if p not in exclude]
    random.shuffle(ports)
    for port in ports:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {PORTS}")


def percentile(values: Sequence[float], q: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    k = min(len(s) - 1, max(0, int(round(q / 100 * (len(s) - 1)))))
    return s[k]


# ---------------------------------------------------------------------- receipts
def sign_bodies(domain: Any, backend: str, private_key: bytes, n: int, *, prefix: str, consumers: Sequence[str],
                referrers: Sequence[str], suppliers: Sequence[str], amount: int = 19_900,
                paid_at: Optional[int] = None) -> list[bytes]:
    """`n` JSON bodies of POST /purchases, signed by `private_key` (coincurve, recoverable, over the digest)."""
    import coincurve

    from oracle.receipts import Receipt

    key = coincurve.PrivateKey(private_key)
    paid_at = int(time.time()) - 5 if paid_at is None else paid_at
    bodies = []
    for i in range(n):
        r = Receipt(backend=backend, order_id=f"{prefix}-{i}", consumer=consumers[i % len(consumers)],
                    referrer=referrers[i % len(referrers)], supplier=suppliers[i % len(suppliers)],
                    amount=amount + (i % 97), currency="CNY", paid_at=paid_at, referrer_bps=0)
        sig = key.sign_recoverable(r.digest(domain), hasher=None)
        bodies.append(json.dumps({"receipt": r.message(), "signature": "0x" + sig.hex()},
                                 separators=(",", ":")).encode())
    return bodies


def addresses(label: str, n: int) -> list[str]:
    from eth_hash.auto import keccak

    from oracle.verification import _checksum

    return [_checksum("0x" + keccak(f"{label}-{i}".encode())[-20:].hex()) for i in range(n)]


# ---------------------------------------------------------------------- HTTP client
async def _post_all(host: str, port: int, bodies: Sequence[bytes], concurrency: int) -> tuple[list[float], dict[int, int], float]:
    requests = [b"POST /purchases HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\nContent-Length: "
                + str(len(b)).encode() + b"\r\n\r\n" + b for b in bodies]
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
    return {"requests": len(bodies), "concurrency": concurrency, "seconds": elapsed,
            "per_second": len(bodies) / elapsed, "p50_ms": percentile(lat, 50) * 1000,
            "p90_ms": percentile(lat, 90) * 1000, "p99_ms": percentile(lat, 99) * 1000,
            "max_ms": max(lat) * 1000 if lat else float("nan"), "statuses": statuses}


# ---------------------------------------------------------------------- the oracle process
def clean_env(**values: Any) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ORACLE_")}
    env.update({k: str(v) for k, v in values.items() if v is not None})
    return env


class OracleServer:
    """`python -m oracle serve` (uvicorn, real HTTP) on a free port in 8800-8899; always stopped by stop()."""

    def __init__(self, env: dict[str, str], workdir: Path, batcher: bool = True) -> None:
        self.env, self.workdir, self.batcher = env, workdir, batcher
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = workdir / f"oracle-{self.port}.log"
        self.proc: Optional[subprocess.Popen] = None

    def __enter__(self) -> "OracleServer":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def start(self) -> "OracleServer":
        import httpx

        args = [sys.executable, "-m", "oracle", "serve", "--port", str(self.port), "--log-level", "warning"]
        if not self.batcher:
            args.append("--no-batcher")
        with open(self.log_path, "a") as log:
            self.proc = subprocess.Popen(args, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"oracle exited with {self.proc.returncode}:\n{self.log()}")
            try:
                if httpx.get(self.url + "/health", timeout=5).status_code in (200, 503):
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"oracle did not start:\n{self.log()}")

    def health(self) -> dict[str, Any]:
        import httpx

        return httpx.get(self.url + "/health", timeout=30).json()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None

    def log(self) -> str:
        try:
            return self.log_path.read_text()[-4000:]
        except OSError:
            return ""


# ---------------------------------------------------------------------- PostgreSQL
class Postgres:
    """A temporary PostgreSQL server (as the `postgres` user when run as root), stopped and removed by stop()."""

    def __init__(self) -> None:
        found = shutil.which("initdb")
        bindir = Path(found).parent if found and shutil.which("pg_ctl") else None
        if bindir is None:
            for cand in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
                if (cand / "initdb").exists():
                    bindir = cand
                    break
        if bindir is None:
            raise RuntimeError("PostgreSQL binaries (initdb, pg_ctl) not found")
        self.bindir = bindir
        self.base = Path(tempfile.mkdtemp(prefix="bench-pg-"))
        self.data = self.base / "data"
        self.port = free_port()
        self.prefix: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(self.base, "postgres", "postgres")
            os.chmod(self.base, 0o700)
            self.prefix = ["runuser", "-u", "postgres", "--"]
        self.started = False

    def __enter__(self) -> "Postgres":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def start(self) -> "Postgres":
        subprocess.run([*self.prefix, str(self.bindir / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "oracle"],
                       check=True, capture_output=True)
        # default durability (fsync on, synchronous_commit on): the figures are for a real set-up
        subprocess.run([*self.prefix, str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l",
                        str(self.base / "pg.log"), "-w", "-o",
                        f"-k {self.base} -p {self.port} -c listen_addresses=127.0.0.1", "start"],
                       check=True, capture_output=True)
        self.started = True
        return self

    def url(self, db: str = "postgres") -> str:
        return f"postgresql://oracle@127.0.0.1:{self.port}/{db}"

    def create_db(self, name: str) -> str:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def version(self) -> str:
        out = subprocess.run([str(self.bindir / "postgres"), "--version"], capture_output=True, text=True)
        return out.stdout.strip()

    def stop(self) -> None:
        if self.started:
            subprocess.run([*self.prefix, str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w",
                            "stop"], capture_output=True)
            self.started = False
        shutil.rmtree(self.base, ignore_errors=True)

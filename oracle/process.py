"""Running the oracle as a separate process, and a throw-away PostgreSQL server: the one helper the tests,
the benches and the demo share.

    with OracleProcess(clean_env(ORACLE_DATABASE_URL=...), workdir) as proc:
        httpx.get(proc.url + "/health")

`OracleProcess` starts `python -m oracle serve` (or another entry module with the same command line, such as a
test launcher) on a free port, waits for /health, and stops it with SIGTERM, then SIGKILL. Its output goes to a
log file in `workdir`. `TempPostgres` runs `initdb` + `pg_ctl` in a temporary folder (as the `postgres` user
when run as root, since `initdb` refuses root) and removes everything at `stop()`.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

from blackgold.paths import PROJECT_ROOT

PORT_RANGE = (8700, 8899)


class ProcessError(RuntimeError):
    """A helper process did not start, did not answer, or did not stop."""


def free_port(port_range: tuple[int, int] = PORT_RANGE, exclude: Sequence[int] = ()) -> int:
    """A port on 127.0.0.1 nobody listens on now, picked at random in `port_range` (inclusive)."""
    ports = [p for p in range(port_range[0], port_range[1] + 1) if p not in exclude]
    random.shuffle(ports)
    for port in ports:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise ProcessError(f"no free port in {port_range[0]}-{port_range[1]}")


def wait_port_closed(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            if s.connect_ex(("127.0.0.1", port)) != 0:
                return
        time.sleep(0.1)


def clean_env(**values: object) -> dict[str, str]:
    """This process's environment without any ORACLE_* variable, plus `values` (None values left out)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ORACLE_")}
    env.update({k: str(v) for k, v in values.items() if v is not None})
    return env


class OracleProcess:
    """`python -m <module> serve --port P` as a child process in its own session, with a log file."""

    def __init__(
        self,
        env: Mapping[str, str],
        workdir: Path,
        *,
        port: int | None = None,
        port_range: tuple[int, int] = PORT_RANGE,
        module: str = "oracle",
        serve_args: Sequence[str] = ("--log-level", "info"),
        log_path: Path | None = None,
    ) -> None:
        self.env = dict(env)
        self.workdir = Path(workdir)
        self.port = port or free_port(port_range)
        self.url = f"http://127.0.0.1:{self.port}"
        self.module = module
        self.serve_args = list(serve_args)
        self.log_path = log_path or self.workdir / f"oracle-{self.port}.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def __enter__(self) -> OracleProcess:
        if self.proc is None:
            self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def start(self, wait: bool = True, *, module: str | None = None, **extra_env: object) -> OracleProcess:
        """Start the server (with `extra_env` added, and `module` instead of the default entry module, for this start
        only); wait for /health unless `wait` is False."""
        env = dict(self.env)
        env.update({k: str(v) for k, v in extra_env.items()})
        self.starts += 1
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "a") as log:
            log.write(f"\n===== start {self.starts} {sorted(extra_env)} =====\n")
            log.flush()
            self.proc = subprocess.Popen(
                [sys.executable, "-m", module or self.module, "serve", "--port", str(self.port), *self.serve_args],
                cwd=PROJECT_ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        if wait:
            try:
                self.wait_healthy()
            except ProcessError:
                self.stop()
                raise
        return self

    def wait_healthy(self, timeout: float = 60.0, require_ok: bool = False) -> dict[str, Any]:
        """The /health answer once the server answers (200 or 503; with `require_ok`, once its status is "ok")."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is None or self.proc.poll() is not None:
                code = None if self.proc is None else self.proc.returncode
                raise ProcessError(f"the oracle exited with status {code}; its log {self.log_path}:\n{self.log()}")
            try:
                resp = httpx.get(self.url + "/health", timeout=5)
                if resp.status_code in (200, 503):
                    health: dict[str, Any] = resp.json()
                    if not require_ok or health.get("status") == "ok":
                        return health
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise ProcessError(
            f"the oracle did not become healthy within {timeout:.0f}s; log {self.log_path}:\n{self.log()}"
        )

    def wait_exit(self, timeout: float = 60.0) -> int:
        if self.proc is None:
            raise ProcessError("the oracle was never started")
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise ProcessError(f"the oracle did not exit within {timeout:.0f}s:\n{self.log()}") from None

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM, then SIGKILL after `timeout` seconds; returns once the port is free again."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        wait_port_closed(self.port)

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run `python -m oracle ARGS` with this server's environment (always the real CLI module)."""
        res = subprocess.run(
            [sys.executable, "-m", "oracle", *args],
            cwd=PROJECT_ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if check and res.returncode != 0:
            raise ProcessError(f"oracle {args} failed ({res.returncode}):\n{res.stdout}\n{res.stderr}")
        return res

    def log(self, tail: int = 6000) -> str:
        try:
            return self.log_path.read_text()[-tail:]
        except OSError:
            return ""


def postgres_bin_dir() -> Path | None:
    """Where `initdb` and `pg_ctl` are: PATH, else the newest /usr/lib/postgresql/*/bin."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).parent
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (candidate / "initdb").exists() and (candidate / "pg_ctl").exists():
            return candidate
    return None


class TempPostgres:
    """A temporary PostgreSQL server on 127.0.0.1 (trust auth, user `oracle`); `stop()` removes it.

    `durable=False` turns fsync off (tests); the benches keep PostgreSQL's defaults."""

    def __init__(self, *, durable: bool = True, port_range: tuple[int, int] = PORT_RANGE, user: str = "oracle") -> None:
        bindir = postgres_bin_dir()
        if bindir is None:
            raise ProcessError(
                "PostgreSQL binaries (initdb, pg_ctl) not found on PATH or in /usr/lib/postgresql/*/bin: "
                "install Debian's `postgresql` package"
            )
        self.bindir = bindir
        self.durable = durable
        self.user = user
        self.port = free_port(port_range)
        self.base = Path(tempfile.mkdtemp(prefix="oracle-pg-"))
        self.data = self.base / "data"
        self.prefix: list[str] = []
        if os.geteuid() == 0:
            if shutil.which("runuser") is None:
                shutil.rmtree(self.base, ignore_errors=True)
                raise ProcessError("running as root and `runuser` is missing: cannot start PostgreSQL as `postgres`")
            shutil.chown(self.base, "postgres", "postgres")
            os.chmod(self.base, 0o700)
            self.prefix = ["runuser", "-u", "postgres", "--"]
        self.started = False

    def __enter__(self) -> TempPostgres:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def _run(self, tool: str, *args: str) -> None:
        res = subprocess.run([*self.prefix, str(self.bindir / tool), *args], capture_output=True, text=True)
        if res.returncode != 0:
            raise ProcessError(f"{tool} failed ({res.returncode}): {res.stderr.strip() or res.stdout.strip()}")

    def start(self) -> TempPostgres:
        try:
            self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", self.user)
            options = f"-k {self.base} -p {self.port} -c listen_addresses=127.0.0.1"
            if not self.durable:
                options += " -c fsync=off"
            self._run("pg_ctl", "-D", str(self.data), "-l", str(self.base / "pg.log"), "-w", "-o", options, "start")
        except ProcessError:
            self.stop()
            raise
        self.started = True
        return self

    def url(self, db: str = "postgres") -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{db}"

    def create_db(self, name: str) -> str:
        """Create database `name`; its URL."""
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')  # type: ignore[arg-type]  # a name we chose, quoted
        return self.url(name)

    def version(self) -> str:
        out = subprocess.run([str(self.bindir / "postgres"), "--version"], capture_output=True, text=True)
        return out.stdout.strip()

    def stop(self) -> None:
        if self.started:
            subprocess.run(
                [*self.prefix, str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"],
                capture_output=True,
            )
            self.started = False
        shutil.rmtree(self.base, ignore_errors=True)

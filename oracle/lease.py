"""One batcher per key, enforced: a lease row in the store (SQLite and PostgreSQL alike).

The batcher of key K holds the lease `batcher:<K's address>` while it works: taken when free or expired, renewed
well before it expires (at least every third of `lease_seconds`, also while waiting for receipts), released on a
clean stop. A second batcher with the same key finds it held and waits as a hot standby, trying again every third
of `lease_seconds`; when the holder dies (SIGKILL, crash, lost host) its lease expires and the standby takes over,
finishing the open batch first. Taking and renewing is one UPDATE ... WHERE holder = me OR expires_at < now:
atomic in both databases, so two batchers never both hold it. Times are the hosts' clocks (keep them in sync; the
lease is far longer than any skew).
"""

from __future__ import annotations

import os
import socket
import time
import uuid
from dataclasses import dataclass

from sqlalchemy import case, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from .batch_store import rowcount
from .models import LeaseRow
from .store import Store


@dataclass(frozen=True)
class LeaseView:
    name: str
    holder: str
    acquired_at: float
    expires_at: float


def holder_id() -> str:
    """Who holds a lease: host, process id and a random part (a restarted process is someone else)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Lease:
    def __init__(self, store: Store, name: str, seconds: float, holder: str | None = None) -> None:
        self.store, self.name, self.seconds = store, name, seconds
        self.holder = holder or holder_id()
        self._renewed = -float("inf")  # monotonic time of our last successful take/renewal
        insert = sqlite_insert if store.is_sqlite else pg_insert
        row = {"name": name, "holder": "", "acquired_at": 0.0, "expires_at": 0.0}
        with store.sessions.begin() as s:
            s.execute(insert(LeaseRow).values(**row).on_conflict_do_nothing(index_elements=["name"]))

    def held(self) -> bool:
        """True while this process holds the lease (renewed when a third of it has passed)."""
        if time.monotonic() - self._renewed < self.seconds / 3:
            return True
        return self.acquire()

    def acquire(self) -> bool:
        now = time.time()
        with self.store.sessions.begin() as s:
            res = s.execute(
                update(LeaseRow)
                .where(LeaseRow.name == self.name)
                .where((LeaseRow.holder == self.holder) | (LeaseRow.expires_at < now))
                .values(
                    acquired_at=case((LeaseRow.holder == self.holder, LeaseRow.acquired_at), else_=now),
                    holder=self.holder,
                    expires_at=now + self.seconds,
                )
            )
        if rowcount(res) == 1:
            self._renewed = time.monotonic()
            return True
        self._renewed = -float("inf")
        return False

    def release(self) -> None:
        self._renewed = -float("inf")
        with self.store.sessions.begin() as s:
            s.execute(
                update(LeaseRow)
                .where(LeaseRow.name == self.name, LeaseRow.holder == self.holder)
                .values(expires_at=0.0)
            )

    def view(self) -> LeaseView | None:
        with self.store.sessions() as s:
            row = s.scalar(select(LeaseRow).where(LeaseRow.name == self.name))
            if row is None:
                return None
            return LeaseView(row.name, row.holder, row.acquired_at, row.expires_at)

"""The accept path's single writer (group commit).

Every accepted row goes to one writer thread, which inserts every row waiting at that moment in one transaction
and one COMMIT (one fsync), then answers each caller: the new row id, or None when the reference was already there
(INSERT ... ON CONFLICT (ref) DO NOTHING RETURNING id, ref). No timer: rows that arrive while a COMMIT is on its way
to disk form the next group. If the transaction fails, nothing of the group is stored and every caller gets the
error.

Threads get a `concurrent.futures.Future` (`insert`, wait with `.result()`); the event loop awaits an asyncio
future (`insert_async`) without holding a thread, and the writer settles all of one loop's futures of a group
with one `call_soon_threadsafe` (one wake-up of the loop per group, not per row).

Why the group is one multi-row INSERT through the driver's cursor, not one SQLAlchemy execute per row: this thread
shares the GIL with the event loop, and each time it takes the GIL back (after every driver call) the loop may
have to wait for it. Measured on POST /purchases, SQLAlchemy's per-row work and those hand-overs were about a
quarter of the accept path's time; one statement per group makes the hand-overs per group. The transaction is
still SQLAlchemy's (`engine.begin()`: BEGIN, COMMIT, rollback on error), so the durability settings of oracle.store
apply unchanged.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from concurrent.futures import Future
from typing import Any

from sqlalchemy import Engine

from .models import Purchase

_Sink = Future[int | None] | tuple[asyncio.AbstractEventLoop, "asyncio.Future[int | None]"]
_Item = tuple[dict[str, Any], _Sink]
_Outcome = int | None | BaseException


class GroupCommitter:
    MAX_GROUP = 256

    def __init__(self, engine: Engine, is_sqlite: bool) -> None:
        self.placeholder = "?" if is_sqlite else "%s"
        self.sql: dict[tuple[tuple[str, ...], int], str] = {}
        self.engine = engine
        self.queue: queue.SimpleQueue[_Item | None] = queue.SimpleQueue()
        self.thread = threading.Thread(target=self._run, name="oracle-store-writer", daemon=True)
        self.thread.start()

    def insert(self, row: dict[str, Any]) -> Future[int | None]:
        """Queue `row`; the future completes after the COMMIT that holds it (new id, or None if it existed)."""
        fut: Future[int | None] = Future()
        self._put(row, fut)
        return fut

    def insert_async(self, row: dict[str, Any]) -> asyncio.Future[int | None]:
        """The same, awaitable on the running loop."""
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[int | None] = loop.create_future()
        self._put(row, (loop, fut))
        return fut

    def _put(self, row: dict[str, Any], sink: _Sink) -> None:
        if not self.thread.is_alive():
            raise RuntimeError("the store is closed")
        self.queue.put((row, sink))

    def stop(self) -> None:
        self.queue.put(None)
        self.thread.join(10)

    def _next_group(self) -> tuple[list[_Item], bool]:
        """The rows waiting now (blocking for the first); True when asked to stop."""
        first = self.queue.get()
        if first is None:
            return [], True
        group = [first]
        while len(group) < self.MAX_GROUP:
            try:
                item = self.queue.get_nowait()
            except queue.Empty:
                break
            if item is None:
                return group, True
            group.append(item)
        return group, False

    def _sql(self, columns: tuple[str, ...], rows: int) -> str:
        """INSERT of `rows` rows ... ON CONFLICT (ref) DO NOTHING RETURNING id, ref (cached per shape)."""
        sql = self.sql.get((columns, rows))
        if sql is None:
            names = ", ".join(Purchase.__table__.c[name].name for name in columns)  # KeyError: no such column
            one = "(" + ", ".join([self.placeholder] * len(columns)) + ")"
            sql = (
                f"INSERT INTO {Purchase.__tablename__} ({names}) VALUES {', '.join([one] * rows)} "
                "ON CONFLICT (ref) DO NOTHING RETURNING id, ref"
            )
            self.sql[(columns, rows)] = sql
        return sql

    def _insert(self, rows: list[dict[str, Any]]) -> list[int | None]:
        """One transaction, one statement: each row's new id, None for a reference that was there before (or
        earlier in the same group: only the first copy of a reference is inserted)."""
        columns = tuple(rows[0])
        if any(tuple(row) != columns for row in rows):  # pragma: no cover - Store builds every row the same way
            raise ValueError("rows of one group must have the same columns")
        params = [row[c] for row in rows for c in columns]
        with self.engine.begin() as conn:
            cursor = conn.connection.cursor()
            cursor.execute(self._sql(columns, len(rows)), params)
            ids = {ref: int(new_id) for new_id, ref in cursor.fetchall()}
            cursor.close()
        return [ids.pop(row["ref"], None) for row in rows]

    def _run(self) -> None:
        stop = False
        while not stop:
            group, stop = self._next_group()
            if not group:
                continue
            outcomes: list[_Outcome]
            try:
                outcomes = list(self._insert([row for row, _ in group]))
            except BaseException as exc:  # noqa: BLE001 - every caller of the group gets it
                outcomes = [exc] * len(group)
            _settle_all([sink for _, sink in group], outcomes)


def _settle_all(sinks: list[_Sink], outcomes: list[_Outcome]) -> None:
    """Thread futures now; each loop's futures in one call on that loop."""
    by_loop: dict[asyncio.AbstractEventLoop, list[tuple[asyncio.Future[int | None], _Outcome]]] = {}
    for sink, outcome in zip(sinks, outcomes, strict=True):
        if isinstance(sink, Future):
            if isinstance(outcome, BaseException):
                sink.set_exception(outcome)
            else:
                sink.set_result(outcome)
        else:
            by_loop.setdefault(sink[0], []).append((sink[1], outcome))
    for loop, items in by_loop.items():
        try:
            loop.call_soon_threadsafe(_settle, items)
        except RuntimeError:  # the loop is closed: nobody waits any more (the rows are committed all the same)
            pass


def _settle(items: list[tuple[asyncio.Future[int | None], _Outcome]]) -> None:
    for fut, outcome in items:
        if fut.done():  # the caller went away (cancelled)
            continue
        if isinstance(outcome, BaseException):
            fut.set_exception(outcome)
        else:
            fut.set_result(outcome)

"""The accept path's single writer (group commit).

Every accepted row goes to one writer thread, which inserts every row waiting at that moment in one transaction
and one COMMIT (one fsync), then completes each caller's future: the new row id, or None when the reference was
already there (INSERT ... ON CONFLICT (ref) DO NOTHING RETURNING id). No timer: rows that arrive while a COMMIT is
on its way to disk form the next group. If the transaction fails, nothing of the group is stored and every
caller gets the error.

The result is a `concurrent.futures.Future`, so threads wait with `.result()` and the event loop awaits it with
`asyncio.wrap_future` without holding a thread: one implementation for both.

The rows go through the driver's cursor with one prepared SQL text (named parameters, which both sqlite3 and
psycopg take as a dict) rather than through SQLAlchemy's statement execution: this thread shares the GIL with the
event loop, and SQLAlchemy's per-execute work (cache lookup, parameter processing, result wrapping) was about a
quarter of the accept path's CPU. The transaction is still SQLAlchemy's (`engine.begin()`: BEGIN, COMMIT, rollback
on error), so the durability settings of oracle.store apply unchanged.
"""

from __future__ import annotations

import queue
import threading
from concurrent.futures import Future
from typing import Any

from sqlalchemy import Engine

from .models import Purchase

_Item = tuple[dict[str, Any], "Future[int | None]"]


class GroupCommitter:
    MAX_GROUP = 256

    def __init__(self, engine: Engine, is_sqlite: bool) -> None:
        self.placeholder = ":{}" if is_sqlite else "%({})s"
        self.sql: dict[tuple[str, ...], str] = {}
        self.engine = engine
        self.queue: queue.SimpleQueue[_Item | None] = queue.SimpleQueue()
        self.thread = threading.Thread(target=self._run, name="oracle-store-writer", daemon=True)
        self.thread.start()

    def insert(self, row: dict[str, Any]) -> Future[int | None]:
        """Queue `row`; the future completes after the COMMIT that holds it (new id, or None if it existed)."""
        if not self.thread.is_alive():
            raise RuntimeError("the store is closed")
        fut: Future[int | None] = Future()
        self.queue.put((row, fut))
        return fut

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

    def _sql(self, row: dict[str, Any]) -> str:
        """INSERT ... ON CONFLICT (ref) DO NOTHING RETURNING id for the row's columns (the same every time)."""
        key = tuple(row)
        sql = self.sql.get(key)
        if sql is None:
            columns = [Purchase.__table__.c[name].name for name in key]  # KeyError for a column that does not exist
            values = ", ".join(self.placeholder.format(name) for name in key)
            sql = (
                f"INSERT INTO {Purchase.__tablename__} ({', '.join(columns)}) VALUES ({values}) "
                "ON CONFLICT (ref) DO NOTHING RETURNING id"
            )
            self.sql[key] = sql
        return sql

    def _run(self) -> None:
        stop = False
        while not stop:
            group, stop = self._next_group()
            results: list[int | None] = []
            try:
                with self.engine.begin() as conn:
                    cursor = conn.connection.cursor()
                    for row, _ in group:
                        cursor.execute(self._sql(row), row)
                        found = cursor.fetchone()
                        results.append(None if found is None else int(found[0]))
                    cursor.close()
            except BaseException as exc:  # noqa: BLE001 - every caller of the group gets it
                for _, fut in group:
                    fut.set_exception(exc)
                continue
            for (_, fut), new_id in zip(group, results, strict=True):
                fut.set_result(new_id)

"""aiosqlite with one round trip to its thread per query, for SQLAlchemy's aiosqlite dialect.

Every aiosqlite call is a round trip to the connection's thread: a queue, a thread wake-up, then a
wake-up of the event loop when it is done, and under load each one waits for the loop and the CPU
again. SQLAlchemy makes four or five per query (cursor, execute, fetchall, close, and a rollback
when the connection goes back to the pool). Here a query is one: the statement runs and its rows are
fetched in the thread in one go, while creating and closing a cursor, and committing or rolling back
when no transaction is open (after a read), happen in place, since they touch no file.

In place means on the event loop's thread, hence `check_same_thread=False`; SQLAlchemy never uses
one connection for two things at once, and Python's sqlite3 is built serialized (threadsafety 3).
"""

from __future__ import annotations

import sqlite3
from collections import deque
from collections.abc import Callable, Coroutine, Generator
from typing import Any

import aiosqlite

ITER_CHUNK_SIZE = 64  # aiosqlite's default


class _Cursor(aiosqlite.Cursor):
    """Executes and fetches in one round trip; the fetch calls then read what was fetched."""

    def __init__(self, conn: aiosqlite.Connection, cursor: sqlite3.Cursor) -> None:
        super().__init__(conn, cursor)
        self._fetched: deque[Any] | None = None

    def _run(self, sql: str, parameters: Any) -> deque[Any] | None:  # in the connection's thread
        self._cursor.execute(sql, parameters)
        return deque(self._cursor.fetchall()) if self._cursor.description else None

    async def execute(self, sql: str, parameters: Any = None) -> _Cursor:
        self._fetched = await self._execute(self._run, sql, [] if parameters is None else parameters)
        return self

    async def executemany(self, sql: str, parameters: Any) -> _Cursor:
        self._fetched = None
        await super().executemany(sql, parameters)
        return self

    async def fetchone(self) -> Any:
        if self._fetched is None:
            return await super().fetchone()
        return self._fetched.popleft() if self._fetched else None

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        if self._fetched is None:
            return list(await super().fetchmany(size))
        count = self.arraysize if size is None else size
        return [self._fetched.popleft() for _ in range(min(count, len(self._fetched)))]

    async def fetchall(self) -> list[Any]:
        if self._fetched is None:
            return list(await super().fetchall())
        rows, self._fetched = list(self._fetched), deque()
        return rows

    async def close(self) -> None:
        self._fetched = None
        self._cursor.close()


class _Opened:
    """What aiosqlite's `cursor()` returns: awaitable, and an async context manager. The cursor is
    made when awaited, so a closed connection fails there, as aiosqlite's does (SQLAlchemy turns
    that ValueError into an OperationalError and discards the connection)."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._cursor: _Cursor | None = None

    def __await__(self) -> Generator[Any, None, _Cursor]:
        return self.__aenter__().__await__()

    async def __aenter__(self) -> _Cursor:
        if self._cursor is None:
            if not self._connection._running:
                raise ValueError("Connection closed")
            self._cursor = _Cursor(self._connection, self._connection._conn.cursor())
        return self._cursor

    async def __aexit__(self, *_: object) -> None:
        if self._cursor is not None:
            await self._cursor.close()


class Connection(aiosqlite.Connection):
    def cursor(self) -> _Opened:  # type: ignore[override]
        return _Opened(self)

    async def commit(self) -> None:
        if self._conn.in_transaction:
            await super().commit()

    async def rollback(self) -> None:
        if self._conn.in_transaction:
            await super().rollback()


def creator(path: str, **connect_args: Any) -> Callable[[], Coroutine[Any, Any, Connection]]:
    """An `async_creator` for `create_async_engine("sqlite+aiosqlite://...")` opening `path`."""

    def connector() -> sqlite3.Connection:
        return sqlite3.connect(path, check_same_thread=False, **connect_args)

    async def connect() -> Connection:
        connection = Connection(connector, ITER_CHUNK_SIZE)
        connection._thread.daemon = True  # like SQLAlchemy's own aiosqlite connections
        return await connection

    return connect

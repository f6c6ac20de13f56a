"""The SQLite connections: one trip to the connection's thread per query, none to end a read, and
the same results and transactions as plain aiosqlite."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from quantflow_server.db import sqlite_driver
from quantflow_server.db.database import Database

ITEMS = sa.Table("items", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True), sa.Column("name", sa.Text))


@pytest.fixture
def trips(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The functions run in connections' threads, in order (the real calls, counted)."""
    seen: list[str] = []
    original = sqlite_driver.Connection._execute

    async def counted(self: sqlite_driver.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(getattr(fn, "__name__", repr(fn)))
        return await original(self, fn, *args, **kwargs)

    monkeypatch.setattr(sqlite_driver.Connection, "_execute", counted)
    return seen


def _run(path: Path, scenario: Any) -> Any:
    async def main() -> Any:
        db = Database(f"sqlite+aiosqlite:///{path}")
        try:
            async with db.engine.begin() as conn:
                await conn.run_sync(ITEMS.metadata.create_all)
            return await scenario(db)
        finally:
            await db.dispose()

    return asyncio.run(main())


def test_a_read_is_one_trip_and_ending_it_none(tmp_path: Path, trips: list[str]) -> None:
    async def scenario(db: Database) -> list[str]:
        async with db.session() as session:
            await session.execute(sa.insert(ITEMS), [{"name": "a"}, {"name": "b"}])
        trips.clear()
        async with db.session() as session:  # commits on the way out, like every request's session
            names = list(await session.scalars(sa.select(ITEMS.c.name).order_by(ITEMS.c.id)))
        assert trips == ["_run"]
        return names

    assert _run(tmp_path / "db.sqlite", scenario) == ["a", "b"]


def test_writes_commit_and_roll_back_as_before(tmp_path: Path, trips: list[str]) -> None:
    async def scenario(db: Database) -> list[str]:
        async with db.session() as session:
            await session.execute(sa.insert(ITEMS).values(name="kept"))
        assert "commit" in trips
        with pytest.raises(RuntimeError):
            async with db.session() as session:
                await session.execute(sa.insert(ITEMS).values(name="rolled back"))
                raise RuntimeError("abandon")
        assert "rollback" in trips
        async with db.sessions() as session:
            return list(await session.scalars(sa.select(ITEMS.c.name)))

    assert _run(tmp_path / "db.sqlite", scenario) == ["kept"]


def test_streamed_rows_arrive_in_parts_and_all(tmp_path: Path) -> None:
    async def scenario(db: Database) -> tuple[list[int], list[str]]:
        async with db.session() as session:
            await session.execute(sa.insert(ITEMS), [{"name": f"n{i}"} for i in range(10)])
        async with db.engine.connect() as conn:
            streamed = await conn.stream(sa.select(ITEMS.c.name).order_by(ITEMS.c.id))
            sizes = [len(part) async for part in streamed.partitions(4)]
            result = await conn.execute(sa.select(ITEMS.c.name).order_by(ITEMS.c.id))
            first, rest = result.fetchone(), result.fetchall()
        return sizes, [*first, *(r[0] for r in rest)]

    sizes, names = _run(tmp_path / "db.sqlite", scenario)
    assert sizes == [4, 4, 2] and names == [f"n{i}" for i in range(10)]


def test_a_closed_connection_fails_as_a_database_error(tmp_path: Path) -> None:
    async def scenario(db: Database) -> None:
        async with db.engine.connect() as conn:
            raw = await conn.get_raw_connection()
            await raw.driver_connection.close()
            with pytest.raises(sa.exc.OperationalError):  # not a bare ValueError: the pool discards it
                await conn.execute(sa.select(1))
            await conn.invalidate()

    _run(tmp_path / "db.sqlite", scenario)

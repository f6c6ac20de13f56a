"""Appending to and verifying the audit ledger in the database.

Appenders serialise on the chain head row: PostgreSQL locks it with SELECT ... FOR UPDATE until the
appending transaction ends; SQLite has one writer at a time, and the head UPDATE comes first so the
write lock is held before the head is read (a read-then-write would race in WAL mode). Entries go in
with one executemany of plain tuples (COPY on PostgreSQL for batches): hashing, not the ORM or the
round trips, should be the cost of an append.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from quantflow_server.audit.chain import GENESIS, AuditEvent, ChainChecker, Entry, Verdict, chain
from quantflow_server.db.models import AuditEntry, AuditHead

COLUMNS = ("seq", "prev_hash", "hash", "at", "action", "actor", "payload")
PAGE = 5_000
COPY_FROM = 64  # rows
CHUNK = 2_000  # rows hashed while the previous chunk is written


class AuditError(RuntimeError):
    """The ledger cannot be appended to (its head is missing while entries exist)."""


def insert_sql(dialect: str) -> str:
    mark = "?" if dialect == "sqlite" else "%s"
    return f"INSERT INTO audit_entries ({', '.join(COLUMNS)}) VALUES ({', '.join([mark] * len(COLUMNS))})"


async def _insert(conn: AsyncConnection, entries: list[Entry]) -> None:
    """PostgreSQL takes big batches by COPY (several times faster than INSERT); the rest executemany."""
    if conn.dialect.name == "postgresql" and len(entries) >= COPY_FROM:
        raw = await conn.get_raw_connection()
        async with raw.driver_connection.cursor() as cursor:  # psycopg's, inside this transaction
            async with cursor.copy(f"COPY audit_entries ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for entry in entries:
                    await copy.write_row(entry)
        return
    await conn.exec_driver_sql(insert_sql(conn.dialect.name), entries)


async def _lock_head(conn: AsyncConnection) -> tuple[int, str]:
    head = sa.select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1)
    sqlite = conn.dialect.name == "sqlite"
    if sqlite:  # take the write lock before reading the head
        await conn.execute(sa.update(AuditHead).where(AuditHead.id == 1).values(seq=AuditHead.seq))
    row = (await conn.execute(head.with_for_update())).first()
    if row is None:  # a fresh or emptied database: recreate the head, but only over an empty ledger
        if await conn.scalar(sa.select(sa.func.count()).select_from(AuditEntry)):
            raise AuditError("the audit chain head is missing while entries exist; run `quantflow audit verify`")
        insert = (sqlite_insert if sqlite else pg_insert)(AuditHead).values(id=1, seq=0, hash=GENESIS)
        await conn.execute(insert.on_conflict_do_nothing())
        row = (await conn.execute(head.with_for_update())).one()
    return int(row[0]), str(row[1])


async def append(session: AsyncSession | AsyncConnection, events: Sequence[AuditEvent]) -> list[Entry]:
    """Append events as consecutive entries inside the caller's transaction (they commit or roll
    back with it). Returns the entries written."""
    if not events:
        return []
    conn = await session.connection() if isinstance(session, AsyncSession) else session
    seq, prev = await _lock_head(conn)
    entries: list[Entry] = []
    writing: asyncio.Task[None] | None = None
    try:
        for start in range(0, len(events), CHUNK):
            part = chain(events[start : start + CHUNK], seq, prev)
            seq, prev = part[-1].seq, part[-1].hash
            entries += part
            if writing is not None:
                await writing
            # The driver writes this chunk in its own thread (GIL released while SQLite/libpq work)
            # while the loop hashes the next one: the two halves of an append overlap on 2 cores.
            writing = asyncio.ensure_future(_insert(conn, part))
            await asyncio.sleep(0)
        if writing is not None:
            await writing
    except BaseException:
        if writing is not None and not writing.done():
            writing.cancel()
        raise
    last = entries[-1]
    await conn.execute(sa.update(AuditHead).where(AuditHead.id == 1).values(seq=last.seq, hash=last.hash))
    return entries


async def _read_head(conn: AsyncConnection) -> tuple[int | None, str | None]:
    row = (await conn.execute(sa.select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1))).first()
    return (None, None) if row is None else (int(row[0]), str(row[1]))


async def _feed_from(conn: AsyncConnection, checker: ChainChecker, after: int | None) -> int | None:
    """Feed entries past `after` (None: from the very first row) page by page; the last seq fed."""
    columns = [getattr(AuditEntry, c) for c in COLUMNS]
    while True:
        query = sa.select(*columns).order_by(AuditEntry.seq).limit(PAGE)
        if after is not None:
            query = query.where(AuditEntry.seq > after)
        rows = (await conn.execute(query)).all()
        for seq, prev, digest, at, action, actor, payload in rows:
            if not checker.feed(seq, prev, digest, at, action, actor, payload):
                return None
        if len(rows) < PAGE:
            return after if not rows else rows[-1][0]
        after = rows[-1][0]


async def verify(conn: AsyncConnection, *, max_rounds: int = 10) -> Verdict:
    """Check every entry and the head. Entries appended while this runs are followed up to the
    head read afterwards, so concurrent appends are not mistaken for tampering."""
    checker = ChainChecker()
    last = await _feed_from(conn, checker, None)
    head_seq, head_hash = await _read_head(conn)
    for _ in range(max_rounds):
        if checker.bad is not None or head_seq is None or last is None or head_seq <= last:
            break
        last = await _feed_from(conn, checker, last)
        head_seq, head_hash = await _read_head(conn)
    return checker.verdict(head_seq, head_hash)

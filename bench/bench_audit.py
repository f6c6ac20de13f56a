"""Audit ledger batch append: events/s on SQLite and on PostgreSQL, against a plain INSERT of the
same rows without hashing (the peer), through the same driver path.

    .venv/bin/python bench/bench_audit.py [--events 200000] [--batch 10000] [--pg host=127.0.0.1 port=5432 ...]

One JSON line per database. PostgreSQL uses a throwaway database, dropped at the end; pass --pg ''
to skip it.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import tempfile
import time
from pathlib import Path

import psycopg
import sqlalchemy as sa
from _common import emit
from quantflow_server.audit import ledger
from quantflow_server.audit.chain import AuditEvent, canonical, timestamp
from quantflow_server.db.database import Database

PLAIN_TABLE = """CREATE TABLE IF NOT EXISTS plain_entries (seq INTEGER PRIMARY KEY, prev_hash VARCHAR(64) NOT NULL,
    hash VARCHAR(64) NOT NULL, at VARCHAR(32) NOT NULL, action VARCHAR(64) NOT NULL, actor VARCHAR(64),
    payload TEXT NOT NULL)"""


def _events(n: int) -> list[AuditEvent]:
    return [
        AuditEvent("order_filled", "alice", {"run": "r1", "order": f"o{i}", "symbol": "FPT", "qty": 100, "px": 123400})
        for i in range(n)
    ]


async def _measure(url: str, total: int, batch: int, repeat: int) -> dict[str, float]:
    db = Database(url)
    await db.migrate()
    events = _events(batch)
    best_chain, best_plain = float("inf"), float("inf")
    try:
        for _ in range(repeat):
            started = time.perf_counter()
            for _ in range(total // batch):
                async with db.session() as session:
                    await ledger.append(session, events)
            best_chain = min(best_chain, time.perf_counter() - started)

            at = timestamp()
            payloads = [canonical(dict(e.payload or {})) for e in events]
            plain = [
                [(b * batch + i, "", "", at, e.action, e.actor, payloads[i]) for i, e in enumerate(events)]
                for b in range(total // batch)
            ]
            async with db.engine.begin() as conn:  # the ledger's schema: primary key and action index
                await conn.execute(sa.text(PLAIN_TABLE))
                await conn.execute(sa.text("CREATE INDEX IF NOT EXISTS ix_plain_action ON plain_entries (action)"))
            sql = ledger.insert_sql(db.engine.dialect.name).replace("audit_entries", "plain_entries")
            started = time.perf_counter()
            for rows in plain:
                async with db.engine.begin() as conn:  # same rows minus head lock, chain, hashing, JSON
                    await conn.exec_driver_sql(sql, rows)
            best_plain = min(best_plain, time.perf_counter() - started)
            async with db.engine.begin() as conn:
                await conn.execute(sa.text("DELETE FROM plain_entries"))
        async with db.engine.connect() as conn:
            verdict = await ledger.verify(conn)
        assert verdict.ok, verdict
    finally:
        await db.dispose()
    n = (total // batch) * batch
    return {"events_per_s": round(n / best_chain), "plain_insert_rows_per_s": round(n / best_plain),
            "ratio_vs_plain": round(best_plain / best_chain, 3), "events": n, "batch": batch}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pg", default="host=127.0.0.1 port=5432 user=postgres dbname=postgres")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.sqlite'}"
        emit(
            "audit_batch_append", database="sqlite", **asyncio.run(_measure(url, args.events, args.batch, args.repeat))
        )
    if not args.pg:
        return
    name = f"qf_bench_{secrets.token_hex(4)}"
    with psycopg.connect(args.pg, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        params = psycopg.conninfo.conninfo_to_dict(args.pg)
        url = f"postgresql+psycopg://{params.get('user', 'postgres')}@{params.get('host', '127.0.0.1')}:{params.get('port', 5432)}/{name}"
        emit(
            "audit_batch_append",
            database="postgresql",
            **asyncio.run(_measure(url, args.events, args.batch, args.repeat)),
        )
    finally:
        with psycopg.connect(args.pg, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()

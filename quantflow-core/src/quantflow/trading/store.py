"""Persistence of order events: a small protocol with an in-memory and a SQLite implementation.

Stores only append and read; they never interpret events beyond one rule they enforce themselves,
so that it holds even across processes sharing a database: at most one SUBMITTED event per client
order id (`DuplicateSubmissionError` otherwise). `OrderLedger` builds idempotent submission on that.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Protocol, runtime_checkable

from quantflow.trading.errors import TradingError
from quantflow.trading.events import OrderEvent, OrderEventKind


class DuplicateSubmissionError(TradingError):
    """A second SUBMITTED event for a client order id that already has one."""


@runtime_checkable
class OrderEventStore(Protocol):
    def append(self, event: OrderEvent) -> None:
        """Persist `event` durably before returning."""
        ...

    def events_for(self, client_order_id: str) -> list[OrderEvent]:
        """The events of one order, oldest first ([] if unknown)."""
        ...

    def all_events(self) -> list[OrderEvent]:
        """Every event, in append order."""
        ...


class InMemoryOrderEventStore:
    """For tests and backtests: nothing survives the process."""

    def __init__(self) -> None:
        self._events: list[OrderEvent] = []
        self._by_order: dict[str, list[OrderEvent]] = {}

    def append(self, event: OrderEvent) -> None:
        history = self._by_order.setdefault(event.client_order_id, [])
        if event.kind is OrderEventKind.SUBMITTED and history:
            raise DuplicateSubmissionError(f"order {event.client_order_id} already submitted")
        history.append(event)
        self._events.append(event)

    def events_for(self, client_order_id: str) -> list[OrderEvent]:
        return list(self._by_order.get(client_order_id, ()))

    def all_events(self) -> list[OrderEvent]:
        return list(self._events)


_SCHEMA = """
CREATE TABLE IF NOT EXISTS order_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    client_order_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    ts TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS order_events_by_order ON order_events (client_order_id, seq);
CREATE UNIQUE INDEX IF NOT EXISTS one_submission_per_order
    ON order_events (client_order_id) WHERE kind = 'submitted';
"""


class SqliteOrderEventStore:
    """Events as JSON rows in a SQLite file (stdlib `sqlite3`). Each append is its own committed
    transaction; a partial unique index enforces one submission per client order id."""

    def __init__(self, path: str | Path) -> None:
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)

    def append(self, event: OrderEvent) -> None:
        row = (event.client_order_id, event.kind.value, event.ts.isoformat(), event.model_dump_json())
        with self._lock:
            try:
                self._db.execute(
                    "INSERT INTO order_events (client_order_id, kind, ts, body) VALUES (?, ?, ?, ?)", row
                )
            except sqlite3.IntegrityError as exc:
                raise DuplicateSubmissionError(
                    f"order {event.client_order_id} already submitted"
                ) from exc

    def _select(self, where: str = "", args: tuple[object, ...] = ()) -> list[OrderEvent]:
        with self._lock:
            rows = self._db.execute(f"SELECT body FROM order_events {where} ORDER BY seq", args).fetchall()
        return [OrderEvent.model_validate_json(body) for (body,) in rows]

    def events_for(self, client_order_id: str) -> list[OrderEvent]:
        return self._select("WHERE client_order_id = ?", (client_order_id,))

    def all_events(self) -> list[OrderEvent]:
        return self._select()

    def close(self) -> None:
        with self._lock:
            self._db.close()

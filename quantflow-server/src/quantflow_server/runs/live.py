"""One run in flight: its events so far, encoded for the websocket subscribers, and those waiting
to be written to the database.

Everything here runs on the server's event loop (worker processes' messages are published from it).
Subscribers follow the run's journal (runs/journal.py) with a cursor, so attaching mid-run can
neither miss nor repeat an event.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any

import msgspec

from quantflow_server.runs.journal import Journal

_encoder = msgspec.json.Encoder(enc_hook=str)  # like _json_safe: anything unusual as its text


def encode_event(event: dict[str, Any]) -> str:
    return _encoder.encode(event).decode("utf-8")


@dataclass(eq=False)
class LiveRun:
    run_id: str
    journal: Journal = field(default_factory=Journal)
    pending: list[dict[str, Any]] = field(default_factory=list)  # not yet written to the database
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    finished: bool = False
    engine_run: Any = None
    task: asyncio.Task[None] | None = None

    def publish(self, data: dict[str, Any]) -> None:
        event = {"seq": len(self.journal), **data}
        self.journal.append(encode_event(event))
        self.pending.append(event)
        self.wake.set()

    def close(self) -> None:
        self.finished = True
        self.journal.close()


class RunLogHandler(logging.Handler):
    """Turns what nodes log through `ctx.logger` into `log` run events."""

    def __init__(self, live: LiveRun) -> None:
        super().__init__(logging.INFO)
        self.live = live

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string in a node must not break the run
            message = str(record.msg)
        self.live.publish(
            {
                "event": "log",
                "run_id": self.live.run_id,
                "time": record.created,
                "level": record.levelname.lower(),
                "message": message[:10_000],
            }
        )

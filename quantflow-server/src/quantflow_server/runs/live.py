"""One run in flight: its events so far and the websocket subscribers waiting for more.

A subscriber attaches with `attach()`, which returns the events so far *and* registers its queue
in one step with no await in between, so it can neither miss nor repeat an event. Everything here
runs on the server's event loop (worker processes' messages are published from it).

A subscriber too slow to keep up is not left waiting on a queue nobody feeds any more: its backlog
is replaced by OVERFLOW, so the socket closes and the client reconnects to replay from the start.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from dataclasses import dataclass, field
from typing import Any

END = None  # queue sentinel: the run is over
OVERFLOW: dict[str, Any] = {"event": "overflow"}  # queue sentinel (by identity): the subscriber fell behind
SUBSCRIBER_BACKLOG = 10_000


@dataclass(eq=False)
class LiveRun:
    run_id: str
    events: list[dict[str, Any]] = field(default_factory=list)
    subscribers: set[asyncio.Queue[dict[str, Any] | None]] = field(default_factory=set)
    pending: list[dict[str, Any]] = field(default_factory=list)  # not yet written to the database
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    finished: bool = False
    engine_run: Any = None
    stop: threading.Event = field(default_factory=threading.Event)  # read by backtests in their thread
    task: asyncio.Task[None] | None = None

    def publish(self, data: dict[str, Any]) -> None:
        event = {"seq": len(self.events), **data}
        self.events.append(event)
        self.pending.append(event)
        self.wake.set()
        for queue in list(self.subscribers):
            try:
                queue.put_nowait(event)
            except asyncio.QueueFull:  # a stalled client: drop it; it can reconnect and replay
                self.subscribers.discard(queue)
                replace_backlog(queue, OVERFLOW)

    def attach(self) -> tuple[list[dict[str, Any]], asyncio.Queue[dict[str, Any] | None]]:
        queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue(SUBSCRIBER_BACKLOG)
        if self.finished:
            queue.put_nowait(END)
        else:
            self.subscribers.add(queue)
        return list(self.events), queue

    def detach(self, queue: asyncio.Queue[dict[str, Any] | None]) -> None:
        self.subscribers.discard(queue)

    def close(self) -> None:
        self.finished = True
        for queue in self.subscribers:
            try:
                queue.put_nowait(END)
            except asyncio.QueueFull:  # no room for END: it must not wait forever after its backlog
                replace_backlog(queue, OVERFLOW)
        self.subscribers.clear()


def replace_backlog(queue: asyncio.Queue[dict[str, Any] | None], sentinel: dict[str, Any]) -> None:
    """Make `sentinel` the next and only thing the subscriber gets (it is leaving: its backlog is moot)."""
    while not queue.empty():
        queue.get_nowait()
    queue.put_nowait(sentinel)


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

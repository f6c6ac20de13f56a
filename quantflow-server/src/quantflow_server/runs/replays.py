"""Journals of finished runs, kept for late websocket subscribers.

A finished run never changes, so its events are read from the database and encoded once, however
many subscribers arrive at once (one read in flight per run; the others wait for it), and kept
while they fit in `max_chars` (least recently used first out).
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable

from quantflow_server.runs.journal import Journal

DEFAULT_MAX_CHARS = 64 * 1024 * 1024


class FinishedReplays:
    def __init__(self, max_chars: int = DEFAULT_MAX_CHARS) -> None:
        self.max_chars = max_chars
        self._journals: OrderedDict[str, Journal] = OrderedDict()
        self._loading: dict[str, asyncio.Future[Journal]] = {}
        self._chars = 0

    def __contains__(self, run_id: str) -> bool:
        return run_id in self._journals

    def put(self, run_id: str, journal: Journal) -> None:
        """Keep a finished run's journal (e.g. the one its live run built)."""
        if not journal.closed:
            raise ValueError("only a finished run's journal is kept")
        old = self._journals.pop(run_id, None)
        if old is not None:
            self._chars -= old.size
        if journal.size > self.max_chars:
            return
        self._journals[run_id] = journal
        self._chars += journal.size
        while self._chars > self.max_chars:
            _, evicted = self._journals.popitem(last=False)
            self._chars -= evicted.size

    async def get(self, run_id: str, load: Callable[[], Awaitable[list[str]]]) -> Journal:
        """The run's journal; `load` (its encoded events from the database) runs at most once at a time."""
        journal = self._journals.get(run_id)
        if journal is not None:
            self._journals.move_to_end(run_id)
            return journal
        loading = self._loading.get(run_id)
        if loading is not None:
            return await asyncio.shield(loading)
        future: asyncio.Future[Journal] = asyncio.get_running_loop().create_future()
        self._loading[run_id] = future
        try:
            journal = Journal(await load(), closed=True)
        except asyncio.CancelledError:
            future.cancel()
            raise
        except Exception as exc:
            future.set_exception(exc)
            future.exception()  # marked retrieved: the waiters get it by awaiting; none may be waiting
            raise
        finally:
            del self._loading[run_id]
        future.set_result(journal)
        self.put(run_id, journal)
        return journal

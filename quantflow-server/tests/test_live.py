"""A run's live event fan-out: a subscriber never waits on a queue that nothing will feed again."""

from __future__ import annotations

import asyncio

import pytest

from quantflow_server.runs import live as live_module
from quantflow_server.runs.live import END, OVERFLOW, LiveRun


def _drain(queue: asyncio.Queue) -> list:
    items = []
    while not queue.empty():
        items.append(queue.get_nowait())
    return items


def test_a_subscriber_gets_the_past_then_every_new_event_then_the_end() -> None:
    async def scenario() -> None:
        run = LiveRun("r")
        run.publish({"event": "a"})
        past, queue = run.attach()
        run.publish({"event": "b"})
        run.close()
        assert [e["seq"] for e in past] == [0]
        assert _drain(queue) == [{"seq": 1, "event": "b"}, END]
        late_past, late_queue = run.attach()
        assert len(late_past) == 2 and _drain(late_queue) == [END]

    asyncio.run(scenario())


def test_a_subscriber_that_falls_behind_is_told_so_instead_of_left_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(live_module, "SUBSCRIBER_BACKLOG", 3)

    async def scenario() -> None:
        run = LiveRun("r")
        _, slow = run.attach()
        _, fast = run.attach()
        for i in range(3):
            run.publish({"event": "tick", "i": i})
        _drain(fast)
        run.publish({"event": "tick", "i": 3})  # slow has no room left
        assert _drain(slow) == [OVERFLOW] and slow not in run.subscribers
        assert [e["i"] for e in _drain(fast)] == [3]
        run.close()
        assert _drain(fast) == [END]

    asyncio.run(scenario())


def test_closing_with_a_full_backlog_still_ends_the_subscriber(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(live_module, "SUBSCRIBER_BACKLOG", 2)

    async def scenario() -> None:
        run = LiveRun("r")
        _, queue = run.attach()
        run.publish({"event": "a"})
        run.publish({"event": "b"})
        run.close()
        assert _drain(queue) == [OVERFLOW]  # reconnecting replays the whole run from the database

    asyncio.run(scenario())

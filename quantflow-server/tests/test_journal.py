"""The encoded journal of a run: frames of consecutive events, shared between subscribers, and a
cursor seam between replay and live that neither skips nor repeats an event."""

from __future__ import annotations

import asyncio
import json
import random

import pytest

from quantflow_server.runs import journal as journal_module
from quantflow_server.runs.journal import Journal
from quantflow_server.runs.replays import FinishedReplays


def _event(seq: int) -> str:
    return json.dumps({"seq": seq, "event": "tick"})


def _seqs(frames: list[str]) -> list[int]:
    return [e["seq"] for frame in frames for e in json.loads(frame)]


def test_a_replay_is_full_chunks_then_the_rest(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(journal_module, "CHUNK", 4)
    journal = Journal(_event(i) for i in range(10))
    frames, cursor = journal.frames(0)
    assert cursor == 10 and [len(json.loads(f)) for f in frames] == [4, 4, 2] and _seqs(frames) == list(range(10))
    assert journal.frames(0)[0][0] is frames[0]  # a full chunk is joined once, for every replay
    middle, _ = journal.frames(3)  # an unaligned cursor first catches up to the chunk boundary
    assert [len(json.loads(f)) for f in middle] == [1, 4, 2] and _seqs(middle) == list(range(3, 10))
    assert journal.frames(10) == ([], 10)


def test_subscribers_at_one_cursor_share_one_frame() -> None:
    journal = Journal([_event(0)])
    journal.append(_event(1))
    first, _ = journal.frames(1)
    second, _ = journal.frames(1)
    assert first[0] is second[0] and _seqs(first) == [1]


def test_appending_wakes_subscribers_and_a_finished_journal_takes_nothing() -> None:
    journal = Journal()
    wake = asyncio.Event()
    journal.subscribers.add(wake)
    journal.append(_event(0))
    assert wake.is_set()
    wake.clear()
    journal.close()
    assert wake.is_set() and journal.closed
    with pytest.raises(RuntimeError):
        journal.append(_event(1))


def test_replay_then_live_neither_skips_nor_repeats_at_the_seam(monkeypatch: pytest.MonkeyPatch) -> None:
    """Subscribers attach at random moments while events keep coming; each gets exactly 0..n-1."""
    monkeypatch.setattr(journal_module, "CHUNK", 3)
    rng = random.Random(7)

    async def subscriber(journal: Journal) -> list[int]:
        wake = asyncio.Event()
        journal.subscribers.add(wake)
        cursor, received = 0, []
        while True:
            wake.clear()
            frames, cursor = journal.frames(cursor)
            for frame in frames:
                received += _seqs([frame])
                await asyncio.sleep(0)  # sending yields: more events may arrive meanwhile
            if journal.closed and cursor == len(journal):
                return received
            await wake.wait()

    async def scenario() -> list[list[int]]:
        journal = Journal()
        subscribers = []
        for seq in range(200):
            journal.append(_event(seq))
            if rng.random() < 0.1:
                subscribers.append(asyncio.create_task(subscriber(journal)))
            for _ in range(rng.randrange(3)):
                await asyncio.sleep(0)
        journal.close()
        return await asyncio.gather(*subscribers)

    received = asyncio.run(scenario())
    assert len(received) > 5 and all(r == list(range(200)) for r in received)


def test_a_finished_run_is_read_once_however_many_subscribers_arrive_together() -> None:
    reads = 0

    async def load() -> list[str]:
        nonlocal reads
        reads += 1
        await asyncio.sleep(0.01)
        return [_event(0), _event(1)]

    async def scenario() -> list[Journal]:
        replays = FinishedReplays()
        journals = await asyncio.gather(*(replays.get("r", load) for _ in range(50)))
        return [*journals, await replays.get("r", load)]

    journals = asyncio.run(scenario())
    assert reads == 1 and all(j is journals[0] for j in journals) and journals[0].closed and len(journals[0]) == 2


def test_a_failed_read_is_not_kept() -> None:
    attempts = 0

    async def load() -> list[str]:
        nonlocal attempts
        attempts += 1
        if attempts == 1:
            raise OSError("database gone")
        return [_event(0)]

    async def scenario() -> int:
        replays = FinishedReplays()
        with pytest.raises(OSError):
            await replays.get("r", load)
        return len(await replays.get("r", load))

    assert asyncio.run(scenario()) == 1 and attempts == 2


def test_the_least_recently_used_journals_go_first_when_over_the_size() -> None:
    replays = FinishedReplays(max_chars=3 * len(_event(0)))
    for name in ("a", "b", "c"):
        replays.put(name, Journal([_event(0)], closed=True))

    async def touch() -> None:
        await replays.get("a", _never)

    asyncio.run(touch())
    replays.put("d", Journal([_event(0)], closed=True))
    assert "a" in replays and "b" not in replays and "c" in replays and "d" in replays
    with pytest.raises(ValueError):
        replays.put("live", Journal([_event(0)]))


async def _never() -> list[str]:
    raise AssertionError("a kept journal is not read again")


def test_many_subscribers_are_woken_a_group_per_turn_of_the_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(journal_module, "WAKE_GROUP", 10)

    async def scenario() -> list[int]:
        journal = Journal()
        wakes = [asyncio.Event() for _ in range(25)]
        journal.subscribers.update(wakes)
        journal.append(_event(0))
        woken = [sum(w.is_set() for w in wakes)]
        for _ in range(3):
            await asyncio.sleep(0)  # one turn: whatever else is ready runs between the groups
            woken.append(sum(w.is_set() for w in wakes))
        return woken

    assert asyncio.run(scenario()) == [10, 20, 25, 25]

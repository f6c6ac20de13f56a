"""A run's events, encoded once, as the websocket frames every subscriber shares.

A websocket message is a JSON array of consecutive events (in `seq` order). Each event is encoded
once, when it is published (or read back from the database); a subscriber keeps only a cursor, the
number of events it has been sent, and asks for the frames after it. Full chunks of `CHUNK` events
are joined once and shared by every replay; the frame of the events after a cursor is shared by every
subscriber at that cursor (live fan-out: one frame built, the same string sent to all).

Since a subscriber is just a cursor into an append-only list, replay-then-live can neither skip nor
repeat an event, and a slow subscriber holds no backlog of its own: it gets larger frames later.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

CHUNK = 256  # events per replay frame: far fewer frames than events, each well under 1 MiB
_TAIL_CACHE = 16  # distinct (start, stop) partial frames kept: subscribers mostly share one cursor
WAKE_GROUP = 50  # subscribers woken per turn of the event loop


def frame_of(encoded: Iterable[str]) -> str:
    """One websocket message: a JSON array of already-encoded events."""
    return "[" + ",".join(encoded) + "]"


class Journal:
    """Append-only encoded events plus the subscribers (wake-up events) waiting for more."""

    def __init__(self, encoded: Iterable[str] = (), *, closed: bool = False) -> None:
        self._events: list[str] = []
        self._chunks: list[str] = []  # frame i holds events [i * CHUNK, (i + 1) * CHUNK)
        self._partial: dict[tuple[int, int], str] = {}
        self.size = 0  # characters held, for the cache of finished runs
        self.subscribers: set[asyncio.Event] = set()
        self.closed = False
        for event in encoded:
            self.append(event)
        if closed:
            self.close()

    def __len__(self) -> int:
        return len(self._events)

    def append(self, encoded: str) -> None:
        if self.closed:
            raise RuntimeError("the journal of a finished run takes no more events")
        self._events.append(encoded)
        self.size += len(encoded)
        count = len(self._events)
        if count % CHUNK == 0:
            self._chunks.append(frame_of(self._events[count - CHUNK : count]))
            self.size += len(self._chunks[-1])  # the shared frame is held beside its events
        self._wake()

    def close(self) -> None:
        """No more events: subscribers send what is left and end."""
        self.closed = True
        self._wake()

    def frames(self, start: int) -> tuple[list[str], int]:
        """The frames holding every event from `start` on, and the cursor after them."""
        end = len(self._events)
        frames: list[str] = []
        i = start
        while i < end:
            if i % CHUNK == 0 and i + CHUNK <= end:
                frames.append(self._chunks[i // CHUNK])
                i += CHUNK
            else:
                stop = min(end, (i // CHUNK + 1) * CHUNK)
                frames.append(self._part(i, stop))
                i = stop
        return frames, end

    def _part(self, start: int, stop: int) -> str:
        key = (start, stop)
        frame = self._partial.get(key)
        if frame is None:
            if len(self._partial) >= _TAIL_CACHE:
                self._partial.clear()
            frame = self._partial[key] = frame_of(self._events[start:stop])
        return frame

    def _wake(self) -> None:
        _wake_in_groups(list(self.subscribers), 0)


def _wake_in_groups(waiting: list[asyncio.Event], start: int) -> None:
    """Wake WAKE_GROUP subscribers now and the next group on the loop's next turn: the requests and
    database replies that arrived meanwhile are served between groups, instead of after all 500
    subscribers have sent (a run's live event would otherwise stall every other request by ~10 ms)."""
    stop = start + WAKE_GROUP
    for wake in waiting[start:stop]:
        wake.set()
    if stop < len(waiting):
        asyncio.get_running_loop().call_soon(_wake_in_groups, waiting, stop)

"""`core:replay`: stored bars played back as a live feed, at a chosen speed.

Simulated time starts at the first bar's `time` (or `start`) and runs `speed` times faster than
the wall clock: 1.0 is real time, 60 is one minute per second, 0 is as fast as possible. A bar is
emitted only once simulated time has reached its `time` — its close (see `timestamps.py`) — so a
subscriber never receives a bar before it would have existed. While a replay runs, `bars()` also
stops at the current simulated time: a node asking for history cannot see the future either.

Clock and sleep are injectable so tests run instantly with a fake clock.
"""

from __future__ import annotations

import heapq
import time as _time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from datetime import date, datetime
from typing import Any

import anyio
import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from quantflow.data.bars import Bars
from quantflow.data.directory import DirectoryConfig, DirectorySource
from quantflow.data.memory import MemorySource
from quantflow.data.quality import DataSourceError
from quantflow.data.source import DataSource
from quantflow.data.synthetic import SyntheticConfig, generate_market
from quantflow.data.ticks import TickFilesConfig, TickFilesSource
from quantflow.data.timestamps import bound_datetime, from_utc64, query_bound, to_utc64

Clock = Callable[[], float]
_COLUMNS = ("time", "open", "high", "low", "close", "volume")
Sleep = Callable[[float], Awaitable[None]]


class ReplayConfig(BaseModel):
    """What to replay (exactly one of `directory`, `ticks`, `synthetic`) and how fast."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    directory: DirectoryConfig | None = None
    ticks: TickFilesConfig | None = None
    synthetic: SyntheticConfig | None = None
    speed: float = Field(default=0.0, ge=0, description="0 = as fast as possible; 60 = 1 min/s.")
    start: datetime | None = Field(default=None, description="First bar time replayed (aware).")
    end: datetime | None = Field(default=None, description="Last bar time replayed (aware).")

    @model_validator(mode="after")
    def _one_source(self) -> ReplayConfig:
        given = [x for x in (self.directory, self.ticks, self.synthetic) if x is not None]
        if len(given) != 1:
            raise ValueError("set exactly one of directory, ticks or synthetic")
        return self


class ReplaySource:
    """Wraps any `DataSource` and adds `subscribe`, pacing bars by their `time`."""

    def __init__(self, inner: DataSource, speed: float = 0.0, *, start: datetime | None = None,
                 end: datetime | None = None, clock: Clock = _time.monotonic,
                 sleep: Sleep = anyio.sleep) -> None:
        if speed < 0:
            raise DataSourceError(f"replay speed must be >= 0, got {speed}")
        self.inner, self.speed = inner, speed
        self.start, self.end = start, end
        self._clock, self._sleep = clock, sleep
        self._now: np.datetime64 | None = None
        self.synthetic = bool(getattr(inner, "synthetic", False))
        self.metadata: dict[str, Any] = {"synthetic": self.synthetic, "speed": speed}

    @classmethod
    def from_config(cls, config: ReplayConfig) -> ReplaySource:
        inner: DataSource
        if config.directory is not None:
            inner = DirectorySource(config.directory)
        elif config.ticks is not None:
            inner = TickFilesSource(config.ticks)
        else:
            inner = MemorySource(generate_market(config.synthetic or SyntheticConfig()),
                                 synthetic=True)
        return cls(inner, config.speed, start=config.start, end=config.end)

    @property
    def now(self) -> datetime | None:
        """Simulated time of the running replay (None before it starts)."""
        return None if self._now is None else from_utc64(self._now)

    def symbols(self) -> Sequence[str]:
        return self.inner.symbols()

    async def bars(self, symbol: str, resolution: str, start: datetime | date | None = None,
                   end: datetime | date | None = None) -> Bars:
        """History from the inner source, cut at the simulated present while replaying. Plain
        dates become that session day's bounds: the `DataSource` protocol takes datetimes only."""
        bars = await self.inner.bars(symbol, resolution, bound_datetime(start, is_end=False),
                                     bound_datetime(end, is_end=True))
        if self._now is None:
            return bars
        return bars.upto(int(np.searchsorted(bars.time, self._now, "right")))

    async def subscribe(self, symbols: Sequence[str], resolution: str) -> AsyncIterator[Bars]:
        """One-row `Bars` per bar, all symbols merged in time order (ties: the order given)."""
        series = [await self.inner.bars(s, resolution, self.start, self.end) for s in symbols]
        lo = query_bound(self.start, is_end=False)
        hi = query_bound(self.end, is_end=True)
        merged = heapq.merge(*(_keyed(b.time, k, lo, hi) for k, b in enumerate(series)))
        sim_start: np.datetime64 | None = None if self.start is None else to_utc64(self.start)
        wall_start = self._clock()
        for t, k, i in merged:
            if sim_start is None:
                sim_start = t
            await self._wait_until(t, sim_start, wall_start)
            self._now = max(self._now, t) if self._now is not None else t
            bars = series[k]
            yield Bars(bars.symbol, *(getattr(bars, f)[i : i + 1] for f in _COLUMNS))

    async def _wait_until(self, t: np.datetime64, sim_start: np.datetime64, wall_start: float) -> None:
        """Sleep until simulated time reaches `t`; with speed 0 simulated time jumps there."""
        if self.speed == 0:
            await anyio.lowlevel.checkpoint()
            return
        while True:
            elapsed = (self._clock() - wall_start) * self.speed  # simulated seconds
            ahead = (t - sim_start) / np.timedelta64(1, "s") - elapsed
            if ahead <= 0:
                return
            # at least 1 us, so float rounding can never spin; the loop re-checks, never early
            await self._sleep(max(ahead / self.speed, 1e-6))


def _keyed(times: np.ndarray, k: int, lo: np.datetime64 | None,
           hi: np.datetime64 | None) -> Iterator[tuple[np.datetime64, int, int]]:
    """(time, series index, row) for the rows within [lo, hi]; the merge key of `subscribe`."""
    for i, t in enumerate(times):
        if (lo is None or t >= lo) and (hi is None or t <= hi):
            yield t, k, i

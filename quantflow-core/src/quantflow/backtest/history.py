"""The history a backtest runs over, and the clock-clipped view of it that nodes get.

Both execution paths read bars through `ClippedSource`: the bars of each symbol from the warm-up
start to the end, and never a bar stamped after the run's clock, whoever asks (a data node, or a
node calling `ctx.data_source` directly). That makes look-ahead impossible by construction.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache

import numpy as np

from quantflow.backtest import rules
from quantflow.data.bars import Bars
from quantflow.domain.market_data import Bar
from quantflow.errors import QuantflowError
from quantflow.nodes.panel import Panel

_VN_OFFSET = np.timedelta64(7, "h")
_SYMBOL = re.compile(r"[A-Z0-9]{1,20}\Z")
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def session_days(times: np.ndarray) -> np.ndarray:
    """Bar times (UTC) -> local session dates; works for close- and midnight-stamped daily bars."""
    return (times + _VN_OFFSET).astype("datetime64[D]")


def _cut(bars: Bars, start: int, end: int) -> Bars:
    return Bars(bars.symbol, *(getattr(bars, n)[start:end] for n in ("time", "open", "high", "low", "close", "volume")))


@dataclass(frozen=True, slots=True)
class FeedBar:
    """A daily bar as the paper broker reads it (the fields of `domain.Bar`), built without
    pydantic: the columns were checked once, for every bar, when the history was loaded."""

    symbol: str
    start: datetime
    end: datetime
    open: int
    high: int
    low: int
    close: int
    volume: int


@lru_cache(maxsize=8192)
def _session(day: date) -> tuple[datetime, datetime]:
    return rules.session_start(day), rules.daily_close(day)


@dataclass(frozen=True, slots=True)
class SymbolHistory:
    bars: Bars  # warm-up start .. end
    days: np.ndarray  # session date of each bar (datetime64[D])
    first_active: int  # index of the first bar on or after the backtest start
    whole: tuple[np.ndarray, ...] = ()  # open, high, low, close, volume in whole VND / shares (int64)
    valid: np.ndarray | None = None  # per bar: passes `domain.Bar`'s checks
    ordinals: np.ndarray | None = None  # per bar: its session date as `date.toordinal()`

    @classmethod
    def of(cls, bars: Bars, days: np.ndarray, first_active: int) -> SymbolHistory:
        columns = (bars.open, bars.high, bars.low, bars.close, bars.volume)
        finite = np.logical_and.reduce([np.isfinite(x) for x in columns]) & bool(_SYMBOL.match(bars.symbol))
        with np.errstate(invalid="ignore"):
            o, h, low, c = (np.rint(np.where(finite, x, 0)).astype(np.int64) for x in columns[:4])
            v = np.where(finite, bars.volume, 0).astype(np.int64)
        valid = finite & (o > 0) & (h > 0) & (low > 0) & (c > 0) & (v >= 0) & (h >= np.maximum(np.maximum(o, c), low)) \
            & (low <= np.minimum(o, c))
        ordinals = days.astype(np.int64) + _EPOCH_ORDINAL
        # kept as arrays: a backtest reads few bars one at a time, converting all of them costs more
        return cls(bars, days, first_active, (o, h, low, c, v), valid, ordinals)

    def broker_bar(self, i: int) -> FeedBar | Bar:
        """Bar i as the paper broker consumes it: whole VND, the session from 09:00 to 15:00. A bar
        that breaks `domain.Bar`'s rules is built as one, so it fails exactly as before."""
        day = date.fromordinal(int(self.ordinals[i])) if self.ordinals is not None else self.days[i].astype(date)
        start, end = _session(day)
        if self.valid is not None and self.valid[i]:
            o, h, low, c, v = self.whole
            return FeedBar(self.bars.symbol, start, end, int(o[i]), int(h[i]), int(low[i]), int(c[i]), int(v[i]))
        b = self.bars
        return Bar(symbol=b.symbol, start=start, end=end,
                   open=round(float(b.open[i])), high=round(float(b.high[i])), low=round(float(b.low[i])),
                   close=round(float(b.close[i])), volume=int(b.volume[i]))


@dataclass(frozen=True, slots=True)
class History:
    symbols: tuple[str, ...]
    series: dict[str, SymbolHistory]
    timeline: tuple[date, ...]  # sessions in [start, end] where any symbol has a bar
    panel: Panel  # the same bars as flat columns, for the bars node's cross-symbol frames
    days: np.ndarray  # the timeline as datetime64[D]

    def bar_index(self) -> dict[str, dict[date, int]]:
        return {s: {d: i for i, d in enumerate(h.days.astype(date).tolist())} for s, h in self.series.items()}


async def load_history(source: object, symbols: Sequence[str], start: date, end: date, warmup: int) -> History:
    """Read every symbol once; keep `warmup` bars before `start` for the indicators."""
    series: dict[str, SymbolHistory] = {}
    last = rules.daily_close(end)
    for symbol in symbols:
        bars = await source.bars(symbol, "1D", None, last)  # type: ignore[attr-defined]
        days = session_days(bars.time)
        stop = int(np.searchsorted(days, np.datetime64(end, "D"), side="right"))
        first = int(np.searchsorted(days, np.datetime64(start, "D"), side="left"))
        begin = max(0, first - warmup)
        if first >= stop:
            continue
        series[symbol] = SymbolHistory.of(_cut(bars, begin, stop), days[begin:stop], first - begin)
    if not series:
        raise QuantflowError(f"no bars for {', '.join(symbols)} between {start} and {end}")
    ordered = tuple(sorted(series))
    days = _timeline([h.days[h.first_active:] for h in series.values()])
    return History(ordered, series, tuple(days.astype(date).tolist()), Panel([series[s].bars for s in ordered]), days)


def _timeline(days: list[np.ndarray]) -> np.ndarray:
    """The sorted union of the symbols' session dates (marked on a day grid: cheaper than a sort)."""
    numbers = [d.astype(np.int64) for d in days]
    first = min(int(x[0]) for x in numbers)
    seen = np.zeros(max(int(x[-1]) for x in numbers) - first + 1, dtype=bool)
    for x in numbers:
        seen[x - first] = True
    return (np.flatnonzero(seen) + first).astype("datetime64[D]")


class ClippedSource:
    """A data source that serves the loaded history and nothing stamped after `clock()`."""

    def __init__(self, history: History, clock: Callable[[], datetime]) -> None:
        self._history = history
        self.clock = clock
        self._cutoff: tuple[datetime, np.datetime64] | None = None
        self._views: dict[str, tuple[int, Bars]] = {}  # symbol -> (bars served, the view)

    def symbols(self) -> list[str]:
        return list(self._history.symbols)

    def _ns(self, when: datetime) -> np.datetime64:
        cached = self._cutoff
        if cached is not None and cached[0] == when:
            return cached[1]
        value = np.datetime64(when.astimezone(UTC).replace(tzinfo=None), "ns")
        self._cutoff = (when, value)
        return value

    async def bars(self, symbol: str, resolution: str, start: datetime | None, end: datetime | None) -> Bars:
        if resolution != "1D":
            raise QuantflowError(f"this backtest has daily bars only, not {resolution!r}")
        found = self._history.series.get(symbol)
        if found is None:
            raise QuantflowError(f"{symbol} is not in this backtest's data")
        now = self.clock()
        limit = now if end is None or end >= now else end
        stop = int(np.searchsorted(found.bars.time, self._ns(limit), side="right"))
        if start is not None:
            begin = int(np.searchsorted(found.bars.time, np.datetime64(start.astimezone(UTC).replace(tzinfo=None), "ns")))
            return _cut(found.bars, begin, stop)
        if stop == len(found.bars):
            return found.bars
        view = self._views.get(symbol)
        if view is None or view[0] != stop:
            view = self._views[symbol] = (stop, _cut(found.bars, 0, stop))
        return view[1]

    def panel_window(self, end: datetime | None) -> tuple[Panel, np.ndarray]:
        """All symbols at once: the panel and, per panel row, how many bars lie at or before both
        the clock and `end` (what `bars()` would serve, without building a `Bars` per symbol)."""
        now = self.clock()
        limit = now if end is None or end >= now else end
        panel = self._history.panel
        return panel, panel.ends(self._ns(limit))

"""The history a backtest runs over, and the clock-clipped view of it that nodes get.

Both execution paths read bars through `ClippedSource`: the bars of each symbol from the warm-up
start to the end, and never a bar stamped after the run's clock, whoever asks (a data node, or a
node calling `ctx.data_source` directly). That makes look-ahead impossible by construction.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import NamedTuple

import numpy as np

from quantflow.backtest import rules
from quantflow.data.bars import FIELDS, Bars
from quantflow.domain.market_data import Bar
from quantflow.errors import QuantflowError
from quantflow.nodes.panel import Panel

_VN_OFFSET = np.timedelta64(7, "h")
_SYMBOL = re.compile(r"[A-Z0-9]{1,20}\Z")


def session_days(times: np.ndarray) -> np.ndarray:
    """Bar times (UTC) -> local session dates; works for close- and midnight-stamped daily bars."""
    return (times + _VN_OFFSET).astype("datetime64[D]")


def _cut(bars: Bars, start: int, end: int) -> Bars:
    return Bars(bars.symbol, *(getattr(bars, n)[start:end] for n in ("time", "open", "high", "low", "close", "volume")))


class FeedBar(NamedTuple):
    """A daily bar as the paper broker reads it (the fields of `domain.Bar`), built without
    pydantic: the columns were checked once, for every bar, when the history was loaded. A named
    tuple: the cheapest immutable record to build, once per bar a simulated broker reads."""

    symbol: str
    start: datetime
    end: datetime
    open: int
    high: int
    low: int
    close: int
    volume: int


def _whole(o: np.ndarray, h: np.ndarray, low: np.ndarray, c: np.ndarray, v: np.ndarray, days: np.ndarray,
           symbol_ok: bool | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The bars as the broker reads them (`SymbolHistory.whole`) and which pass `domain.Bar`'s
    checks; for one symbol's columns or many symbols' concatenated (`symbol_ok` per bar). Written
    into one array, one row per field, with one float scratch row: fresh memory costs a page fault
    per page, more than the arithmetic."""
    columns = (o, h, low, c, v)
    finite = np.isfinite(o)
    for x in columns[1:]:
        finite &= np.isfinite(x)
    finite &= symbol_ok
    clean = bool(finite.all())  # the usual case: no column needs its gaps zeroed first
    whole = np.empty((7, len(o)), dtype=np.int64)  # an array, not lists: a backtest reads few bars
    scratch = np.empty(len(o))
    for row, x in enumerate(columns):
        if not clean:
            np.copyto(scratch, x)
            scratch[~finite] = 0
            x = scratch
        whole[row] = np.rint(x, out=scratch) if row < 4 else x  # whole VND; volume truncated, as astype
    wo, wh, wl, wc, wv = whole[:5]
    valid = finite & (wo > 0) & (wl > 0) & (wv >= 0) & (wh >= np.maximum(np.maximum(wo, wc), wl)) \
        & (wl <= np.minimum(wo, wc))  # high, close > 0 follow from high >= low > 0 and close >= low
    whole[5] = days.astype(np.int64) + rules.EPOCH_ORDINAL
    whole[6] = valid
    return whole, valid


def by_row(rows: np.ndarray, count: int) -> Iterator[tuple[int, np.ndarray]]:
    """Each row (0 <= row < count) that occurs in `rows`, with the positions where it does, in
    order: one sort for a symbol-by-symbol pass over many cells."""
    order = np.argsort(rows, kind="stable")
    bounds = np.searchsorted(rows[order], np.arange(count + 1)).tolist()
    for r in np.flatnonzero(np.diff(bounds)).tolist():
        yield r, order[bounds[r]:bounds[r + 1]]


@lru_cache(maxsize=8192)
def _session(day: date) -> tuple[datetime, datetime]:
    return rules.session_start(day), rules.daily_close(day)


class SymbolHistory:
    """One symbol's bars over the backtest: `bars` from the warm-up start to the end, each bar's
    session date, and where the backtest period starts."""

    __slots__ = ("_valid", "_whole", "bars", "days", "first_active")

    def __init__(self, bars: Bars, days: np.ndarray, first_active: int) -> None:
        self.bars = bars
        self.days = days  # session date of each bar (datetime64[D])
        self.first_active = first_active  # index of the first bar on or after the backtest start
        self._whole: np.ndarray | None = None
        self._valid: np.ndarray | None = None

    @property
    def whole(self) -> np.ndarray:
        """Per bar (columns): open, high, low, close, volume in whole VND / shares, the session date
        as `date.toordinal()`, 1 if the bar passes `domain.Bar`'s checks (int64, 7 rows). Made on
        first use: the fast path reads the broker's bars of a few symbols only."""
        if self._whole is None:
            b = self.bars
            self._whole, self._valid = _whole(b.open, b.high, b.low, b.close, b.volume, self.days,
                                              bool(_SYMBOL.match(b.symbol)))
        return self._whole

    @property
    def valid(self) -> np.ndarray:
        """Per bar: passes `domain.Bar`'s checks."""
        if self._valid is None:
            self.whole  # noqa: B018 (computes both)
        assert self._valid is not None
        return self._valid

    def broker_bar(self, i: int) -> FeedBar | Bar:
        """Bar i as the paper broker consumes it: whole VND, the session from 09:00 to 15:00. A bar
        that breaks `domain.Bar`'s rules is built as one, so it fails exactly as before."""
        o, h, low, c, v, ordinal, ok = self.whole[:, i].tolist()
        start, end = _session(date.fromordinal(ordinal))
        if ok:
            return FeedBar(self.bars.symbol, start, end, o, h, low, c, v)
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

    def broker_columns(self, rows: np.ndarray, bars: np.ndarray) -> np.ndarray:
        """`SymbolHistory.whole` of bar `bars[j]` of symbol `symbols[rows[j]]`, for each j
        (7 × len(rows)), computed for those bars only."""
        picked = {n: np.empty(len(rows), np.result_type(*(getattr(h.bars, n) for h in self.series.values())))
                  for n in FIELDS}  # the dtype a flat column of every symbol's bars would have
        days = np.empty(len(rows), dtype="datetime64[D]")
        symbol_ok = np.empty(len(rows), dtype=bool)
        for r, at in by_row(rows, len(self.symbols)):
            h, i = self.series[self.symbols[r]], bars[at]
            for n in FIELDS:
                picked[n][at] = getattr(h.bars, n)[i]
            days[at] = h.days[i]
            symbol_ok[at] = bool(_SYMBOL.match(h.bars.symbol))
        whole, _ = _whole(picked["open"], picked["high"], picked["low"], picked["close"], picked["volume"], days, symbol_ok)
        return whole


async def load_history(source: object, symbols: Sequence[str], start: date, end: date, warmup: int) -> History:
    """Read every symbol once; keep `warmup` bars before `start` for the indicators."""
    if not symbols:
        raise QuantflowError("the workflow names no symbols to read bars for")
    cuts: dict[str, tuple[Bars, np.ndarray, int]] = {}
    absent: list[str] = []
    last = rules.daily_close(end)
    first_day, last_day = np.datetime64(start, "D"), np.datetime64(end, "D")
    for symbol in symbols:
        bars = await source.bars(symbol, "1D", None, last)  # type: ignore[attr-defined]
        days = session_days(bars.time)
        stop = int(days.searchsorted(last_day, side="right"))
        first = int(days.searchsorted(first_day, side="left"))
        begin = max(0, first - warmup)
        if first >= stop:
            absent.append(symbol)
            continue
        cuts[symbol] = (_cut(bars, begin, stop), days[begin:stop], first - begin)
    if absent:  # named by the workflow but not tradable here: say so now, not from inside a node's run
        them = "it" if len(absent) == 1 else "them"
        raise QuantflowError(f"the data has no bars between {start} and {end} for {', '.join(absent)}: remove "
                             f"{them} from the workflow's symbols, or choose a period the data covers")
    ordered = tuple(sorted(cuts))
    panel = Panel([cuts[s][0] for s in ordered])
    series = {s: SymbolHistory(bars, days, first) for s, (bars, days, first) in cuts.items()}
    days = _timeline([h.days[h.first_active:] for h in series.values()])
    return History(ordered, series, tuple(days.astype(date).tolist()), panel, days)


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

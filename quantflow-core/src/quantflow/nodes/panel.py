"""Column-wise port values for many symbols: what the built-in nodes pass in a bar-by-bar run.

A session over a universe gives every symbol one new bar. Building one `Bars` and one array per
symbol per session costs more than the work on them, so the bars node emits a `PanelFrame` and
formula nodes emit a `SeriesPanel`: flat columns with, per symbol, where its values lie. Both are
read-only `Mapping`s with the documented port semantics (`nodes/values.py`): `frame[symbol]` is a
`Bars`, `series[symbol]` an array, created on access, so a third-party node sees no difference.
Built-in nodes that know the layout read the flat columns directly (`lengths`, `take`).

A `PanelFrame` holds positions into the `Panel`, never past the `ends` it was given, so it cannot
show a bar after the run's clock any more than a sliced `Bars` can.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from quantflow.data.bars import FIELDS, Bars


@dataclass(frozen=True, eq=False)
class Layout:
    """The symbols of a panel value, in port order. Values sharing one `Layout` object are aligned
    symbol for symbol, which is what lets a node combine them column-wise."""

    symbols: tuple[str, ...]
    index: dict[str, int]

    @classmethod
    def of(cls, symbols: Sequence[str]) -> Layout:
        ordered = tuple(dict.fromkeys(symbols))
        return cls(ordered, {s: j for j, s in enumerate(ordered)})


_STEP = 64  # `Panel.ends`: at most this many distinct times later, step from the previous answer


class Panel:
    """The bars of many symbols as flat columns (symbol after symbol), concatenated on first use."""

    def __init__(self, bars: Sequence[Bars]) -> None:
        self.symbols = tuple(b.symbol for b in bars)
        self.row = {s: r for r, s in enumerate(self.symbols)}
        self.offsets = np.concatenate([[0], np.cumsum([len(b) for b in bars])]).astype(np.int64)
        self._bars = tuple(bars)
        self._time: np.ndarray | None = None
        self._columns: dict[str, np.ndarray] | None = None
        self._lengths = np.diff(self.offsets)
        self._lengths.flags.writeable = False  # handed out by `ends`
        self._latest = max((b.time.max() for b in bars if len(b)), default=None)
        # symbols whose columns share dtypes give the same values as views of their own bars as
        # of the (then not upcast) flat columns
        self._uniform = len({tuple(getattr(b, n).dtype for n in ("time", *FIELDS)) for b in bars}) <= 1
        self._ends: tuple[np.datetime64, np.ndarray, int] | None = None  # the last `ends`, and its rank
        self._by_time: tuple[np.ndarray, np.ndarray] | None = None  # see `_rows_by_time`
        self._searched = False  # `_index` built (the distinct times and a sorted key per bar)

    @property
    def time(self) -> np.ndarray:
        """Every bar's time, symbol after symbol (concatenated on first use, as `columns`)."""
        if self._time is None:
            self._time = np.concatenate([b.time for b in self._bars]) if self._bars else np.empty(0, "datetime64[ns]")
        return self._time

    @property
    def columns(self) -> dict[str, np.ndarray]:
        """The bar fields as flat columns, made on first use: a run that reads symbol by symbol
        (the fast path's one-shot signal run) never copies the bars."""
        if self._columns is None:
            empty = np.empty(0)
            self._columns = {n: np.concatenate([getattr(b, n) for b in self._bars]) if self._bars else empty
                             for n in FIELDS}
        return self._columns

    def _index(self) -> None:
        """What `ends` searches, made on the first cutoff before the last bar: a one-shot run that
        asks only for everything never sorts the times."""
        self._times = np.unique(self.time)  # every distinct bar time
        owner = np.repeat(np.arange(len(self.symbols), dtype=np.int64), self._lengths)
        self._stride = len(self._times) + 1
        self._keys = owner * self._stride + np.searchsorted(self._times, self.time)  # sorted
        self._row_keys = np.arange(len(self.symbols), dtype=np.int64) * self._stride  # each row's first key
        self._searched = True

    def ends(self, cutoff: np.datetime64) -> np.ndarray:
        """Per panel row: how many of its bars have `time <= cutoff` (every bar at or after the
        last one; else one search for all rows, or, a few distinct times after the previous
        cutoff, that answer plus the bars in between)."""
        cached = self._ends
        if cached is not None and cached[0] == cutoff:
            return cached[1]
        if self._latest is None or cutoff >= self._latest:
            self._ends = (cutoff, self._lengths, -1)  # -1: no rank to step from
            return self._lengths
        if not self._searched:
            self._index()
        rank = int(self._times.searchsorted(cutoff, side="right"))  # distinct times <= cutoff
        if cached is not None and cached[2] >= 0 and 0 <= rank - cached[2] <= _STEP:
            rows, starts = self._rows_by_time()
            found = cached[1].copy()
            between = rows[starts[cached[2]]:starts[rank]]  # the rows of the bars at those times
            if len(between):
                found += np.bincount(between, minlength=len(found))
        else:
            found = self._keys.searchsorted(self._row_keys + rank, side="left") - self.offsets[:-1]
        self._ends = (cutoff, found, rank)
        return found

    def _rows_by_time(self) -> tuple[np.ndarray, np.ndarray]:
        """Every bar's row, ordered by the bar's distinct-time index (rows in order within one
        time), and where each index starts in that order: made once, on the first small step."""
        if self._by_time is None:
            index = self._keys % self._stride  # each bar's distinct-time index
            order = np.argsort(index, kind="stable")
            rows = np.searchsorted(self.offsets, order, side="right") - 1
            starts = np.searchsorted(index[order], np.arange(len(self._times) + 1), side="left")
            self._by_time = (rows.astype(np.int64), starts.astype(np.int64))
        return self._by_time

    def bars(self, row: int, start: int, end: int) -> Bars:
        """Bars `start:end` of panel row `row`, as views of that symbol's bars."""
        if not self._uniform:
            a, z, c = self.offsets[row] + start, self.offsets[row] + end, self.columns
            return Bars(self.symbols[row], self.time[a:z], *(c[n][a:z] for n in FIELDS))
        b = self._bars[row]
        return Bars(b.symbol, b.time[start:end], *(getattr(b, n)[start:end] for n in FIELDS))


class _KeyedByLayout:
    """The key side of a panel mapping: its symbols are its layout's, in port order."""

    layout: Layout

    def __iter__(self) -> Iterator[str]:
        return iter(self.layout.symbols)

    def __len__(self) -> int:
        return len(self.layout.symbols)

    def __contains__(self, symbol: object) -> bool:
        return symbol in self.layout.index


class Shape:
    """How many values each symbol of a panel value has, and what follows from that (where each
    symbol's values start in a flat column, the longest run, the symbols with values). Derived
    lazily, once: a session's frame and every series computed from it share one `Shape`, so the
    nodes downstream do not derive the same arrays again. Read-only, like the arrays it holds."""

    __slots__ = ("_has", "_last", "_live", "_longest", "_offsets", "lengths")

    def __init__(self, lengths: np.ndarray) -> None:
        self.lengths = lengths
        self._offsets: np.ndarray | None = None
        self._longest: int | None = None
        self._live: tuple[np.ndarray | None] | None = None
        self._has: np.ndarray | None = None
        self._last: np.ndarray | None = None

    @property
    def offsets(self) -> np.ndarray:
        """Symbol j's values are `flat[offsets[j]:offsets[j + 1]]` in a column of just these values."""
        if self._offsets is None:
            offsets = np.zeros(len(self.lengths) + 1, dtype=np.int64)
            self.lengths.cumsum(out=offsets[1:])
            self._offsets = offsets
        return self._offsets

    @property
    def longest(self) -> int:
        if self._longest is None:
            self._longest = int(self.lengths.max()) if len(self.lengths) else 0
        return self._longest

    @property
    def live(self) -> np.ndarray | None:
        """The symbols with at least one value, or None when every symbol has one."""
        if self._live is None:
            self._live = (None if self.lengths.all() else self.lengths.nonzero()[0],)
        return self._live[0]

    @property
    def has(self) -> np.ndarray:
        """Per symbol: whether it has a value."""
        if self._has is None:
            self._has = self.lengths > 0
        return self._has

    @property
    def last(self) -> np.ndarray:
        """Per symbol: where its newest value lies in a column of these values (0 if it has none)."""
        if self._last is None:
            self._last = np.maximum(self.offsets[1:] - 1, 0)
        return self._last


class PanelFrame(_KeyedByLayout, Mapping[str, Bars]):
    """A frame: symbol -> its bars `starts[j]:ends[j]` in the panel (views made on access)."""

    def __init__(self, panel: Panel, layout: Layout, rows: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> None:
        self.panel, self.layout, self.rows = panel, layout, rows
        self.starts, self.ends = starts, np.maximum(ends, starts)
        self._made: dict[str, Bars] = {}
        self.shape = Shape(self.ends - self.starts)
        self._positions: np.ndarray | None = None
        self._newest: np.ndarray | None = None

    def __getitem__(self, symbol: str) -> Bars:
        found = self._made.get(symbol)
        if found is None:
            j = self.layout.index[symbol]
            found = self._made[symbol] = self.panel.bars(int(self.rows[j]), int(self.starts[j]), int(self.ends[j]))
        return found

    @property
    def lengths(self) -> np.ndarray:
        """Per symbol: how many bars (one array for every reader: do not modify it)."""
        return self.shape.lengths

    def positions(self) -> np.ndarray:
        """Per symbol: the flat position of its first bar in this frame (shared: read only)."""
        if self._positions is None:
            self._positions = self.panel.offsets[self.rows] + self.starts
        return self._positions

    def newest(self) -> np.ndarray:
        """Per symbol: the flat position of its newest bar in this frame, or of its first bar when
        it has none (shared: read only)."""
        if self._newest is None:
            lengths = self.shape.lengths
            self._newest = self.positions() + np.maximum(lengths - 1, 0) if self.shape.longest != 1 else self.positions()
        return self._newest

    def column(self, name: str, positions: np.ndarray) -> np.ndarray:
        """A bar field at flat `positions` (`value` is close × volume, as `Bars.column`)."""
        c = self.panel.columns
        values: np.ndarray
        if name == "value":
            values = c["close"][positions] * c["volume"][positions]
        elif name == "time":
            values = self.panel.time[positions]
        else:
            values = c[name][positions]
        return values


class SeriesPanel(_KeyedByLayout, Mapping[str, np.ndarray]):
    """A series: symbol -> `flat[offsets[j]:offsets[j + 1]]` (views made on access)."""

    def __init__(self, layout: Layout, values: np.ndarray, offsets: np.ndarray, lengths: np.ndarray | None = None,
                 *, shape: Shape | None = None) -> None:
        """`lengths`, when the caller has them, must be `np.diff(offsets)`; `shape`, that of
        these lengths (both shared, not copied)."""
        self.layout, self.flat, self.offsets = layout, values, offsets
        self._lengths = lengths if shape is None else shape.lengths
        self._shape = shape

    def __getitem__(self, symbol: str) -> np.ndarray:
        j = self.layout.index[symbol]
        view: np.ndarray = self.flat[self.offsets[j]:self.offsets[j + 1]]
        return view

    @property
    def lengths(self) -> np.ndarray:
        """Per symbol: how many values (one array for every reader: do not modify it)."""
        if self._lengths is None:
            self._lengths = np.diff(self.offsets)
        return self._lengths

    @property
    def shape(self) -> Shape:
        if self._shape is None:
            self._shape = Shape(self.lengths)
        return self._shape

    def positions(self) -> np.ndarray:
        return self.offsets[:-1]

    def latest(self) -> tuple[np.ndarray, np.ndarray]:
        """Per symbol: (has a value, its newest value — meaningless where it has none)."""
        shape = self._shape
        if shape is not None and self.offsets is shape.offsets and len(self.flat):
            return shape.has, self.flat[shape.last]
        has = self.offsets[1:] > self.offsets[:-1]
        if not len(self.flat):
            return has, np.zeros(len(has), dtype=self.flat.dtype)
        return has, self.flat[np.maximum(self.offsets[1:] - 1, 0)]

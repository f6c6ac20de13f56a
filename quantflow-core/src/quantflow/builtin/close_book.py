"""What the action nodes remember between runs: per symbol, the session day of its latest bar, that
close, and the close of the latest bar of an earlier session (the reference of an order placed
during the same session). Kept as arrays with one slot per symbol, so a panel frame
(`nodes/panel.py`) updates every symbol with a few numpy operations instead of a loop, while any
other frame updates symbol by symbol with the same rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from quantflow.data.bars import Bars
from quantflow.nodes.panel import Layout, PanelFrame, SeriesPanel

_VN_OFFSET_NS = 7 * 3600 * 10**9
_DAY_NS = 86_400 * 10**9


def session_day(t: np.datetime64) -> int:
    """The local session date of a bar time, as days since 1970 (cheap: no datetime objects)."""
    return (int(t.view("int64")) + _VN_OFFSET_NS) // _DAY_NS


class CloseBook:
    def __init__(self) -> None:
        self.slot: dict[str, int] = {}
        self.day = np.zeros(0, dtype=np.int64)
        self.close = np.zeros(0, dtype=np.int64)
        self.prior = np.zeros(0, dtype=np.int64)
        self.has_prior = np.zeros(0, dtype=bool)
        self.known = np.zeros(0, dtype=bool)
        self._layout: tuple[Layout, np.ndarray] | None = None

    def _slots(self, symbols: tuple[str, ...]) -> np.ndarray:
        for s in symbols:
            self.slot.setdefault(s, len(self.slot))
        grow = len(self.slot) - len(self.day)
        if grow > 0:
            self.day, self.close, self.prior = (np.concatenate([a, np.zeros(grow, np.int64)])
                                                for a in (self.day, self.close, self.prior))
            self.has_prior, self.known = (np.concatenate([a, np.zeros(grow, bool)]) for a in (self.has_prior, self.known))
        return np.array([self.slot[s] for s in symbols], dtype=np.int64)

    def get(self, symbol: str) -> tuple[int, int, int | None] | None:
        k = self.slot.get(symbol)
        if k is None or not self.known.item(k):
            return None
        return self.day.item(k), self.close.item(k), self.prior.item(k) if self.has_prior.item(k) else None

    def closes(self, symbols: Any) -> dict[str, int]:
        """The latest close of each of `symbols` that has one."""
        return {s: found[1] for s in symbols if (found := self.get(s)) is not None}

    def update(self, symbol: str, bars: Bars) -> None:
        """Remember `symbol`'s newest bars (those of this run)."""
        n = len(bars)
        if not n:
            return
        day, close = session_day(bars.time[-1]), round(float(bars.close[-1]))
        known = self.get(symbol)
        prior: int | None
        if known is not None and known[0] == day and n == 1:
            prior = known[2]
        else:
            prior = None
            for i in range(n - 2, -1, -1):
                if session_day(bars.time[i]) < day:
                    prior = round(float(bars.close[i]))
                    break
            if prior is None and known is not None:
                prior = known[1] if known[0] < day else known[2]
        k = int(self._slots((symbol,))[0])
        self.day[k], self.close[k], self.known[k] = day, close, True
        self.prior[k], self.has_prior[k] = (prior, True) if prior is not None else (0, False)

    def update_panel(self, frame: PanelFrame) -> None:
        """`update` for every symbol of a panel frame: vectorised where a symbol has one new bar."""
        shape = frame.shape
        if shape.longest > 1:
            lengths = shape.lengths
            for j in np.flatnonzero(lengths > 1).tolist():
                symbol = frame.layout.symbols[j]
                self.update(symbol, frame[symbol])
            one = lengths == 1
            if not one.any():
                return
        elif shape.longest == 1:
            one = shape.has  # (read only)
        else:
            return
        at = frame.positions()[one]
        raw = frame.column("close", at)
        if np.count_nonzero(np.isfinite(raw)) != len(raw):  # as `round(float(nan))` in `update`: a clear error
            for j in np.flatnonzero(one).tolist():
                self.update(frame.layout.symbols[j], frame[frame.layout.symbols[j]])
            return
        if self._layout is None or self._layout[0] is not frame.layout:
            self._layout = (frame.layout, self._slots(frame.layout.symbols))
        k = self._layout[1][one]
        day = (frame.column("time", at).view(np.int64) + _VN_OFFSET_NS) // _DAY_NS
        known = self.known[k]
        rolled = known & (self.day[k] < day)  # a new session: the old close is the prior
        self.prior[k] = np.where(rolled, self.close[k], self.prior[k])
        self.has_prior[k] = rolled | (known & self.has_prior[k])
        self.day[k], self.close[k], self.known[k] = day, np.rint(raw).astype(np.int64), True


def truth(series: Mapping[str, Any] | None, layout: Layout) -> np.ndarray:
    """Per symbol of `layout`: whether the series' newest value is truthy (False without one)."""
    if series is None:
        return np.zeros(len(layout.symbols), dtype=bool)
    if isinstance(series, SeriesPanel) and series.layout is layout:
        has, last = series.latest()
        return np.asarray(has & last.astype(bool), dtype=bool)
    out = np.zeros(len(layout.symbols), dtype=bool)
    for j, symbol in enumerate(layout.symbols):
        values = series.get(symbol)
        out[j] = values is not None and len(values) > 0 and bool(values[-1].item())
    return out

"""The backtest timeline as a symbols × sessions table: which bar of each symbol falls on each
session, and the latest close the broker has seen. Built once with numpy, so a session's bars are
found without a lookup per symbol."""

from __future__ import annotations

import numpy as np

from quantflow.backtest.history import History


class Sessions:
    def __init__(self, history: History) -> None:
        days = history.days  # the timeline as datetime64[D]
        n, m = len(history.symbols), len(days)
        self.index = np.full((n, m), -1, dtype=np.int64)  # bar index of symbol row on session k
        self.close = np.zeros((n, m), dtype=np.int64)  # latest whole-VND close seen by session k
        self.valid = np.ones((n, m), dtype=bool)  # the bar passes `domain.Bar`'s checks
        self._history = history
        sessions = np.arange(m)
        for row, symbol in enumerate(history.symbols):  # (row by row: no symbols x sessions temporaries)
            h = history.series[symbol]
            pos = np.searchsorted(days, h.days[h.first_active:])
            self.index[row, pos] = np.arange(h.first_active, len(h.days))
            self.valid[row, pos] = h.valid[h.first_active:]
            with np.errstate(invalid="ignore"):
                closes = np.rint(np.nan_to_num(h.bars.close)).astype(np.int64)
            last = np.maximum.accumulate(np.where(self.index[row] >= 0, sessions, -1))
            self.close[row] = np.where(last >= 0, closes[self.index[row, np.maximum(last, 0)]], 0)
        self._rows, self._bars = _by_session(self.index)
        broken = np.flatnonzero(~np.all(self.valid, axis=0)).tolist()  # sessions with a rule-breaking bar (rare)
        self._bad = {k: self._rows[k][~self.valid[self._rows[k], k]].tolist() for k in broken}

    def bars(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Session k: the symbol rows with a bar (in symbol order) and those bars' indexes."""
        return self._rows[k], self._bars[k]

    def check(self, k: int) -> None:
        """Raise as the broker's bar would for a bar that breaks `domain.Bar`'s rules (the feed
        only builds bars for symbols it must feed; every bar of the session is checked here)."""
        for row in self._bad.get(k, ()):
            symbol = self._history.symbols[row]
            self._history.series[symbol].broker_bar(int(self.index[row, k]))


def _by_session(index: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Per session (column of `index`): the rows with a bar, in order, and those bars' indexes.
    One pass over the table in session order, then a slice per session (not a search per session)."""
    present = (index >= 0).T  # sessions x rows
    rows = np.nonzero(present)[1]  # row numbers, session after session
    bars = index.T[present]  # the same entries' bar indexes
    ends = np.cumsum(np.count_nonzero(present, axis=1)).tolist()
    starts = [0, *ends[:-1]]
    return ([rows[a:b] for a, b in zip(starts, ends, strict=True)],
            [bars[a:b] for a, b in zip(starts, ends, strict=True)])

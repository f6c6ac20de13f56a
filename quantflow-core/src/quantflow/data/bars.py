"""Bars of one symbol as columns: what data nodes emit and indicators consume.

Columns are numpy arrays so that a backtest computes whole series at once. Prices are float64
holding whole VND (exact up to 2**53, far above any Vietnamese price; index levels are points);
volume is float64 holding whole shares. `time` is UTC `datetime64[ns]`, strictly increasing, and is
the instant the bar became final — its close (daily: 15:00 Asia/Ho_Chi_Minh), see
`quantflow.data.timestamps`. So the bars a node may see at instant `t` are exactly `time <= t`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from quantflow.errors import QuantflowError

FIELDS = ("open", "high", "low", "close", "volume")


@dataclass(frozen=True, slots=True, eq=False)
class Bars:
    symbol: str
    time: np.ndarray
    open: np.ndarray
    high: np.ndarray
    low: np.ndarray
    close: np.ndarray
    volume: np.ndarray

    def __post_init__(self) -> None:
        n = len(self.time)
        for name in FIELDS:
            if len(getattr(self, name)) != n:
                raise QuantflowError(
                    f"bars of {self.symbol}: column {name!r} has {len(getattr(self, name))} rows, "
                    f"time has {n}"
                )

    def __len__(self) -> int:
        return len(self.time)

    def column(self, name: str) -> np.ndarray:
        """A price/volume column by name; `value` is close × volume (traded value in VND)."""
        values: np.ndarray
        if name == "value":
            values = self.close * self.volume
        elif name in FIELDS:
            values = getattr(self, name)
        else:
            raise QuantflowError(f"bars have no column {name!r}; expected one of {FIELDS + ('value',)}")
        return values

    def upto(self, end: int) -> Bars:
        """The first `end` bars: the view a node gets at bar `end - 1`, with no future in it."""
        return Bars(
            self.symbol,
            *(getattr(self, name)[:end] for name in ("time", *FIELDS)),
        )

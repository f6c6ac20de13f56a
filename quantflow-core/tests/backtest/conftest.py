"""Real daily bars from ../shared/data/vn (read in place, never copied) and the SMA-cross workflow."""

from __future__ import annotations

import csv
from functools import cache
from typing import Any

import numpy as np
import pytest
from quantflow.data.bars import Bars
from quantflow.testing.data import require_shared_data, shared_data_dir
from quantflow.testing.workflows import example, with_params

DATA = shared_data_dir() / "daily" / "vci_adjusted_2019_2025"


@pytest.fixture
def _shared_data() -> None:
    require_shared_data("daily", "vci_adjusted_2019_2025")


needs_data = pytest.mark.usefixtures("_shared_data")  # missing data fails in CI, skips elsewhere


@cache
def load(symbol: str) -> Bars:
    """Daily bars stamped at 15:00 Asia/Ho_Chi_Minh (08:00 UTC), the data layer's convention."""
    with (DATA / f"{symbol}.csv").open() as handle:
        rows = list(csv.DictReader(handle))[:-1]  # the last row is a partial intraday snapshot
    time = np.array([np.datetime64(r["date"][:10], "ns") + np.timedelta64(8, "h") for r in rows])
    def col(k: str) -> np.ndarray:
        return np.array([round(float(r[k]) * 1000) for r in rows], dtype=float)

    return Bars(symbol, time, col("open"), col("high"), col("low"), col("close"),
                np.array([float(r["volume"]) for r in rows]))


class Source:
    """A minimal DataSource over the CSV files (deliberately unclipped: the backtest must clip)."""

    def __init__(self, *symbols: str) -> None:
        self.data = {s: load(s) for s in symbols}

    def symbols(self) -> list[str]:
        return list(self.data)

    async def bars(self, symbol: str, resolution: str, start: Any, end: Any) -> Bars:
        return self.data[symbol]


def sma_cross(symbols: list[str], *, order: dict[str, Any] | None = None, lookback: int = 300) -> dict[str, Any]:
    """The published SMA(10/30) crossover example on these symbols, with these order params."""
    return with_params(example("sma_crossover"), bars={"symbols": symbols, "lookback": lookback}, trade=order or {})

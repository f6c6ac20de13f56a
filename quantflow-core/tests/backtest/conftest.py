"""Real daily bars from ../shared/data/vn (read in place, never copied) and the SMA-cross workflow."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from quantflow.data.bars import Bars

DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "vn" / "daily" / "vci_adjusted_2019_2025"
needs_data = pytest.mark.skipif(not DATA.exists(), reason="needs ../shared/data/vn")


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
    """Long-only SMA(10/30) crossover: buy on the cross above, sell on the cross below."""
    return {
        "id": "sma-cross", "name": "SMA 10/30 cross",
        "nodes": [
            {"id": "bars", "type": "core:bars", "params": {"symbols": symbols, "lookback": lookback}},
            {"id": "fast", "type": "core:indicator", "params": {"function": "sma", "args": [10]}},
            {"id": "slow", "type": "core:indicator", "params": {"function": "sma", "args": [30]}},
            {"id": "up", "type": "core:crossover", "params": {"direction": "above"}},
            {"id": "down", "type": "core:crossover", "params": {"direction": "below"}},
            {"id": "trade", "type": "core:place_order", "params": order or {}},
        ],
        "edges": [
            {"source": "bars", "source_port": "frame", "target": "fast", "target_port": "frame"},
            {"source": "bars", "source_port": "frame", "target": "slow", "target_port": "frame"},
            {"source": "fast", "source_port": "out", "target": "up", "target_port": "a"},
            {"source": "slow", "source_port": "out", "target": "up", "target_port": "b"},
            {"source": "fast", "source_port": "out", "target": "down", "target_port": "a"},
            {"source": "slow", "source_port": "out", "target": "down", "target_port": "b"},
            {"source": "bars", "source_port": "frame", "target": "trade", "target_port": "frame"},
            {"source": "up", "source_port": "out", "target": "trade", "target_port": "buy"},
            {"source": "down", "source_port": "out", "target": "trade", "target_port": "sell"},
        ],
    }

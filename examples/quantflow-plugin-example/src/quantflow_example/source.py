"""One data source: a seeded random walk on business days, clearly synthetic."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import numpy as np
from pydantic import BaseModel, ConfigDict, Field
from quantflow.data import Bars


class RandomWalkConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    symbols: list[str] = Field(default_factory=lambda: ["DEMO"], min_length=1)
    seed: int = 42
    days: int = Field(500, ge=2, le=20_000)
    start_price_vnd: int = Field(20_000, gt=0)


class RandomWalkSource:
    """Synthetic daily bars (prices rounded to 10 VND); the same seed gives the same market."""

    synthetic = True

    def __init__(self, config: RandomWalkConfig) -> None:
        self.config = config

    def symbols(self) -> Sequence[str]:
        return list(self.config.symbols)

    async def bars(self, symbol: str, resolution: str, start: datetime | None, end: datetime | None) -> Bars:
        if symbol not in self.config.symbols:
            raise KeyError(f"random walk source has no symbol {symbol!r}")
        rng = np.random.default_rng([self.config.seed, sum(map(ord, symbol))])
        days = np.arange(np.datetime64("2020-01-01"), np.datetime64("2100-01-01"), dtype="datetime64[D]")
        days = days[np.is_busday(days)][: self.config.days].astype("datetime64[ns]")
        close = self.config.start_price_vnd * np.exp(np.cumsum(rng.normal(0, 0.02, len(days))))
        close = np.round(close / 10) * 10
        open_ = np.concatenate([[close[0]], close[:-1]])
        high, low = np.maximum(open_, close), np.minimum(open_, close)
        volume = rng.integers(10_000, 1_000_000, len(days)).astype(float)
        keep = np.ones(len(days), bool)
        if start is not None:
            keep &= days >= np.datetime64(start.replace(tzinfo=None), "ns")
        if end is not None:
            keep &= days <= np.datetime64(end.replace(tzinfo=None), "ns")
        return Bars(symbol, days[keep], open_[keep], high[keep], low[keep], close[keep], volume[keep])

"""A seeded synthetic market: geometric random walks on the real trading calendar, prices on the
tick ladder, inside the daily band. For demos and tests that must run with no data installed.

It is NOT market data: sources built from it report `synthetic = True`, and the default symbols
start with `SYN` so they cannot be mistaken for listed tickers.
"""

from __future__ import annotations

from datetime import date

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from quantflow.data.bars import Bars
from quantflow.data.timestamps import daily_bar_time
from quantflow.market.calendar import default_calendar
from quantflow.market.ticks import TickLadder, ladder


class SyntheticConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    seed: int = Field(default=7, description="Same seed, same market, on every machine.")
    symbols: tuple[str, ...] = ("SYNA", "SYNB", "SYNC")
    start: date = date(2024, 1, 2)
    end: date = date(2024, 12, 31)
    start_price: int = Field(default=25_000, gt=0, description="First close, VND.")
    drift: float = Field(default=0.0003, description="Mean daily log return.")
    volatility: float = Field(default=0.02, ge=0, le=0.05, description="Daily log-return stdev.")
    band: float = Field(default=0.07, gt=0, lt=1, description="Daily price limit (HOSE: 7%).")
    mean_volume: int = Field(default=1_000_000, gt=0, description="Shares per session, average.")
    tick_ladder: str = "HOSE"

    @model_validator(mode="after")
    def _dates(self) -> SyntheticConfig:
        if self.end < self.start:
            raise ValueError("end must not be before start")
        return self


def generate_market(config: SyntheticConfig) -> dict[str, Bars]:
    """Daily bars per symbol; each symbol has its own stream seeded by (seed, index)."""
    days = np.array(default_calendar().trading_days(config.start, config.end), "datetime64[D]")
    times = daily_bar_time(days)
    return {
        symbol: _walk(symbol, times, np.random.default_rng([config.seed, i]), config)
        for i, symbol in enumerate(config.symbols)
    }


def _walk(symbol: str, times: np.ndarray, rng: np.random.Generator, cfg: SyntheticConfig) -> Bars:
    grid = ladder(cfg.tick_ladder)
    n = len(times)
    limit = np.log1p(cfg.band) * 0.9  # stay clearly inside the band after tick rounding
    returns = np.clip(rng.normal(cfg.drift, cfg.volatility, n), -limit, limit)
    gaps = np.clip(rng.normal(0, cfg.volatility / 3, n), -limit / 2, limit / 2)
    wick_up = np.abs(rng.normal(0, cfg.volatility / 2, n))
    wick_down = np.abs(rng.normal(0, cfg.volatility / 2, n))
    volume = np.rint(rng.lognormal(np.log(cfg.mean_volume), 0.5, n) / 100) * 100

    rows = np.zeros((n, 4))
    prev = float(cfg.start_price)
    for i in range(n):
        cap_up, cap_down = prev * (1 + cfg.band), prev * (1 - cfg.band)
        opened = _snap(grid, prev * np.exp(gaps[i]), cap_down, cap_up)
        closed = _snap(grid, prev * np.exp(returns[i]), cap_down, cap_up)
        high = _snap(grid, max(opened, closed) * np.exp(wick_up[i]), cap_down, cap_up,
                     floor=max(opened, closed))
        low = _snap(grid, min(opened, closed) * np.exp(-wick_down[i]), cap_down, cap_up,
                    ceiling=min(opened, closed))
        rows[i] = (opened, high, low, closed)
        prev = closed
    return Bars(symbol, times, rows[:, 0], rows[:, 1], rows[:, 2], rows[:, 3], volume)


def _snap(grid: TickLadder, price: float, lo: float, hi: float, *, floor: float = 0.0,
          ceiling: float = float("inf")) -> float:
    """Nearest valid tick within [lo, hi] (the band), then kept >= floor and <= ceiling."""
    p: float = grid.round_nearest(max(1, round(min(max(price, lo), hi))))
    if p > hi:
        p = grid.round_down(int(hi))
    if p < lo:
        p = grid.round_up(int(np.ceil(lo)))
    p = max(p, floor)
    p = min(p, ceiling)
    return float(p)

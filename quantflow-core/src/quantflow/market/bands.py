"""Daily price bands: reference, ceiling and floor (dnse-api.md §5).

Rule (as the exchanges publish it): ceiling = reference x (1 + band), rounded DOWN to the tick grid;
floor = reference x (1 - band), rounded UP to the tick grid. Both roundings move into the band, so
every price between floor and ceiling is legal. The tick is the one at the rounded price, so near a
ladder boundary the two limits can use different ticks (HOSE 9,350 +7% = 10,004.5 -> ceiling 10,000
on the 50 VND grid). If rounding would collapse a limit onto the reference (very low prices), that
limit moves one tick away from the reference. All arithmetic is exact (`Fraction`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import NamedTuple

import numpy as np

from quantflow.domain.instrument import Exchange
from quantflow.market.exchanges import spec_for
from quantflow.market.ticks import TickLadder, ladder


@dataclass(frozen=True)
class PriceLimits:
    """Reference, ceiling and floor for one trading day, all whole VND on the tick grid."""

    reference: int
    ceiling: int
    floor: int

    def contains(self, price: int) -> bool:
        return self.floor <= price <= self.ceiling


@lru_cache(maxsize=65536)  # pure; a backtest asks for the same few prices every session
def reference_from_close(previous_close: int, ladder_id: str) -> int:
    """The reference price from the previous session's close, snapped to the nearest tick (a real
    close is already on the grid; back-adjusted data may not be)."""
    return ladder(ladder_id).round_nearest(previous_close)


def band_percent(exchange: Exchange, *, first_day: bool = False) -> int:
    """The band in whole percent: ±7/10/15 normally, ±20/30/40 on a first trading day."""
    spec = spec_for(exchange)
    return spec.first_day_band_pct if first_day else spec.daily_band_pct


@lru_cache(maxsize=65536)  # pure, and the result is frozen
def price_limits(
    exchange: Exchange,
    reference: int,
    *,
    first_day: bool = False,
    ladder_id: str | None = None,
) -> PriceLimits:
    """Ceiling and floor around `reference` (which must be on the tick grid)."""
    grid: TickLadder = ladder(ladder_id or spec_for(exchange).tick_ladder)
    if not grid.is_on_tick(reference):
        raise ValueError(f"reference {reference} is not on the {grid.name} tick grid")
    pct = band_percent(exchange, first_day=first_day)
    raw_ceiling = Fraction(reference * (100 + pct), 100)
    raw_floor = Fraction(reference * (100 - pct), 100)
    ceiling = grid.round_down(math.floor(raw_ceiling))
    floor = grid.round_up(math.ceil(raw_floor))
    if ceiling <= reference:
        ceiling = grid.round_up(reference + 1)
    if floor >= reference:
        floor = grid.round_down(reference - 1)
    return PriceLimits(reference=reference, ceiling=ceiling, floor=floor)


class BandArrays(NamedTuple):
    """Price bands of many closes: `ok` false where `limits_for`-style code gets a ValueError (a
    close that is not a positive price, or a band with no valid price); elsewhere the reference,
    ceiling and floor `price_limits(reference_from_close(close))` gives."""

    ok: np.ndarray
    reference: np.ndarray
    ceiling: np.ndarray
    floor: np.ndarray


def bands_from_closes(exchange: Exchange, ladder_id: str, closes: np.ndarray, *, first_day: bool = False) -> BandArrays:
    """`reference_from_close` then `price_limits` for a whole array of previous closes, in exact
    int64 arithmetic (closes below 2**50), step for step as the scalar functions (a property test
    holds them equal): a backtest asks for thousands of distinct closes."""
    grid = ladder(ladder_id)
    close = np.asarray(closes, dtype=np.int64)
    ok = close > 0
    close = np.where(ok, close, 1)
    tick = grid.tick_sizes(close)  # round_nearest, ties upward, never to a price <= 0
    down = close - close % tick
    up = np.where(down < close, down + tick, close)
    reference = np.where((down <= 0) | (close - down >= up - close), up, down)
    pct = band_percent(exchange, first_day=first_day)
    high = reference * (100 + pct) // 100  # floor of the exact product, rounded down to the grid
    ceiling = high - high % grid.tick_sizes(high)
    ok &= ceiling > 0
    low = -(-reference * (100 - pct) // 100)  # ceiling of the exact product, rounded up to the grid
    floor = _round_up(grid, low)
    ceiling = np.where(ceiling <= reference, _round_up(grid, reference + 1), ceiling)
    below = np.maximum(reference - 1, 1)  # a collapsed floor moves one tick down, if there is one
    lowered = below - below % grid.tick_sizes(below)
    collapsed = floor >= reference
    ok &= ~collapsed | ((reference > 1) & (lowered > 0))
    floor = np.where(collapsed, lowered, floor)
    return BandArrays(ok, reference, ceiling, floor)


def _round_up(grid: TickLadder, prices: np.ndarray) -> np.ndarray:
    tick = grid.tick_sizes(prices)
    return -(-prices // tick) * tick  # type: ignore[no-any-return]

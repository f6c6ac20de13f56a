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

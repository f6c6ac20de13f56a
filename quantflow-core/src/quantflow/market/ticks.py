"""Tick-size ladders: which prices are valid, and rounding onto the grid (dnse-api.md §5).

All prices are whole VND. A ladder is a table of (from price, tick) rows; a price p lies in the row
with the largest `from` <= p and is valid when it is a multiple of that row's tick. Every row boundary
is a multiple of every tick in the ladder, so rounding within a row always lands on the grid, and the
boundaries themselves (10,000 and 50,000 on HOSE) are valid prices.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from quantflow.domain.money import format_vnd


@dataclass(frozen=True)
class TickLadder:
    """A named price ladder: `rows` are (from_price, tick) in VND, ascending, starting at 0."""

    name: str
    rows: tuple[tuple[int, int], ...]

    def __post_init__(self) -> None:
        froms = [start for start, _ in self.rows]
        if not self.rows or froms[0] != 0 or froms != sorted(set(froms)):
            raise ValueError(f"ladder {self.name}: rows must start at 0 and ascend strictly")
        ticks = [tick for _, tick in self.rows]
        if any(t <= 0 for t in ticks) or any(start % t for start in froms for t in ticks):
            raise ValueError(f"ladder {self.name}: every boundary must be a multiple of every tick")

    def _row(self, price: int) -> int:
        _check_price(price)
        index = 0
        for i, (start, _) in enumerate(self.rows):
            if price >= start:
                index = i
        return index

    def tick_size(self, price: int) -> int:
        """The tick that applies at `price`."""
        return self.rows[self._row(price)][1]

    def tick_sizes(self, prices: np.ndarray) -> np.ndarray:
        """`tick_size` of many positive prices at once (int64 arrays; the caller checks > 0)."""
        starts = np.array([start for start, _ in self.rows], dtype=np.int64)
        ticks = np.array([tick for _, tick in self.rows], dtype=np.int64)
        found: np.ndarray = ticks[np.searchsorted(starts, prices, side="right") - 1]
        return found

    def is_on_tick(self, price: int) -> bool:
        return price > 0 and price % self.tick_size(price) == 0

    def round_down(self, price: int) -> int:
        """The highest valid price <= `price`. Raises ValueError if there is none (price < first tick)."""
        result = price - price % self.tick_size(price)
        if result <= 0:
            raise ValueError(f"no valid {self.name} price at or below {format_vnd(price)}")
        return result

    def round_up(self, price: int) -> int:
        """The lowest valid price >= `price` (may be a row boundary, e.g. 49,960 -> 50,000 on HOSE)."""
        tick = self.tick_size(price)
        return -(-price // tick) * tick

    def round_nearest(self, price: int) -> int:
        """The nearest valid price; an exact tie resolves upward."""
        tick = self.tick_size(price)  # the tick `round_up` and `round_down` both use
        offset = price % tick
        down = price - offset
        up = down + tick if offset else price
        if down <= 0:  # no valid price at or below: `round_down` would raise
            return up
        return down if price - down < up - price else up

    def describe_row(self, price: int) -> str:
        """Human text for the grid at `price`, e.g. "50 VND tick grid for prices 10,000–49,950"."""
        i = self._row(price)
        start, tick = self.rows[i]
        if len(self.rows) == 1:
            return f"{tick} VND tick grid"
        if i + 1 < len(self.rows):
            end = self.rows[i + 1][0] - tick
            if start == 0:
                return f"{tick} VND tick grid for prices below {format_vnd(end + tick)}"
            return f"{tick} VND tick grid for prices {format_vnd(start)}–{format_vnd(end)}"
        return f"{tick} VND tick grid for prices from {format_vnd(start)}"


def _check_price(price: int) -> None:
    if isinstance(price, bool) or not isinstance(price, int):
        raise TypeError(f"price must be an int of VND, got {price!r}")
    if price <= 0:
        raise ValueError(f"price must be positive, got {price}")


#: Stock tick ladders by id; `Instrument.tick_ladder_id` selects one (default: the exchange name).
TICK_LADDERS: Mapping[str, TickLadder] = MappingProxyType(
    {
        "HOSE": TickLadder("HOSE", ((0, 10), (10_000, 50), (50_000, 100))),
        "HNX": TickLadder("HNX", ((0, 100),)),
        "UPCOM": TickLadder("UPCOM", ((0, 100),)),
    }
)


def ladder(ladder_id: str) -> TickLadder:
    """Look up a ladder by id (an exchange name for stocks), with a clear error if unknown."""
    try:
        return TICK_LADDERS[ladder_id]
    except KeyError:
        raise KeyError(f"unknown tick ladder {ladder_id!r}; known: {sorted(TICK_LADDERS)}") from None

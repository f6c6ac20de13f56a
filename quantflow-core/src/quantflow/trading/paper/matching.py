"""How the paper broker fills: pure functions from (order, market print) to (quantity, price).

On bars (the order must predate the bar's start, so no look-ahead):
* ATO fills at the bar's open, ATC and PLO at its close (the auction prices).
* LO buys fill when low <= limit, at the limit, or at the open if the bar opened below it;
  LO sells mirror that with high >= limit.
* MTL/MAK/MOK fill at the open moved `slippage_ticks` ticks against us, kept inside the band.
On ticks: LO at its limit when the print trades at or through it; market types at the print plus
slippage; ATO/ATC only on prints flagged as that auction.
Quantity is capped by `max_participation` x the print's volume, rounded down to round lots for
round-lot orders; odd-lot orders fill whole or not at all.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from quantflow.domain.market_data import Auction, Tick
from quantflow.domain.orders import Order, OrderType, Side
from quantflow.market.bands import PriceLimits
from quantflow.market.ticks import TickLadder
from quantflow.trading.broker import BarLike

MARKET_TYPES = frozenset({OrderType.MTL, OrderType.MAK, OrderType.MOK})


def volume_budget(volume: int, participation: Decimal) -> int:
    """Shares our orders may take from a print of `volume` shares: floor(volume x participation),
    exactly, in integers (the decimal's own ratio)."""
    num, den = _ratio(participation)
    return volume * num // den


@lru_cache(maxsize=64)
def _ratio(participation: Decimal) -> tuple[int, int]:
    return participation.as_integer_ratio()


def fillable_quantity(remaining: int, budget: int, lot: int) -> int:
    if remaining < lot:  # odd lot: all or nothing
        return remaining if budget >= remaining else 0
    return min(remaining, budget - budget % lot)


def _slipped(price: int, side: Side, ticks: int, grid: TickLadder, limits: PriceLimits) -> int:
    for _ in range(ticks):
        price = grid.round_up(price + 1) if side is Side.BUY else grid.round_down(price - 1)
    return min(max(price, limits.floor), limits.ceiling)


def _limit_fill(order: Order, limit: int, low: int, high: int, opening: int) -> int | None:
    if order.side is Side.BUY and low <= limit:
        return min(limit, opening)
    if order.side is Side.SELL and high >= limit:
        return max(limit, opening)
    return None


def bar_price(
    order: Order, bar: BarLike, limit: int | None, slippage_ticks: int, grid: TickLadder, limits: PriceLimits
) -> int | None:
    """The price `order` fills at on `bar`, or None. `limit` is the LO price (or MTL's converted limit)."""
    kind = order.order_type
    if kind is OrderType.ATO:
        return bar.open
    if kind in (OrderType.ATC, OrderType.PLO):
        return bar.close
    if limit is not None:
        return _limit_fill(order, limit, bar.low, bar.high, bar.open)
    return _slipped(bar.open, order.side, slippage_ticks, grid, limits)


def tick_price(
    order: Order, tick: Tick, limit: int | None, slippage_ticks: int, grid: TickLadder, limits: PriceLimits
) -> int | None:
    kind = order.order_type
    if kind in (OrderType.ATO, OrderType.ATC):
        return tick.price if tick.auction == Auction(kind.value) else None
    if kind is OrderType.PLO:
        return None  # needs the day's close; only bar data provides it
    if limit is not None:
        hit = tick.price <= limit if order.side is Side.BUY else tick.price >= limit
        return limit if hit else None
    return _slipped(tick.price, order.side, slippage_ticks, grid, limits)

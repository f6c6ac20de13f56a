"""Order rules shared by the `core:place_order` node and the backtester's fast path.

Written once so the bar-by-bar path (the node talking to the paper broker) and the vectorised path
(a loop simulating the same broker) cannot drift apart: when an order placed at a bar goes live,
how its price limits are known, how many shares each sizing mode buys or sells. Money is whole VND;
every quantity is rounded DOWN to the round lot.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from fractions import Fraction
from functools import lru_cache
from typing import Literal

import numpy as np

from quantflow.domain.instrument import Exchange, Instrument
from quantflow.domain.orders import OrderType
from quantflow.market.bands import PriceLimits, price_limits, reference_from_close
from quantflow.market.calendar import TradingCalendar
from quantflow.market.fees import FeeSchedule, rate_ratio
from quantflow.market.sessions import VN_TZ, to_vn_time
from quantflow.market.ticks import ladder

Sizing = Literal["quantity", "percent_equity", "target_percent", "atr_risk"]

#: The earliest instant an order for a session can be live: the opening call (HOSE ATO) starts.
SESSION_OPEN = time(9, 0)
#: After this, no order placed today can still trade today (ATC is under way or over).
LAST_ENTRY = time(14, 30)
#: When a daily bar is complete (the data convention of `quantflow.data.timestamps`).
DAILY_CLOSE = time(15, 0)
assert DAILY_CLOSE >= LAST_ENTRY  # `order_days`: a daily bar's signal always trades the next session
#: `date.toordinal()` of the numpy epoch: datetime64[D] day numbers + this = ordinals
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def daily_close(day: date) -> datetime:
    """The instant (UTC) at which `day`'s daily bar is final: the clock of a run on that bar."""
    return datetime.combine(day, DAILY_CLOSE, tzinfo=VN_TZ).astimezone(UTC)


def session_start(day: date) -> datetime:
    return datetime.combine(day, SESSION_OPEN, tzinfo=VN_TZ)


def order_time(now: datetime, calendar: TradingCalendar) -> datetime:
    """When an order decided at `now` goes live: `now` during a session, else the next session's
    opening call. A signal on a daily bar (decided at 15:00) therefore trades the next session,
    checked against that session's price band, as a Vietnamese pre-session order does."""
    local = to_vn_time(now)
    day = local.date()
    if calendar.is_trading_day(day):
        if local.time() < SESSION_OPEN:
            return session_start(day)
        if local.time() < LAST_ENTRY:
            return local
    return session_start(calendar.next_trading_day(day))


def order_days(days: np.ndarray, calendar: TradingCalendar) -> np.ndarray:
    """The session each daily bar's signal trades in (datetime64[D] in and out): `order_time`'s day
    for `daily_close(day)`, at once. A daily bar closes after LAST_ENTRY, so that is always the
    next trading day. NaT where the calendar cannot tell (`order_time` raises there, saying why):
    a backtest meets that only if it decides an order on such a bar."""
    return calendar.known_next_trading_days(days)


def instrument_for(symbol: str, instruments: dict[str, Instrument] | None) -> Instrument:
    """The instrument a host declared, else a HOSE stock with the standard round lot."""
    found = (instruments or {}).get(symbol)
    return found if found is not None else Instrument(symbol=symbol, exchange=Exchange.HOSE)


def limits_for(instrument: Instrument, previous_close: int, day: date) -> PriceLimits | None:
    """`day`'s band from the previous session's close, exactly as the paper broker derives it;
    None when the close has no valid band (e.g. a back-adjusted price below the lowest tick):
    no order can be checked, so none is sent."""
    try:
        reference = reference_from_close(previous_close, instrument.tick_ladder_id)
        return price_limits(instrument.exchange, reference, first_day=instrument.listing_date == day,
                            ladder_id=instrument.tick_ladder_id)
    except ValueError:
        return None


def limit_price(instrument: Instrument, close: int, offset_ticks: int, buy: bool, limits: PriceLimits) -> int:
    """An LO price: the close snapped to the tick grid, moved `offset_ticks` ticks towards a fill
    (up for a buy, down for a sell), kept inside the band."""
    grid = ladder(instrument.tick_ladder_id)
    price = grid.round_down(close) if buy else grid.round_up(close)
    for _ in range(offset_ticks):
        price = grid.round_up(price + 1) if buy else grid.round_down(price - 1)
    return min(max(price, limits.floor), limits.ceiling)


def reserve_price(order_type: OrderType, price: int | None, limits: PriceLimits) -> int:
    """The price the risk engine values a buy at: the limit for LO, the ceiling otherwise."""
    return price if price is not None and order_type is OrderType.LO else limits.ceiling


def reserve_cost(value: int, fees: FeeSchedule) -> int:
    """Cash a buy of `value` VND ties up: the value plus the fee (what the risk engine checks)."""
    return value + fees.fee(value)


def round_lot(quantity: int, lot: int) -> int:
    return max(0, quantity - quantity % lot) if quantity > 0 else 0


def affordable(buying_power: int, price: int, fees: FeeSchedule, lot: int) -> int:
    """The most round-lot shares whose value plus fee fits in `buying_power` at `price`."""
    if buying_power <= 0 or price <= 0:
        return 0
    num, den = rate_ratio(fees.fee_rate)  # floor(bp / (price x (1 + rate))), in integers
    qty = round_lot(buying_power * den // (price * (den + num)), lot)
    while qty > 0 and reserve_cost(price * qty, fees) > buying_power:
        qty -= lot
    return qty


def buy_quantity(
    sizing: Sizing, *, lot: int, equity: int, close: int, held: int, reserve_at: int, buying_power: int,
    fees: FeeSchedule, quantity: int, percent: float, risk_percent: float, atr_multiple: float,
    atr: float | None,
) -> int:
    """Shares to buy for one entry signal (0: nothing to do). The wanted size comes from the sizing
    mode at the bar's close; it is then capped by what buying power covers at `reserve_at` (the
    price the risk engine will value the order at), and rounded down to the round lot."""
    if sizing == "quantity":
        wanted = quantity
    elif sizing == "percent_equity":
        wanted = _share_of(equity, percent, close)
    elif sizing == "target_percent":
        wanted = _share_of(equity, percent, close) - held
    else:
        if atr is None or not math.isfinite(atr) or atr <= 0:
            return 0
        risk = Fraction(equity) * Fraction(str(risk_percent)) / 100
        wanted = math.floor(risk / (Fraction(str(atr_multiple)) * Fraction(atr)))
    wanted = round_lot(wanted, lot)
    return min(wanted, affordable(buying_power, reserve_at, fees, lot))


def target_excess(*, lot: int, equity: int, close: int, held: int, percent: float) -> int:
    """Round-lot shares above a target-percent position (what a rebalance sells)."""
    return round_lot(held - _share_of(equity, percent, close), lot)


@lru_cache(maxsize=256)
def _percent_ratio(percent: float) -> tuple[int, int]:
    """`percent` as the decimal a person typed (Fraction(str(x))), cached: sizing runs per order."""
    return Fraction(str(percent)).as_integer_ratio()


def _share_of(equity: int, percent: float, close: int) -> int:
    """floor(equity x percent / 100 / close) shares, exactly, in integer arithmetic."""
    num, den = _percent_ratio(percent)
    return equity * num // (den * 100 * close)


def client_order_id(node_id: str, symbol: str, when: datetime, side: str) -> str:
    """Deterministic, hence idempotent: re-running the same node on the same bar can never send a
    second order (the broker returns the first)."""
    return f"{order_id_prefix(node_id, symbol)}{order_id_stamp(when)}.{side[0]}"


def order_id_prefix(node_id: str, symbol: str) -> str:
    """The part of `client_order_id` fixed per node and symbol (for callers making thousands)."""
    return f"{_safe_id(node_id)}.{symbol}."


@lru_cache(maxsize=1024)
def _safe_id(node_id: str) -> str:
    return "".join(c if c.isalnum() or c in "_.-" else "_" for c in node_id)[:30]


def session_stamps(days: np.ndarray) -> list[str]:
    """`order_id_stamp(session_start(day))` of each day (datetime64[D]), at once: a backtest
    stamps every session. The stamp's digits are one integer's, YYYYMMDDhhmm."""
    days = days.astype("datetime64[D]", copy=False)
    months = days.astype("datetime64[M]")
    years = months.astype("datetime64[Y]")
    year = years.astype(np.int64) + 1970
    month = (months - years).astype(np.int64) + 1
    day = (days - months).astype(np.int64) + 1
    number = ((year * 100 + month) * 100 + day) * 10_000 + SESSION_OPEN.hour * 100 + SESSION_OPEN.minute
    return [f"{x:012d}" for x in number.tolist()]


@lru_cache(maxsize=4096)
def order_id_stamp(when: datetime) -> str:
    """Cached: every order placed for one session shares its stamp."""
    return to_vn_time(when).strftime("%Y%m%d%H%M")


def equity_of(cash: int, holdings: Mapping[str, int], closes: Mapping[str, int]) -> int:
    """Cash plus holdings at their latest closes (holdings with no known close count at 0)."""
    return cash + sum(qty * closes.get(symbol, 0) for symbol, qty in holdings.items())

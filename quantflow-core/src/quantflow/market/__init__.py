"""Vietnamese market rules as data: exchanges, tick ladders, price bands, sessions, the trading
calendar with T+2 settlement, and trading costs. Units: whole VND and shares throughout."""

from quantflow.market.bands import PriceLimits, band_percent, price_limits, reference_from_close
from quantflow.market.calendar import (
    HOLIDAY_CORRECTIONS,
    CalendarRangeError,
    TradingCalendar,
    add_trading_days,
    default_calendar,
    is_trading_day,
    next_trading_day,
    previous_trading_day,
    settlement_date,
)
from quantflow.market.exchanges import EXCHANGE_SPECS, ExchangeSpec, spec_for
from quantflow.market.fees import FeeSchedule
from quantflow.market.sessions import VN_TZ, Session, session_at, to_vn_time
from quantflow.market.ticks import TICK_LADDERS, TickLadder, ladder

__all__ = [
    "EXCHANGE_SPECS",
    "HOLIDAY_CORRECTIONS",
    "TICK_LADDERS",
    "VN_TZ",
    "CalendarRangeError",
    "ExchangeSpec",
    "FeeSchedule",
    "PriceLimits",
    "Session",
    "TickLadder",
    "TradingCalendar",
    "add_trading_days",
    "band_percent",
    "default_calendar",
    "is_trading_day",
    "ladder",
    "next_trading_day",
    "previous_trading_day",
    "price_limits",
    "reference_from_close",
    "session_at",
    "settlement_date",
    "spec_for",
    "to_vn_time",
]

"""Trading sessions by exchange, in Asia/Ho_Chi_Minh time (UTC+7, no DST), dnse-api.md §5.

Each timetable is a list of half-open [start, end) windows; any instant outside every window, or on a
day the calendar says is closed, is `Session.CLOSED`. The published timetables predate KRX; a live
adapter should prefer DNSE's session channel, but backtests and the paper broker use these.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time
from enum import StrEnum
from functools import lru_cache
from types import MappingProxyType
from zoneinfo import ZoneInfo

from quantflow.domain.instrument import Exchange
from quantflow.market.calendar import TradingCalendar, default_calendar

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


class Session(StrEnum):
    ATO = "ato"  # opening call auction
    CONTINUOUS = "continuous"
    LUNCH = "lunch"
    ATC = "atc"  # closing call auction
    PUT_THROUGH = "put_through"  # negotiated deals only
    PLO = "plo"  # HNX post-close session at the closing price
    CLOSED = "closed"


_W = tuple[time, time, Session]

TIMETABLES: Mapping[Exchange, tuple[_W, ...]] = MappingProxyType(
    {
        Exchange.HOSE: (
            (time(9, 0), time(9, 15), Session.ATO),
            (time(9, 15), time(11, 30), Session.CONTINUOUS),
            (time(11, 30), time(13, 0), Session.LUNCH),
            (time(13, 0), time(14, 30), Session.CONTINUOUS),
            (time(14, 30), time(14, 45), Session.ATC),
            (time(14, 45), time(15, 0), Session.PUT_THROUGH),
        ),
        Exchange.HNX: (
            (time(9, 0), time(11, 30), Session.CONTINUOUS),
            (time(11, 30), time(13, 0), Session.LUNCH),
            (time(13, 0), time(14, 30), Session.CONTINUOUS),
            (time(14, 30), time(14, 45), Session.ATC),
            (time(14, 45), time(15, 0), Session.PLO),
        ),
        Exchange.UPCOM: (
            (time(9, 0), time(11, 30), Session.CONTINUOUS),
            (time(11, 30), time(13, 0), Session.LUNCH),
            (time(13, 0), time(15, 0), Session.CONTINUOUS),
        ),
    }
)


def to_vn_time(when: datetime) -> datetime:
    """`when` in Asia/Ho_Chi_Minh. Naive datetimes are refused: their meaning is a guess."""
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError(f"datetime {when!r} is naive; pass a timezone-aware datetime")
    return when.astimezone(VN_TZ)


@lru_cache(maxsize=8192)
def vn_day(when: datetime) -> date:
    """The Vietnamese trading day of instant `when`, cached: simulations ask it for the same few
    instants again and again (a session's bar times, its order time)."""
    return to_vn_time(when).date()


def session_at(
    exchange: Exchange, when: datetime, calendar: TradingCalendar | None = None
) -> Session:
    """The session `exchange` is in at instant `when` (holidays and weekends are CLOSED)."""
    local = to_vn_time(when)
    if not (calendar or default_calendar()).is_trading_day(local.date()):
        return Session.CLOSED
    clock = local.time()
    for start, end, session in TIMETABLES[Exchange(exchange)]:
        if start <= clock < end:
            return session
    return Session.CLOSED

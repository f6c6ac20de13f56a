"""When a clock-driven trigger fires next: schedules by their cron, bar closes by the trading day.

A host with no market data feed (the server on its own) still knows when a bar closes: bars are
cut on the clock. The trading day has two windows, 09:00-11:30 and 13:00-15:00 Vietnam time (the
widest over HOSE, HNX and UPCoM, put-through and PLO included). An intraday bar of length r closes
at every multiple of r from a window's start, and at the window's end if that is not one (a 1H bar
closes at 10:00, 11:00, 11:30, 14:00 and 15:00); a daily bar closes at 15:00. Only trading days
count. Triggers woken by prices (tick, price alert) are not clock-driven: they need a feed.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from quantflow.data.timestamps import DAILY_BAR_CLOSE
from quantflow.market.calendar import TradingCalendar, default_calendar
from quantflow.market.sessions import VN_TZ, to_vn_time
from quantflow.triggers.schedule import next_fire_time
from quantflow.triggers.specs import TriggerKind, TriggerSpec

#: The trading day's windows (start, end) in Vietnam time, over every exchange.
TRADING_WINDOWS: tuple[tuple[time, time], ...] = ((time(9, 0), time(11, 30)), (time(13, 0), time(15, 0)))
MINUTES = {"1m": 1, "5m": 5, "15m": 15, "30m": 30, "1H": 60}
CLOCK_DRIVEN = frozenset({TriggerKind.SCHEDULE, TriggerKind.BAR_CLOSE})


def bar_closes(day: date, resolution: str) -> list[datetime]:
    """Every instant a bar of `resolution` closes on `day` (assumed a trading day), in order."""
    if resolution == "1D":
        return [datetime.combine(day, DAILY_BAR_CLOSE, VN_TZ)]
    if resolution not in MINUTES:
        raise ValueError(f"unknown bar resolution {resolution!r}; expected one of 1D, {', '.join(MINUTES)}")
    step = timedelta(minutes=MINUTES[resolution])
    closes: list[datetime] = []
    for start, end in TRADING_WINDOWS:
        opening, closing = datetime.combine(day, start, VN_TZ), datetime.combine(day, end, VN_TZ)
        moment = opening + step
        while moment < closing:
            closes.append(moment)
            moment += step
        closes.append(closing)
    return closes


def next_bar_close(resolution: str, after: datetime, calendar: TradingCalendar | None = None) -> datetime:
    """The first bar close strictly after `after` (timezone-aware), on a trading day.

    Raises `CalendarRangeError` past the calendar's known years, as `next_fire_time` does."""
    calendar = calendar or default_calendar()
    local = to_vn_time(after)
    day = local.date()
    while True:
        if calendar.is_trading_day(day):
            for moment in bar_closes(day, resolution):
                if moment > local:
                    return moment
        day += timedelta(days=1)


def next_wake(spec: TriggerSpec, after: datetime, calendar: TradingCalendar | None = None) -> datetime | None:
    """When the clock next wakes `spec`: None for a schedule that never matches again, and for
    kinds the clock cannot wake (manual, tick, price alert, plugin triggers)."""
    if spec.kind is TriggerKind.SCHEDULE:
        return next_fire_time(spec.params, after, calendar)
    if spec.kind is TriggerKind.BAR_CLOSE:
        return next_bar_close(str(spec.params.get("resolution", "1D")), after, calendar)
    return None

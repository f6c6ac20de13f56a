"""The Vietnamese trading calendar: weekdays minus exchange holidays, and T+2 settlement.

The default calendar ships holidays for 2018-2027 (`data/vn_holidays_2018_2027.txt`, from the MIT
`vn-market-calendar` package) with the corrections below, verified against VNINDEX sessions. Asking
about a date outside the covered range raises `CalendarRangeError` instead of guessing: an unknown
holiday is exactly the kind of silent error that shifts a settlement date. Build a `TradingCalendar`
with your own holidays to cover other years.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from functools import lru_cache
from importlib import resources
from types import MappingProxyType

import numpy as np

from quantflow.errors import QuantflowError

#: Fixes to the upstream holiday list: date -> (is_holiday, why). Each is tested.
HOLIDAY_CORRECTIONS: Mapping[date, tuple[bool, str]] = MappingProxyType(
    {
        date(2025, 2, 3): (False, "listed upstream as Tet Day 4, but HOSE traded (VNINDEX session)"),
        date(2018, 12, 31): (True, "New Year bridge closure missing upstream (no VNINDEX session)"),
        date(2025, 5, 2): (True, "Reunification bridge closure missing upstream (no VNINDEX session)"),
    }
)

#: Settlement cycle of stocks, fund certificates and ETFs, in trading days.
STOCK_SETTLEMENT_DAYS = 2


class CalendarRangeError(QuantflowError, ValueError):
    """A date outside the years whose holidays the calendar knows."""


class TradingCalendar:
    """Trading days between `first` and `last` inclusive: Monday-Friday, not in `holidays`."""

    def __init__(self, holidays: Iterable[date], first: date, last: date) -> None:
        if last < first:
            raise ValueError("last must not be before first")
        self.holidays: frozenset[date] = frozenset(holidays)
        self.first = first
        self.last = last
        #: every trading day in order, and each one's position: built on the first question that
        #: reads the table (settlement, next trading days), in one vectorised pass (a few thousand
        #: days; the days never change)
        self._days: list[date] | None = None
        self._table = np.empty(0, dtype="datetime64[D]")  # the same days as an array
        self._position: dict[date, int] = {}

    def _check(self, day: date) -> None:
        if not self.first <= day <= self.last:
            raise CalendarRangeError(
                f"{day} is outside the trading calendar ({self.first} to {self.last}); "
                "holidays for that year are unknown"
            )

    def is_trading_day(self, day: date) -> bool:
        self._check(day)
        return day.weekday() < 5 and day not in self.holidays

    def next_trading_day(self, day: date) -> date:
        """The first trading day strictly after `day`."""
        return self._step(day, 1)

    def known_next_trading_days(self, days: np.ndarray) -> np.ndarray:
        """`next_trading_day` of each of `days` (datetime64[D]) at once, from the table of trading
        days; NaT where it raises, saying why (the days it steps through leave the calendar), and
        for every day before the calendar's first, even the one whose next day is inside it:
        `rules.order_time` raises for those (it asks whether the day itself trades), and a
        backtest's order days rely on NaT meaning "ask the day-by-day question"."""
        if self._days is None:
            self._index()
        table = self._table
        at = np.searchsorted(table, days, side="right")
        known = (days >= np.datetime64(self.first, "D")) & (at < len(table))
        found: np.ndarray = np.where(known, table[np.minimum(at, len(table) - 1)], np.datetime64("NaT"))
        return found

    def previous_trading_day(self, day: date) -> date:
        """The last trading day strictly before `day`."""
        return self._step(day, -1)

    def _step(self, day: date, direction: int) -> date:
        candidate = day + timedelta(days=direction)
        while not self.is_trading_day(candidate):
            candidate += timedelta(days=direction)
        return candidate

    def add_trading_days(self, day: date, n: int) -> date:
        """The trading day `n` trading days after `day` (before, if n < 0).

        `day` itself need not be a trading day: n=1 from a Saturday is the next Monday (if open).
        n=0 returns `day` and requires it to be a trading day.
        """
        if n == 0:
            if not self.is_trading_day(day):
                raise ValueError(f"{day} is not a trading day")
            return day
        direction = 1 if n > 0 else -1
        for _ in range(abs(n)):
            day = self._step(day, direction)
        return day

    def trading_days(self, start: date, end: date) -> list[date]:
        """All trading days in [start, end]."""
        days, day = [], start
        while day <= end:
            if self.is_trading_day(day):
                days.append(day)
            day += timedelta(days=1)
        return days

    def settlement_date(self, trade_date: date, cycle: int = STOCK_SETTLEMENT_DAYS) -> date:
        """The day shares bought on `trade_date` settle and become sellable (T+2 by default)."""
        if self._days is None:
            self._index()
        assert self._days is not None
        i = self._position.get(trade_date)
        if i is not None and 0 <= i + cycle < len(self._days):
            return self._days[i + cycle]
        if not self.is_trading_day(trade_date):  # outside the calendar, not a trading day, or
            raise ValueError(f"{trade_date} is not a trading day; nothing trades then")
        return self.add_trading_days(trade_date, cycle)  # past its edge: the same errors as ever

    def settlement_dates(self, days: np.ndarray, cycle: int = STOCK_SETTLEMENT_DAYS) -> np.ndarray:
        """`settlement_date` of each of `days` (datetime64[D]) at once, from the table of trading
        days; NaT where the table has no answer (not a trading day, or settling past the calendar:
        `settlement_date` raises for those, saying why)."""
        if self._days is None:
            self._index()
        table = self._table
        at = np.searchsorted(table, days)
        known = (at + cycle < len(table)) & (table[np.minimum(at, len(table) - 1)] == days)
        found: np.ndarray = np.where(known, table[np.minimum(at + cycle, len(table) - 1)], np.datetime64("NaT"))
        return found

    def _index(self) -> None:
        """All trading days from `first` to `last` at once: weekdays (1970-01-01 was a Thursday)
        not in `holidays`, the same rule as `is_trading_day`."""
        start = np.datetime64(self.first, "D")
        days = np.arange(start, np.datetime64(self.last, "D") + 1)
        open_ = (days.astype(np.int64) + 3) % 7 < 5
        if self.holidays:
            open_ &= ~np.isin(days, np.array(sorted(self.holidays), dtype="datetime64[D]"))
        self._table = days[open_]
        trading: list[date] = self._table.tolist()
        self._position = {day: i for i, day in enumerate(trading)}
        self._days = trading


def _read_shipped_holidays() -> set[date]:
    text = resources.files("quantflow.market").joinpath("data/vn_holidays_2018_2027.txt").read_text(
        encoding="utf-8"
    )
    days = set()
    for line in text.splitlines():
        entry = line.split("#", 1)[0].strip()
        if entry:
            days.add(date.fromisoformat(entry))
    return days


@lru_cache(maxsize=1)
def default_calendar() -> TradingCalendar:
    """The shipped HOSE/HNX/UPCoM calendar for 2018-2027, corrections applied."""
    holidays = _read_shipped_holidays()
    for day, (closed, _why) in HOLIDAY_CORRECTIONS.items():
        if closed:
            holidays.add(day)
        else:
            holidays.discard(day)
    return TradingCalendar(holidays, date(2018, 1, 1), date(2027, 12, 31))


def is_trading_day(day: date) -> bool:
    return default_calendar().is_trading_day(day)


def next_trading_day(day: date) -> date:
    return default_calendar().next_trading_day(day)


def previous_trading_day(day: date) -> date:
    return default_calendar().previous_trading_day(day)


def add_trading_days(day: date, n: int) -> date:
    return default_calendar().add_trading_days(day, n)


def settlement_date(trade_date: date) -> date:
    """T+2 on the default calendar."""
    return default_calendar().settlement_date(trade_date)

import csv
from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from quantflow.market import (
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
from quantflow.testing.data import require_shared_data


def test_each_upstream_correction_is_applied() -> None:
    assert is_trading_day(date(2025, 2, 3))  # upstream said Tet holiday; HOSE traded
    assert not is_trading_day(date(2018, 12, 31))  # missing upstream
    assert not is_trading_day(date(2025, 5, 2))  # missing upstream
    assert set(HOLIDAY_CORRECTIONS) == {date(2025, 2, 3), date(2018, 12, 31), date(2025, 5, 2)}


def test_shipped_file_still_holds_the_upstream_data() -> None:
    from quantflow.market.calendar import _read_shipped_holidays

    raw = _read_shipped_holidays()
    assert len(raw) == 113 and date(2025, 2, 3) in raw and date(2025, 5, 2) not in raw


def test_weekends_and_known_holidays() -> None:
    assert not is_trading_day(date(2025, 3, 8)) and not is_trading_day(date(2025, 3, 9))
    assert not is_trading_day(date(2024, 2, 12))  # Tet
    assert is_trading_day(date(2024, 2, 15))


def test_next_previous_and_add() -> None:
    assert next_trading_day(date(2025, 1, 24)) == date(2025, 2, 3)  # across Tet
    assert previous_trading_day(date(2025, 2, 3)) == date(2025, 1, 24)
    assert next_trading_day(date(2025, 3, 7)) == date(2025, 3, 10)  # over a weekend
    assert add_trading_days(date(2025, 3, 8), 1) == date(2025, 3, 10)
    assert add_trading_days(date(2025, 3, 10), -1) == date(2025, 3, 7)
    assert add_trading_days(date(2025, 3, 10), 0) == date(2025, 3, 10)
    with pytest.raises(ValueError):
        add_trading_days(date(2025, 3, 8), 0)


@pytest.mark.parametrize(
    ("trade", "settle"),
    [
        (date(2025, 3, 4), date(2025, 3, 6)),
        (date(2025, 3, 6), date(2025, 3, 10)),  # Thu -> Mon
        (date(2025, 1, 24), date(2025, 2, 4)),  # across Tet, 2025-02-03 counted as trading
        (date(2025, 4, 29), date(2025, 5, 6)),  # across 30/4, 1/5 and the 2/5 bridge
    ],
)
def test_t_plus_2(trade: date, settle: date) -> None:
    assert settlement_date(trade) == settle


def test_settlement_needs_a_trading_day_and_range_is_enforced() -> None:
    with pytest.raises(ValueError, match="not a trading day"):
        settlement_date(date(2025, 3, 8))
    with pytest.raises(CalendarRangeError):
        is_trading_day(date(2017, 12, 29))
    with pytest.raises(CalendarRangeError):
        next_trading_day(date(2027, 12, 31))


def test_custom_calendar() -> None:
    cal = TradingCalendar([date(2030, 1, 1)], date(2030, 1, 1), date(2030, 12, 31))
    assert not cal.is_trading_day(date(2030, 1, 1))
    assert cal.trading_days(date(2030, 1, 1), date(2030, 1, 7)) == [
        date(2030, 1, 2), date(2030, 1, 3), date(2030, 1, 4), date(2030, 1, 7)]


def test_calendar_matches_vnindex_sessions_2018_2025() -> None:
    """Every VNINDEX session is a trading day, and every calendar trading day has a session."""
    with require_shared_data("indices", "VNINDEX.csv").open(encoding="utf-8-sig") as f:
        sessions = {date.fromisoformat(row["time"]) for row in csv.DictReader(f)}
    cal = default_calendar()
    start, end = date(2018, 1, 1), date(2025, 12, 31)
    in_range = {d for d in sessions if start <= d <= end}
    assert len(in_range) > 1_900
    not_trading = sorted(d for d in in_range if not cal.is_trading_day(d))
    assert not_trading == []
    missing = sorted(d for d in cal.trading_days(start, end) if d not in sessions)
    assert missing == []
    # the data itself has no weekend sessions (sanity of the check)
    assert all(d.weekday() < 5 for d in in_range)
    assert max(sessions) - timedelta(days=1) > end  # the data runs past the checked range


@settings(max_examples=200, deadline=None)
@given(st.lists(st.dates(min_value=date(2017, 12, 1), max_value=date(2028, 1, 31)), max_size=20))
def test_next_trading_days_at_once_equal_one_by_one(days: list[date]) -> None:
    calendar = default_calendar()
    found = calendar.known_next_trading_days(np.array(days, dtype="datetime64[D]"))
    for day, after in zip(days, found.astype(date).tolist(), strict=True):
        if after is None:  # NaT: the one-by-one question raises, or the day is before the calendar
            if day >= calendar.first:
                with pytest.raises(CalendarRangeError):
                    calendar.next_trading_day(day)
        else:
            assert after == calendar.next_trading_day(day)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.dates(min_value=date(2017, 12, 1), max_value=date(2028, 1, 31)), max_size=20))
def test_settlement_dates_at_once_equal_one_by_one(days: list[date]) -> None:
    calendar = default_calendar()
    found = calendar.settlement_dates(np.array(days, dtype="datetime64[D]"))
    for day, settles in zip(days, found.astype(date).tolist(), strict=True):
        if settles is None:  # NaT: the one-by-one question raises
            with pytest.raises(ValueError):
                calendar.settlement_date(day)
        else:
            assert settles == calendar.settlement_date(day)

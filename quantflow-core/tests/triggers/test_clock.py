"""Clock-driven wakes: bar closes on the Vietnamese trading day, worked examples then properties
against a minute-by-minute oracle; `next_wake` per trigger kind."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from quantflow.market.calendar import CalendarRangeError, default_calendar
from quantflow.market.sessions import VN_TZ
from quantflow.triggers import TriggerKind, TriggerSpec
from quantflow.triggers.clock import MINUTES, bar_closes, next_bar_close, next_wake


def vn(*args: int) -> datetime:
    return datetime(*args, tzinfo=VN_TZ)


def test_an_hourly_bar_closes_on_the_hour_and_at_each_window_end() -> None:
    hours = [t.strftime("%H:%M") for t in bar_closes(date(2025, 3, 3), "1H")]
    assert hours == ["10:00", "11:00", "11:30", "14:00", "15:00"]


def test_thirty_minute_bars_fill_both_windows() -> None:
    closes = bar_closes(date(2025, 3, 3), "30m")
    assert len(closes) == 5 + 4 and closes[0] == vn(2025, 3, 3, 9, 30) and closes[-1] == vn(2025, 3, 3, 15)


def test_a_daily_bar_closes_at_three_in_the_afternoon_on_the_next_trading_day() -> None:
    # Friday 2025-01-24 after the close: the weekend and the Tet holiday (27 Jan - 31 Jan 2025) are skipped
    assert next_bar_close("1D", vn(2025, 1, 24, 15, 0)) == vn(2025, 2, 3, 15, 0)
    assert next_bar_close("1D", vn(2025, 1, 24, 14, 59)) == vn(2025, 1, 24, 15, 0)


def test_the_lunch_break_has_no_bar_close() -> None:
    assert next_bar_close("5m", vn(2025, 3, 3, 11, 30)) == vn(2025, 3, 3, 13, 5)


def test_an_unknown_resolution_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="unknown bar resolution '2H'"):
        bar_closes(date(2025, 3, 3), "2H")


def test_beyond_the_calendar_it_refuses_rather_than_guesses() -> None:
    last = default_calendar().last
    with pytest.raises(CalendarRangeError):
        next_bar_close("1D", datetime(last.year, last.month, last.day, 16, tzinfo=VN_TZ))


def _oracle(resolution: str, after: datetime) -> datetime:
    """Minute by minute: the first minute after `after` that ends a bar on a trading day."""
    calendar = default_calendar()
    minute = after.astimezone(VN_TZ).replace(second=0, microsecond=0) + timedelta(minutes=1)
    length = MINUTES.get(resolution)
    while True:
        if calendar.is_trading_day(minute.date()):
            clock = minute.hour * 60 + minute.minute
            for start, end in ((9 * 60, 11 * 60 + 30), (13 * 60, 15 * 60)):
                in_window = start < clock <= end
                if length is None and clock == 15 * 60:
                    return minute
                if length is not None and in_window and ((clock - start) % length == 0 or clock == end):
                    return minute
        minute += timedelta(minutes=1)


@settings(max_examples=150, deadline=None)
@given(
    resolution=st.sampled_from(["1m", "5m", "15m", "30m", "1H", "1D"]),
    after=st.datetimes(min_value=datetime(2019, 1, 1), max_value=datetime(2025, 12, 20), timezones=st.just(UTC)),
)
def test_next_bar_close_is_the_first_bar_end_after_the_instant(resolution: str, after: datetime) -> None:
    got = next_bar_close(resolution, after)
    assert got > after and got == _oracle(resolution, after)


def _spec(kind: TriggerKind, **params: object) -> TriggerSpec:
    return TriggerSpec(node_id="t", type_id=f"core:{kind.value}", kind=kind, params=params)


def test_next_wake_reads_each_clock_driven_kind_and_nothing_else() -> None:
    monday = vn(2025, 3, 3, 8, 0)
    assert next_wake(_spec(TriggerKind.SCHEDULE, cron="30 9 * * *", trading_days_only=False), monday) == vn(2025, 3, 3, 9, 30)
    assert next_wake(_spec(TriggerKind.BAR_CLOSE, resolution="15m", symbols=[]), monday) == vn(2025, 3, 3, 9, 15)
    for kind in (TriggerKind.MANUAL, TriggerKind.TICK, TriggerKind.PRICE_ALERT, TriggerKind.CUSTOM):
        assert next_wake(_spec(kind), monday) is None

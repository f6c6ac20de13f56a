"""Cron checking and next fire times: worked examples on the Vietnamese calendar, then properties
against a brute-force oracle that reads the cron fields directly."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from quantflow.market.calendar import (
    CalendarRangeError,
    TradingCalendar,
    default_calendar,
)
from quantflow.market.sessions import VN_TZ
from quantflow.triggers import check_cron, next_fire_time

VN = VN_TZ


def vn(*args: int) -> datetime:
    return datetime(*args, tzinfo=VN)


# -- checking --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("0 15 * *", "has 4 fields; expected 5"),
        ("0 0 15 * * 1", "has 6 fields"),
        ("61 * * * *", "not a valid cron expression"),
        ("0 25 * * *", "not a valid cron expression"),
        ("every day", "has 2 fields"),
        ("0 9 31 2 *", "never matches a real date"),
        ("0 9 * * 5-1", "runs backwards"),
        ("0 9 * dec-jan *", "runs backwards"),
    ],
)
def test_invalid_crons_are_explained(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        check_cron(text)


def test_valid_crons_are_normalised() -> None:
    assert check_cron("  0  15 *\t* 1-5 ") == "0 15 * * 1-5"
    assert check_cron("*/15 9-14 * * mon-fri") == "*/15 9-14 * * mon-fri"
    assert check_cron("@daily") == "@daily"


def test_a_range_with_equal_ends_is_one_value_as_in_crontab() -> None:
    # croniter alone would read '1-1' as every weekday: 9:00 on Tuesday 4 March would come next.
    assert check_cron("0 9 * * 1-1") == "0 9 * * 1"
    assert check_cron("5-5/10 9 * MAR-MAR mon-mon") == "5 9 * MAR mon"
    assert next_fire_time({"cron": "0 9 * * 1-1"}, vn(2025, 3, 3, 10, 0)) == vn(2025, 3, 10, 9, 0)


# -- worked examples -------------------------------------------------------------------------------


def test_fires_in_vietnam_time_whatever_zone_after_is_in() -> None:
    after = datetime(2025, 3, 3, 7, 59, tzinfo=UTC)  # 14:59 in Hanoi
    fired = next_fire_time({"cron": "0 15 * * *"}, after)
    assert fired == vn(2025, 3, 3, 15, 0)
    assert fired is not None and fired.utcoffset() == timedelta(hours=7)


def test_strictly_after_even_on_a_matching_minute_or_second() -> None:
    params = {"cron": "0 9 * * *"}
    assert next_fire_time(params, vn(2025, 3, 3, 9, 0)) == vn(2025, 3, 4, 9, 0)
    assert next_fire_time(params, vn(2025, 3, 3, 9, 0, 0, 500)) == vn(2025, 3, 4, 9, 0)
    assert next_fire_time(params, vn(2025, 3, 3, 8, 59, 59, 999_999)) == vn(2025, 3, 3, 9, 0)


def test_trading_days_only_skips_tet_and_weekends() -> None:
    # Friday 24 Jan 2025 after the close; Tet closed the exchange 27-31 Jan; HOSE reopened Mon 3 Feb.
    params = {"cron": "0 15 * * *", "trading_days_only": True}
    assert next_fire_time(params, vn(2025, 1, 24, 16, 0)) == vn(2025, 2, 3, 15, 0)
    assert next_fire_time({"cron": "0 15 * * *"}, vn(2025, 1, 24, 16, 0)) == vn(2025, 1, 25, 15, 0)


def test_trading_days_only_skips_reunification_bridge_day() -> None:
    # 30 Apr and 1 May 2025 are holidays, 2 May a bridge closure; 3-4 May a weekend.
    params = {"cron": "30 9 * * *", "trading_days_only": True}
    assert next_fire_time(params, vn(2025, 4, 29, 10, 0)) == vn(2025, 5, 5, 9, 30)


def test_params_model_and_mapping_agree() -> None:
    from quantflow.builtin.trigger_nodes import ScheduleParams

    model = ScheduleParams(cron="0 14 * * 1-5", trading_days_only=True)
    after = vn(2025, 9, 1, 8, 0)  # 1-2 Sep 2025: National Day closure
    assert next_fire_time(model, after) == next_fire_time(model.model_dump(), after) == vn(2025, 9, 3, 14, 0)


def test_no_future_match_is_none_and_unknown_years_raise() -> None:
    assert next_fire_time({"cron": "0 0 29 2 *"}, vn(2024, 3, 1)) == vn(2028, 2, 29, 0, 0)
    with pytest.raises(CalendarRangeError):
        next_fire_time({"cron": "0 15 * * *", "trading_days_only": True}, vn(2027, 12, 31, 16, 0))


def test_a_custom_calendar_is_honoured() -> None:
    closed = TradingCalendar([date(2030, 1, 2)], date(2030, 1, 1), date(2030, 12, 31))
    params = {"cron": "0 15 * * *", "trading_days_only": True}
    assert next_fire_time(params, vn(2030, 1, 1, 16, 0), closed) == vn(2030, 1, 3, 15, 0)


def test_naive_after_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        next_fire_time({"cron": "0 15 * * *"}, datetime(2025, 3, 3, 9, 0))


# -- properties ------------------------------------------------------------------------------------

FIELD_RANGES = {"minute": (0, 59), "hour": (0, 23), "dom": (1, 28), "month": (1, 12), "dow": (0, 6)}
FIELD_MAX = {"minute": 59, "hour": 23, "dom": 31, "month": 12, "dow": 6}  # where 'a/step' stops


@st.composite
def fields(draw: st.DrawFn, name: str) -> tuple[str, set[int] | None]:
    """A cron field as text and the set it means (None for '*')."""
    low, high = FIELD_RANGES[name]
    kind = draw(st.sampled_from(["star", "list", "range", "step", "open_step"]))
    if kind == "star":
        return "*", None
    if kind == "list":
        values = draw(st.sets(st.integers(low, high), min_size=1, max_size=4))
        return ",".join(map(str, sorted(values))), values
    start = draw(st.integers(low, high))
    end = draw(st.integers(start, high))
    if kind == "range":
        return f"{start}-{end}", set(range(start, end + 1))
    step = draw(st.integers(1, 6))
    if kind == "open_step":
        shown = "*" if start == low and draw(st.booleans()) else str(start)
        return f"{shown}/{step}", set(range(start, FIELD_MAX[name] + 1, step))
    return f"{start}-{end}/{step}", set(range(start, end + 1, step))


@st.composite
def crons(draw: st.DrawFn) -> tuple[str, dict[str, set[int] | None]]:
    drawn = {name: draw(fields(name)) for name in FIELD_RANGES}
    return " ".join(text for text, _ in drawn.values()), {name: values for name, (_, values) in drawn.items()}


def day_matches(day: date, sets: dict[str, set[int] | None]) -> bool:
    if sets["month"] is not None and day.month not in sets["month"]:
        return False
    dom_ok = sets["dom"] is None or day.day in sets["dom"]
    dow_ok = sets["dow"] is None or (day.isoweekday() % 7) in sets["dow"]
    if sets["dom"] is not None and sets["dow"] is not None:
        return dom_ok or dow_ok  # classic cron: either restricted day field
    return dom_ok and dow_ok


def oracle(sets: dict[str, set[int] | None], after: datetime, trading_only: bool) -> datetime | None:
    """The first matching minute after `after`, found day by day from the fields themselves."""
    local = after.astimezone(VN)
    calendar = default_calendar()
    minutes = sorted(
        time(h, m) for h in (sets["hour"] or range(24)) for m in (sets["minute"] or range(60))
    )
    day = local.date()
    while day <= calendar.last:
        if day_matches(day, sets) and (not trading_only or calendar.is_trading_day(day)):
            for clock in minutes:
                candidate = datetime.combine(day, clock, VN)
                if candidate > local:
                    return candidate
        day += timedelta(days=1)
    return None


afters = st.datetimes(
    min_value=datetime(2018, 1, 1), max_value=datetime(2026, 6, 30),
    timezones=st.sampled_from([UTC, VN, timezone(timedelta(hours=-5)), timezone(timedelta(hours=9, minutes=30))]),
)


@settings(max_examples=150, deadline=None)
@given(cron=crons(), after=afters, trading_only=st.booleans())
def test_next_fire_is_the_first_match_after(cron: tuple[str, dict], after: datetime, trading_only: bool) -> None:
    text, sets = cron
    try:
        fired = next_fire_time({"cron": text, "trading_days_only": trading_only}, after)
    except CalendarRangeError:
        fired = None  # the oracle stops at the calendar's last day too
    expected = oracle(sets, after, trading_only)
    assert fired == expected
    if fired is not None:
        assert fired > after
        assert fired.utcoffset() == timedelta(hours=7)  # Asia/Ho_Chi_Minh: no DST, ever
        assert fired.second == fired.microsecond == 0
        assert day_matches(fired.date(), sets)
        assert sets["hour"] is None or fired.hour in sets["hour"]
        assert sets["minute"] is None or fired.minute in sets["minute"]
        if trading_only:
            assert default_calendar().is_trading_day(fired.date())


@settings(max_examples=60, deadline=None)
@given(cron=crons(), after=afters, trading_only=st.booleans())
def test_fire_times_strictly_increase(cron: tuple[str, dict], after: datetime, trading_only: bool) -> None:
    params = {"cron": cron[0], "trading_days_only": trading_only}
    previous = after
    for _ in range(5):
        try:
            fired = next_fire_time(params, previous)
        except CalendarRangeError:
            return
        if fired is None:
            return
        assert fired > previous
        if trading_only:
            assert fired.weekday() < 5 and default_calendar().is_trading_day(fired.date())
        previous = fired

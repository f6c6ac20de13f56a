from datetime import UTC, datetime

import pytest
from quantflow.domain import Exchange
from quantflow.market import VN_TZ, CalendarRangeError, Session, session_at

DAY = (2025, 3, 4)  # a Tuesday, trading day


def vn(h: int, m: int, day: tuple[int, int, int] = DAY) -> datetime:
    return datetime(*day, h, m, tzinfo=VN_TZ)


@pytest.mark.parametrize(
    ("exchange", "hm", "session"),
    [
        (Exchange.HOSE, (8, 59), Session.CLOSED),
        (Exchange.HOSE, (9, 0), Session.ATO),
        (Exchange.HOSE, (9, 14), Session.ATO),
        (Exchange.HOSE, (9, 15), Session.CONTINUOUS),
        (Exchange.HOSE, (11, 30), Session.LUNCH),
        (Exchange.HOSE, (13, 0), Session.CONTINUOUS),
        (Exchange.HOSE, (14, 30), Session.ATC),
        (Exchange.HOSE, (14, 45), Session.PUT_THROUGH),
        (Exchange.HOSE, (15, 0), Session.CLOSED),
        (Exchange.HNX, (9, 0), Session.CONTINUOUS),
        (Exchange.HNX, (14, 44), Session.ATC),
        (Exchange.HNX, (14, 50), Session.PLO),
        (Exchange.UPCOM, (14, 40), Session.CONTINUOUS),
        (Exchange.UPCOM, (12, 0), Session.LUNCH),
    ],
)
def test_timetable(exchange: Exchange, hm: tuple[int, int], session: Session) -> None:
    assert session_at(exchange, vn(*hm)) is session


def test_other_timezones_are_converted() -> None:
    assert session_at(Exchange.HOSE, datetime(2025, 3, 4, 2, 5, tzinfo=UTC)) is Session.ATO


def test_weekends_and_holidays_are_closed() -> None:
    assert session_at(Exchange.HOSE, vn(10, 0, (2025, 3, 8))) is Session.CLOSED  # Saturday
    assert session_at(Exchange.HOSE, vn(10, 0, (2025, 4, 30))) is Session.CLOSED  # Reunification
    assert session_at(Exchange.HOSE, vn(10, 0, (2025, 2, 3))) is Session.CONTINUOUS  # corrected day


def test_naive_and_out_of_range() -> None:
    with pytest.raises(ValueError, match="naive"):
        session_at(Exchange.HOSE, datetime(2025, 3, 4, 10, 0))
    with pytest.raises(CalendarRangeError):
        session_at(Exchange.HOSE, vn(10, 0, (2030, 3, 4)))
